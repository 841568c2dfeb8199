/// A query read a chunk at a time through a server-side cursor, inside a tenant transaction
/// of one snapshot: an export of any size holds one chunk in memory, not the whole result.
///
/// The transaction stays open between chunks, so the connection belongs to this cursor until
/// `close()`; it may move between threads, but only one uses it at a time.
public final class RowCursor<Row> {
    private let connection: PostgresConnection
    private let decode: (PostgresResult) throws -> [Row]
    private var finished = false

    init(
        connection: PostgresConnection, tenantID: Int64, sql: String, parameters: [String?],
        decode: @escaping (PostgresResult) throws -> [Row]
    ) throws {
        self.connection = connection
        self.decode = decode
        try connection.beginTenantTransaction(tenantID, repeatableRead: true)
        do {
            try connection.query("DECLARE export_rows NO SCROLL CURSOR FOR " + sql, parameters)
        } catch {
            close()
            throw error
        }
    }

    /// The next rows, at most `count`; empty once every row was read.
    public func next(_ count: Int) throws -> [Row] {
        guard !finished else { return [] }
        let rows = try decode(try connection.query("FETCH FORWARD \(max(1, count)) FROM export_rows"))
        if rows.isEmpty { close() }
        return rows
    }

    /// Ends the transaction (it only read) and frees the cursor; the connection is then free.
    public func close() {
        finished = true
        if connection.isConnected && connection.inTransaction { try? connection.execute("ROLLBACK") }
    }
}
