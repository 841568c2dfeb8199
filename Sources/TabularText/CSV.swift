/// CSV fields as the CLI and the API write them (RFC 4180 quoting), safe to open in a
/// spreadsheet.
public enum CSV {
    /// One field: a value a spreadsheet would read as a formula (one starting with =, +, -,
    /// @, tab or carriage return, unless it is a plain number) gets a leading apostrophe, so
    /// it is shown as text and never run; a value with a comma, quote or line break is quoted.
    public static func field(_ text: String) -> String {
        var value = text
        if isFormula(value) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        var quoted = "\""
        for character in value {
            quoted.append(character)
            if character == "\"" { quoted.append("\"") }
        }
        return quoted + "\""
    }

    /// Rows as CSV lines ending in CRLF (RFC 4180), as the API sends them; nil is an empty field.
    public static func lines(_ rows: [[String?]]) -> String {
        var out = ""
        for row in rows { out += row.map { field($0 ?? "") }.joined(separator: ",") + "\r\n" }
        return out
    }

    /// Whether a spreadsheet could take `text` for a formula. Numbers such as "-12.50" or
    /// "+3" are left as they are: they are data, and prefixing them would make them text.
    public static func isFormula(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return false }
        return !isPlainNumber(text)
    }

    /// An optional sign, digits, and optionally a point and more digits.
    static func isPlainNumber(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        let parts = bytes.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { (48...57).contains($0) } }
    }
}
