import Foundation
internal import TOMLKit

/// Reads TOML 1.0 text (parsed by TOMLKit) into `TOMLValue`s.
public enum TOMLDocument {
    /// The document's root table, or a `TOMLError` with the line and column of the first
    /// syntax error.
    public static func parse(_ text: String) throws(TOMLError) -> [String: TOMLValue] {
        // The text goes to the parser as a C string: a NUL would silently end the document there.
        if let nul = text.unicodeScalars.firstIndex(of: "\0") {
            let before = text.unicodeScalars[..<nul]
            let line = before.count(where: { $0 == "\n" }) + 1
            let column = before.reversed().prefix { $0 != "\n" }.count + 1
            throw TOMLError(line: line, column: column, message: "a NUL character is not allowed in a TOML document")
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            var message = error.description
            // The usual cause, a bare word where a string was meant (`request = coa`), gets the
            // parser's generic wording; say what to do.
            if message.hasSuffix("could not determine value type") { message += " (strings need quotes)" }
            throw TOMLError(line: error.source.begin.line, column: error.source.begin.column, message: message)
        } catch {
            throw TOMLError(line: 1, column: 1, message: "\(error)")
        }
        return try table(root, path: "", text: text)
    }

    private static func table(_ table: TOMLTable, path: String, text: String) throws(TOMLError) -> [String: TOMLValue] {
        var out: [String: TOMLValue] = [:]
        for (key, item) in table { out[key] = try value(item, path: path.isEmpty ? key : path + "." + key, text: text) }
        return out
    }

    private static func value(_ item: TOMLValueConvertible, path: String, text: String) throws(TOMLError) -> TOMLValue {
        switch item.type {
        case .string: return .string(item.string ?? "")
        case .int: return .integer(item.int ?? 0)
        case .double:
            guard let number = item.double else { return .decimal("nan") }
            guard let decimal = plainDecimal(number) else {
                let (line, column) = position(of: path, in: text)
                throw TOMLError(
                    line: line, column: column,
                    message: "\(path): \(number) has more significant digits than a bare TOML number keeps exactly (15); write it as a quoted string")
            }
            return .decimal(decimal)
        case .bool: return .boolean(item.bool ?? false)
        case .date: return .dateTime(item.date?.debugDescription ?? "")
        case .time: return .dateTime(item.time?.debugDescription ?? "")
        case .dateTime: return .dateTime(item.dateTime?.debugDescription ?? "")
        case .table: return .table(try item.table.map { table throws(TOMLError) in try Self.table(table, path: path, text: text) } ?? [:])
        case .array:
            let items = item.array.map { Array($0) } ?? []
            let tables = items.compactMap(\.table)
            if !items.isEmpty && tables.count == items.count {
                var out: [[String: TOMLValue]] = []
                for (index, element) in tables.enumerated() { out.append(try table(element, path: "\(path)[\(index)]", text: text)) }
                return .tables(out)
            }
            var out: [TOMLValue] = []
            for (index, element) in items.enumerated() { out.append(try value(element, path: "\(path)[\(index)]", text: text)) }
            return .array(out)
        }
    }

    /// `number` as plain decimal text ("0.0000045", not "4.5e-06"): the shortest that reads
    /// back as the same `Double`, which for a literal of up to 15 significant digits is exactly
    /// what the file says. nil when that takes more than 15 digits: the literal had more than
    /// a `Double` keeps, and reading it would silently change it. "inf" and "nan" as they are.
    static func plainDecimal(_ number: Double) -> String? {
        guard number.isFinite else { return "\(number)" }
        var text = Substring("\(number)")
        let negative = text.first == "-"
        if negative { text = text.dropFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        var digits = Array(whole + fraction)
        // The decimal point sits after `point` digits (before the first when negative).
        var point = whole.count + exponent
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.count > 1, digits.last == "0", digits.count > point { digits.removeLast() }
        guard digits.count(where: { $0 != "0" }) == 0 || significantDigits(digits) <= 15 else { return nil }
        let plain: String
        if point <= 0 {
            plain = "0." + String(repeating: "0", count: -point) + String(digits)
        } else if point >= digits.count {
            plain = String(digits) + String(repeating: "0", count: point - digits.count) + ".0"
        } else {
            plain = String(digits[..<point]) + "." + String(digits[point...])
        }
        return (negative ? "-" : "") + plain
    }

    private static func significantDigits(_ digits: [Character]) -> Int {
        let first = digits.firstIndex { $0 != "0" } ?? 0
        let last = digits.lastIndex { $0 != "0" } ?? 0
        return last - first + 1
    }

    /// Where the key of `path` (its last part) is first written as `key =`, for an error about
    /// its value (the parser keeps no positions of values); line 1, column 1 when not found.
    private static func position(of path: String, in text: String) -> (line: Int, column: Int) {
        var key = Substring(path.split(separator: ".").last ?? Substring(path))
        if let bracket = key.firstIndex(of: "[") { key = key[..<bracket] }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let range = line.range(of: key) else { continue }
            if line[range.upperBound...].drop(while: { $0 == " " || $0 == "\t" || $0 == "\"" }).first == "=" {
                return (index + 1, line.distance(from: line.startIndex, to: range.lowerBound) + 1)
            }
        }
        return (1, 1)
    }
}
