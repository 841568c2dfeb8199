/// A source of radacct rows as text: a MySQL dump, a CSV export, or a PostgreSQL table.
///
/// Values are the source's text for each column (numbers and times as written, strings
/// with their quoting and escapes removed); SQL NULL is nil. Readers hold one row (and
/// a bounded input buffer) at a time, so tables of any size are read in constant memory.
public protocol RadacctTableReader {
    /// The column names as the source spells them, in the order of each row's values;
    /// known once `next()` has returned the first row (or nil for an empty table).
    var columns: [String] { get }

    /// The next row, or nil at the end of the table.
    mutating func next() throws(RadacctSourceError) -> [String?]?
}

/// A source that cannot be read as a radacct table, with where it went wrong.
public struct RadacctSourceError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The 1-based line of the source where reading stopped (0 when not known).
    public var line: Int
    public var message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}
