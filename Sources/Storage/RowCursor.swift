/// A query read a chunk at a time through a server-side cursor, inside a tenant transaction
/// of one snapshot: an export of any size holds one chunk in memory, not the whole result.
///
/// The transaction stays open between chunks, so the connection belongs to this cursor until
/// `close()`; it may move between threads, but only one uses it at a time.
public final class RowCursor<Row> {
    private let connection: PostgresConnection
    private let decode: (PostgresResult) throws -> [Row]
    private var finished = false

    init(connection: PostgresConnection, tenantID: Int64, sql: String, parameters: [String?],
         decode: @escaping (PostgresResult) throws -> [Row]) throws {
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

/// One page of a listing in a total order: its rows, and the sort key of its last row when
/// more rows follow (nil on the last page).
public struct KeysetPage<Row> {
    public var rows: [Row]
    public var next: [String]?

    /// The page from up to `limit + 1` fetched rows: the extra row only says that more follow.
    init(fetched: [Row], limit: Int, key: (Row) -> [String]) {
        rows = Array(fetched.prefix(limit))
        next = fetched.count > limit ? rows.last.map(key) : nil
    }
}

/// The page size every listing accepts.
public enum PageLimit {
    public static let range = 1...10_000
    public static let standard = 1000

    static func check(_ limit: Int) throws {
        guard range.contains(limit) else { throw StoreError(.invalid, "limit must be \(range.lowerBound)-\(range.upperBound), not \(limit)") }
    }
}

/// A sort key read back from a cursor: exactly `count` parts, or the cursor is refused.
func keyParts(_ after: [String]?, _ count: Int) throws -> [String?] {
    guard let after else { return [String?](repeating: nil, count: count) }
    guard after.count == count else { throw StoreError(.invalid, "cursor does not belong to this listing") }
    return after
}
