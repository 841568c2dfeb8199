import CLibPQ
import Glibc

/// One libpq connection.
///
/// libpq calls block: use a connection from one thread at a time, never from an event loop
/// or the Swift concurrency pool. The class is not Sendable for that reason; callers that
/// move it between threads own the discipline (a pool hands it to one worker at a time).
public final class PostgresConnection {
    let handle: OpaquePointer
    /// Longest wait for the server's answer to a statement, milliseconds; nil (the default)
    /// waits as long as it takes. When it passes the connection is closed (the server rolls
    /// back whatever was open) and a `.connection` error is thrown: a hung or unreachable
    /// server then looks like a lost connection instead of blocking the caller forever.
    public var responseTimeoutMilliseconds: Int?

    /// Connects with a libpq connection string or `postgresql://` URL.
    /// `connectTimeoutSeconds`: longest wait for the connection to be made (libpq's
    /// connect_timeout; nil uses the URL's or waits as long as the operating system does).
    public init(url: String, connectTimeoutSeconds: Int? = nil) throws {
        // Keywords before the URL are defaults it can override (see below). Over TCP, a peer
        // that vanishes without closing (a host lost, a network cut) is noticed in seconds
        // instead of the operating system's two hours or more: libpq's keepalives and user
        // timeout here, and the server's for this session once connected (`serverNetworkDefaults`),
        // so PostgreSQL ends the backend of a vanished collector and frees its locks (the merge
        // leadership, its packet log stream) for the collectors that remain. Unix sockets
        // ignore both.
        var keys = Self.networkDefaults.map(\.key) + ["dbname"]
        var values = Self.networkDefaults.map(\.value) + [url]
        if let connectTimeoutSeconds {
            keys.append("connect_timeout")
            values.append(String(max(2, connectTimeoutSeconds)))
        }
        // expand_dbname: the URL (or key=value string) is read as a whole connection string,
        // and the keywords after it override what it says.
        let cKeys = keys.map { strdup($0) }
        let cValues = values.map { strdup($0) }
        defer { for pointer in cKeys + cValues { free(pointer) } }
        let handle = (cKeys.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { k in
            (cValues.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { v in
                PQconnectdbParams(k.baseAddress, v.baseAddress, 1)
            }
        }
        guard let handle else {
            throw PostgresError(.connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(handle))
            PQfinish(handle)
            throw PostgresError(.connection, message: message)
        }
        self.handle = handle
        // Server notices (e.g. "already exists, skipping") are not errors: keep them off stderr.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        // Dates and times are read back as text: pin the format whatever the server's default.
        if let result = PQexec(handle, "SET DateStyle = ISO, YMD; SET IntervalStyle = postgres; \(Self.serverNetworkDefaults)") { PQclear(result) }
    }

    /// libpq keywords every connection starts with; a URL's own values win (the environment's
    /// and a service file's do not: they only fill keywords nothing set).
    static let networkDefaults: [(key: String, value: String)] = [
        ("keepalives", "1"), ("keepalives_idle", "5"), ("keepalives_interval", "2"), ("keepalives_count", "3"),
        // Long enough for a server busy with a large COPY, which leaves its receive window
        // closed while it works.
        ("tcp_user_timeout", "30000"),
    ]

    /// The server's side of the same for this session, each only where neither the server's
    /// configuration nor the client (`options`, PGOPTIONS) chose a value.
    static let serverNetworkDefaults = """
        SELECT set_config(s.name, d.value, false) FROM pg_settings s
        JOIN (VALUES ('tcp_keepalives_idle', '5'), ('tcp_keepalives_interval', '2'), ('tcp_keepalives_count', '3'),
                     ('tcp_user_timeout', '30000')) AS d (name, value) ON d.name = s.name
        WHERE s.source = 'default'
        """

    deinit { PQfinish(handle) }

    /// Whether the connection is still usable.
    public var isConnected: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Whether a transaction is open (or failed and not yet rolled back).
    public var inTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// The server's version number, e.g. 150018 for 15.18.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs one statement with text parameters (`$1`, `$2`, ...; nil is NULL) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> PostgresResult {
        guard responseTimeoutMilliseconds != nil else {
            let result = withTextParameters(parameters) { values in
                PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
            }
            return try check(result)
        }
        let sent = withTextParameters(parameters) { values in
            PQsendQueryParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        guard sent == 1 else { throw PostgresError(.connection, message: Self.trimmed(PQerrorMessage(handle))) }
        return try finalResult()
    }

    /// Reads a sent statement's results until libpq's NULL, each wait bounded by the response
    /// timeout, and returns the last one (an error result is the one to report).
    func finalResult() throws -> PostgresResult {
        try awaitResult()
        var last: OpaquePointer?
        while let result = PQgetResult(handle) {
            if let previous = last { PQclear(previous) }
            last = result
            do { try awaitResult() } catch {
                PQclear(result)
                throw error
            }
        }
        return try check(last)
    }

    /// Waits, at most `responseTimeoutMilliseconds`, until `PQgetResult` will not block.
    func awaitResult() throws {
        guard let timeout = responseTimeoutMilliseconds else { return }
        let deadline = Self.monotonicMilliseconds() + Int64(timeout)
        while PQisBusy(handle) == 1 {
            let remaining = deadline - Self.monotonicMilliseconds()
            if remaining <= 0 {
                // Closing the socket makes libpq see the connection as lost.
                shutdown(PQsocket(handle), Int32(SHUT_RDWR))
                _ = PQconsumeInput(handle)
                throw PostgresError(.connection, message: "no answer from the database within \(timeout) ms; connection closed")
            }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining, Int64(Int32.max))))
            if ready < 0 && errno != EINTR {
                throw PostgresError(.connection, message: "poll: \(String(cString: strerror(errno)))")
            }
            guard PQconsumeInput(handle) == 1 else {
                throw PostgresError(.connection, message: Self.trimmed(PQerrorMessage(handle)))
            }
        }
    }

    private static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// Runs one or more statements without parameters (migrations, transaction control).
    public func execute(_ sql: String) throws {
        _ = try check(PQexec(handle, sql))
    }

    /// Sends several statements at once in libpq's pipeline mode and returns their results
    /// in order: one round trip instead of one per statement. The first failure is thrown
    /// after the pipeline is drained (the statements after it did not run).
    public func pipeline(_ statements: [Statement]) throws -> [PostgresResult] {
        try withPipeline { pipeline in
            try pipeline.send(statements)
            return try pipeline.receive()
        }
    }

    /// Holds libpq's pipeline mode for `body`: groups of statements are sent without waiting
    /// and their results read later, in order, so the server works while the caller does.
    /// Whatever `body` leaves unread is drained before the mode ends, also when it throws.
    public func withPipeline<T>(_ body: (PostgresPipeline) throws -> T) throws -> T {
        guard PQenterPipelineMode(handle) == 1 else {
            throw PostgresError(.connection, message: Self.trimmed(PQerrorMessage(handle)))
        }
        let pipeline = PostgresPipeline(connection: self)
        defer {
            while !pipeline.groups.isEmpty { _ = try? pipeline.receive() }
            PQexitPipelineMode(handle)
        }
        return try body(pipeline)
    }

    func sendInPipeline(_ statement: Statement) throws {
        let sent = withTextParameters(statement.parameters) { values in
            PQsendQueryParams(handle, statement.sql, Int32(statement.parameters.count), nil, values, nil, nil, 0)
        }
        guard sent == 1 else { throw PostgresError(.connection, message: Self.trimmed(PQerrorMessage(handle))) }
    }

    func syncPipeline() throws {
        guard PQpipelineSync(handle) == 1 else {
            throw PostgresError(.connection, message: Self.trimmed(PQerrorMessage(handle)))
        }
    }

    /// Reads the results of `count` statements and the sync point after them.
    func receiveFromPipeline(count: Int) throws -> [PostgresResult] {
        var results: [PostgresResult] = []
        var failure: (any Error)?
        for _ in 0..<count {
            // Each statement's result, then a NULL that ends it.
            try awaitResult()
            guard let result = PQgetResult(handle) else {
                throw PostgresError(.connection, message: Self.trimmed(PQerrorMessage(handle)))
            }
            if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                PQclear(result)
            } else {
                do { results.append(try check(result)) } catch { failure = failure ?? error }
            }
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        // The sync point.
        try awaitResult()
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        if let failure { throw failure }
        return results
    }

    /// Runs `body` inside BEGIN ... COMMIT; rolls back when it throws.
    public func transaction<T>(repeatableRead: Bool = false, _ body: (PostgresConnection) throws -> T) throws -> T {
        try within(opening: repeatableRead ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN", body)
    }

    /// Runs `body` in a transaction whose queries see only `tenantID`'s rows: the role is
    /// switched to `tollgate_tenant`, which row-level security policies restrict to the
    /// tenant set in `tollgate.tenant_id` for this transaction only.
    /// `repeatableRead`: every query of the transaction sees one snapshot.
    public func tenantTransaction<T>(_ tenantID: Int64, repeatableRead: Bool = false, _ body: (PostgresConnection) throws -> T) throws -> T {
        try within(opening: Self.tenantOpening(tenantID, repeatableRead: repeatableRead), body)
    }

    /// Opens a tenant transaction that outlives one call (a streaming cursor's); the caller
    /// ends it with COMMIT or ROLLBACK.
    public func beginTenantTransaction(_ tenantID: Int64, repeatableRead: Bool = false) throws {
        try execute(Self.tenantOpening(tenantID, repeatableRead: repeatableRead))
    }

    /// One round trip opens the transaction, switches the role and sets the tenant (an
    /// integer, so it is safe in the statement text).
    private static func tenantOpening(_ tenantID: Int64, repeatableRead: Bool) -> String {
        (repeatableRead ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN")
            + "; SET LOCAL ROLE tollgate_tenant; SELECT set_config('tollgate.tenant_id', '\(tenantID)', true)"
    }

    /// Runs `opening` (which begins the transaction), `body` and COMMIT; rolls back whatever
    /// of the transaction is open when any of them throws.
    private func within<T>(opening: String, _ body: (PostgresConnection) throws -> T) throws -> T {
        do {
            try execute(opening)
            let value = try body(self)
            try execute("COMMIT")
            return value
        } catch {
            if isConnected && inTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }

    func check(_ result: OpaquePointer?) throws -> PostgresResult {
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

    func withTextParameters<R>(_ parameters: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        // strdup keeps each C string alive for the call; freed right after.
        let pointers: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.flatMap { strdup($0) } }
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers.map { $0.map { UnsafePointer($0) } })
    }

    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        var text = String(cString: message)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
