import CLibPQ
import Glibc

/// One libpq connection.
///
/// libpq calls block: use a connection from one thread at a time, never from an event loop
/// or the Swift concurrency pool. The class is not Sendable for that reason; callers that
/// move it between threads own the discipline (a pool hands it to one worker at a time).
public final class PostgresConnection {
    private let handle: OpaquePointer

    /// Connects with a libpq connection string or `postgresql://` URL.
    public init(url: String) throws(PostgresError) {
        guard let handle = PQconnectdb(url) else {
            throw PostgresError(.connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(handle))
            PQfinish(handle)
            throw PostgresError(.connection, message: message)
        }
        self.handle = handle
    }

    deinit { PQfinish(handle) }

    /// Whether the connection is still usable.
    public var isConnected: Bool { PQstatus(handle) == CONNECTION_OK }

    /// The server's version number, e.g. 150018 for 15.18.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs one statement with text parameters (`$1`, `$2`, ...; nil is NULL) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresResult {
        let result = withTextParameters(parameters) { values in
            PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try check(result)
    }

    /// Runs one or more statements without parameters (migrations, transaction control).
    public func execute(_ sql: String) throws(PostgresError) {
        _ = try check(PQexec(handle, sql))
    }

    private func check(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let result else {
            throw PostgresError(.connection, message: Self.trimmed(PQerrorMessage(handle)))
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE, PGRES_EMPTY_QUERY:
            return PostgresResult(result)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = Self.trimmed(PQresultErrorMessage(result))
            PQclear(result)
            let kind: PostgresError.Kind = PQstatus(handle) == CONNECTION_OK ? .statement : .connection
            throw PostgresError(kind, sqlState: state, message: message)
        }
    }

    private func withTextParameters<R>(_ parameters: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        // strdup keeps each C string alive for the call; freed right after.
        let pointers: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.flatMap { strdup($0) } }
        defer { pointers.forEach { free($0) } }
        return body(pointers.map { $0.map { UnsafePointer($0) } })
    }

    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        var text = String(cString: message)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
