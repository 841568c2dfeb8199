import CLibPQ
import Glibc

extension PostgresConnection {
    /// Runs `COPY ... FROM STDIN (FORMAT binary)` with `data` (see `BinaryCopyRows`) and
    /// returns the rows copied. Inside an open transaction the rows commit with it; outside
    /// one they commit by themselves. Observes `responseTimeoutMilliseconds`.
    @discardableResult
    public func copyIn(_ sql: String, _ data: [UInt8]) throws -> Int {
        guard PQsendQuery(handle, sql) == 1 else { throw PostgresError(.connection, message: Self.trimmed(PQerrorMessage(handle))) }
        try awaitResult()
        guard let started = PQgetResult(handle) else {
            throw PostgresError(.connection, message: Self.trimmed(PQerrorMessage(handle)))
        }
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            // The statement failed (or was not a COPY FROM STDIN): report what the server said.
            while let extra = PQgetResult(handle) { PQclear(extra) }
            _ = try check(started)
            throw PostgresError(.result, message: "not a COPY FROM STDIN statement: \(sql.prefix(60))")
        }
        PQclear(started)
        var offset = 0
        let chunk = 1 << 20
        let sent: Bool = data.withUnsafeBufferPointer { buffer in
            while offset < buffer.count {
                let count = min(chunk, buffer.count - offset)
                let status = buffer.baseAddress!.advanced(by: offset).withMemoryRebound(to: CChar.self, capacity: count) {
                    PQputCopyData(handle, $0, Int32(count))
                }
                guard status == 1 else { return false }
                offset += count
            }
            return true
        }
        guard sent, PQputCopyEnd(handle, nil) == 1 else {
            throw PostgresError(.connection, message: Self.trimmed(PQerrorMessage(handle)))
        }
        return try finalResult().affectedRows
    }

    /// Runs one statement with text parameters and returns its rows in binary format (read
    /// them with `PostgresResult`'s binary accessors): no text is made of large values.
    public func queryBinary(_ sql: String, _ parameters: [String?] = []) throws -> PostgresResult {
        let sent = withTextParameters(parameters) { values in
            PQsendQueryParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 1)
        }
        guard sent == 1 else { throw PostgresError(.connection, message: Self.trimmed(PQerrorMessage(handle))) }
        return try finalResult()
    }
}
