import TabularText
import Testing

@Suite("CSV fields")
struct CSVTests {
    @Test(
        "A value a spreadsheet would run as a formula is prefixed with an apostrophe",
        arguments: [
            ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\tabc", "'\tabc"),
            ("\r=1", "\"'\r=1\""),
            ("=1,2", "\"'=1,2\""),
            ("=\"x\"", "\"'=\"\"x\"\"\""),
        ])
    func formulas(value: String, expected: String) {
        #expect(CSV.field(value) == expected)
        #expect(CSV.isFormula(value))
    }

    @Test(
        "Numbers, plain text and quoting are left as RFC 4180 has them",
        arguments: [
            ("-12.50", "-12.50"), ("+3", "+3"), ("-7", "-7"), ("0.2", "0.2"), ("alpha-u1", "alpha-u1"),
            ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("two\nlines", "\"two\nlines\""), ("", ""),
            ("-", "'-"), ("-1.", "'-1."), ("-.5", "'-.5"), ("1-2", "1-2"),
        ])
    func plain(value: String, expected: String) {
        #expect(CSV.field(value) == expected)
    }
}
