import CLibPQ

extension PostgresResult {
    /// The number of the column called `name`, looked up once per result: rows are then
    /// read by that number (`value(row:column:)`, `int64(row:column:)`) at the cost of a
    /// read by position, so a reader names its columns without slowing its loop.
    ///
    /// Throws a `PostgresError` naming the column when the result has none of that name (a
    /// statement and its reader that no longer agree), instead of reading another column: a
    /// fault of the code, answered as an internal error, never as the caller's (`StoreError`).
    public func column(_ name: String) throws -> Int {
        let number = Int(PQfnumber(handle, Self.quoted(name)))
        guard number >= 0 else {
            throw PostgresError(
                .result,
                message: "the result has no column '\(name)' (it has \(columnNames.joined(separator: ", "))): the statement and its reader disagree")
        }
        return number
    }

    /// The numbers of the columns called `names`, in that order (see `column(_:)`).
    public func columns(_ names: String...) throws -> [Int] {
        try names.map(column)
    }

    /// Every column's name, in order.
    public var columnNames: [String] { (0..<columnCount).map(columnName) }

    /// `name` as `PQfnumber` matches it exactly: it folds an unquoted name to lower case and
    /// reads a quote as the start of a quoted one, so the name is quoted (quotes doubled).
    private static func quoted(_ name: String) -> String {
        var quoted = "\""
        for character in name {
            quoted.append(character)
            if character == "\"" { quoted.append("\"") }
        }
        return quoted + "\""
    }
}
