/// A failure talking to PostgreSQL, with the server's SQLSTATE when it sent one.
public struct PostgresError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        /// The connection could not be made or was lost.
        case connection
        /// The server rejected a statement.
        case statement
        /// A result did not have the shape the caller expected.
        case result
    }

    public var kind: Kind
    /// Five-character SQLSTATE code, e.g. `23505` for a unique violation.
    public var sqlState: String?
    public var message: String

    public init(_ kind: Kind, sqlState: String? = nil, message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String {
        if let sqlState { return "PostgreSQL \(kind.rawValue) error \(sqlState): \(message)" }
        return "PostgreSQL \(kind.rawValue) error: \(message)"
    }
}
