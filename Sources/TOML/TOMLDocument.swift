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
        return table(root)
    }

    private static func table(_ table: TOMLTable) -> [String: TOMLValue] {
        var out: [String: TOMLValue] = [:]
        for (key, item) in table { out[key] = value(item) }
        return out
    }

    private static func value(_ item: TOMLValueConvertible) -> TOMLValue {
        switch item.type {
        case .string: return .string(item.string ?? "")
        case .int: return .integer(item.int ?? 0)
        // Swift's description is the shortest text that reads back as the same Double: for any
        // literal of up to 15 significant digits, exactly what the file says.
        case .double: return .decimal(item.double.map { "\($0)" } ?? "nan")
        case .bool: return .boolean(item.bool ?? false)
        case .date: return .dateTime(item.date?.debugDescription ?? "")
        case .time: return .dateTime(item.time?.debugDescription ?? "")
        case .dateTime: return .dateTime(item.dateTime?.debugDescription ?? "")
        case .table: return .table(item.table.map(table) ?? [:])
        case .array:
            let items = item.array.map { Array($0) } ?? []
            let tables = items.compactMap(\.table)
            if !items.isEmpty && tables.count == items.count { return .tables(tables.map(table)) }
            return .array(items.map(value))
        }
    }
}
