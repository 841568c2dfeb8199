import TOML
import Testing

@Suite("TOML documents and typed reads")
struct TOMLDocumentTests {
    @Test("TOML 1.0 forms read into values: inline and dotted tables, multi-line strings, hex, arrays of inline tables")
    func fullSyntax() throws {
        let document = try TOMLDocument.parse(
            """
            title = \"\"\"
            two \\
              words\"\"\"
            path = '''C:\\vendors'''
            mask = 0xff
            big = 1_000_000
            collector.max_batch = 77
            api = { database_threads = 3, tls = { enabled = false } }
            listener = [{ name = "a" }, { name = "b" }]
            empty = []
            day = 2026-01-31
            """)
        #expect(document["title"] == .string("two words"))
        #expect(document["path"] == .string("C:\\vendors"))
        #expect(document["mask"] == .integer(255))
        #expect(document["big"] == .integer(1_000_000))
        #expect(document["collector"] == .table(["max_batch": .integer(77)]))
        #expect(document["api"] == .table(["database_threads": .integer(3), "tls": .table(["enabled": .boolean(false)])]))
        #expect(document["listener"] == .tables([["name": .string("a")], ["name": .string("b")]]))
        #expect(document["empty"] == .array([]))
        #expect(document["day"] == .dateTime("2026-01-31"))
        #expect(document.count == 9)
    }

    @Test("Decimals keep their written value as text, never a binary rounding")
    func decimals() throws {
        let document = try TOMLDocument.parse("price = 0.50\nfee = 29.90\nfactor = 0.1\ntax = 0.2\n")
        #expect(document["price"] == .decimal("0.5"))
        #expect(document["fee"] == .decimal("29.9"))
        #expect(document["factor"]?.foundationValue as? String == "0.1")
        #expect(document["tax"]?.foundationValue as? String == "0.2")
    }

    @Test("Small, large and negative decimals read as plain decimal text, never with an exponent")
    func plainDecimals() throws {
        let document = try TOMLDocument.parse(
            "per_byte = 0.00001\ntiny = 4.5e-9\nhuge = 1e20\nnegative = -0.25\nwhole = 12.0\nfifteen = 0.123456789012345\n")
        #expect(document["per_byte"] == .decimal("0.00001"))
        #expect(document["tiny"] == .decimal("0.0000000045"))
        #expect(document["huge"] == .decimal("100000000000000000000.0"))
        #expect(document["negative"] == .decimal("-0.25"))
        #expect(document["whole"] == .decimal("12.0"))
        #expect(document["fifteen"] == .decimal("0.123456789012345"))
    }

    @Test("A bare decimal with more digits than a Double keeps is refused, naming its key, not rounded")
    func tooManyDigits() throws {
        #expect(
            throws: TOMLError(
                line: 3, column: 3,
                message:
                    "plan.rate: 0.12345678901234568 has more significant digits than a bare TOML number keeps exactly (15); write it as a quoted string"
            )
        ) {
            try TOMLDocument.parse("[plan]\nname = \"a\"\n  rate = 0.123456789012345678\n")
        }
        #expect(try TOMLDocument.parse("rate = \"0.123456789012345678\"\n")["rate"] == .string("0.123456789012345678"))
    }

    @Test(
        "A syntax error says its line, its column and what is wrong",
        arguments: [
            ("a = 1\nb = = 2\n", 2, 5),
            ("a = \"open\n", 1, 10),
            ("[t\nx = 1\n", 1, 3),
            ("a = 1\na = 2\n", 2, 5),
            ("x = 1\ny = \u{0}\n", 2, 5),
        ] as [(String, Int, Int)])
    func syntaxErrors(text: String, line: Int, column: Int) {
        do {
            _ = try TOMLDocument.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.line == line && error.column == column, "\(error)")
            #expect(!error.message.isEmpty)
            #expect("\(error)".hasPrefix("line \(line), column \(column): "))
        }
    }

    @Test("Typed reads name the key and say what it must be")
    func typedReads() throws {
        #expect(try TOMLValue.integer(7).integer("a.b", in: 1...10) == 7)
        #expect(throws: TOMLKeyError(key: "a.b", "must be between 1 and 10, not 11")) { try TOMLValue.integer(11).integer("a.b", in: 1...10) }
        #expect(throws: TOMLKeyError(key: "a.b", "must be a whole number")) { try TOMLValue.decimal("1.5").integer("a.b", in: 1...10) }
        #expect(throws: TOMLKeyError(key: "s", "must be a quoted string")) { try TOMLValue.dateTime("2026-01-31").string("s") }
        #expect(throws: TOMLKeyError(key: "f", "must be true or false")) { try TOMLValue.integer(1).boolean("f") }
        #expect(try TOMLValue.integer(5).duration("d", in: 0...1000, .milliseconds) == .milliseconds(5))
        #expect(try TOMLValue.integer(15).duration("d", in: 1...60, .minutes) == .seconds(900))
        #expect(try TOMLValue.integer(8).duration("d", in: 1...24, .hours) == .seconds(28_800))
        #expect(throws: TOMLKeyError(key: "d", "must be between 0 and 1000, not 1001")) {
            try TOMLValue.integer(1001).duration("d", in: 0...1000, .milliseconds)
        }
    }
}
