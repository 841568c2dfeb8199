import Foundation
import RadacctImport

/// A FreeRADIUS radacct table in PostgreSQL (rlm_sql's PostgreSQL schema, any version), read
/// in radacctid order through a cursor, a block of rows at a time.
///
/// Only the columns the import uses are read. timestamptz columns come with their offset
/// (the session's zone is UTC); `timestamp` columns as written, read in the import's zone.
/// The read runs in one read-only, repeatable-read transaction of the source database.
public final class PostgresRadacctReader: RadacctTableReader {
    public private(set) var columns: [String] = []
    private let connection: PostgresConnection
    private var block: PostgresResult?
    private var row = 0
    private var finished = false
    /// Rows fetched per round trip.
    static let blockSize = 20_000

    /// Opens `table` (optionally `schema.table`) of the database at `url`, for rows with a
    /// radacctid above `after` that started within `since`..<`until` (seconds since 1970).
    public init(url: String, table: String, after: Int64, since: Int64?, until: Int64?, timeZone: TimeZone) throws {
        connection = try PostgresConnection(url: url, connectTimeoutSeconds: 10)
        let parts = table.split(separator: ".", maxSplits: 1).map(String.init)
        let (schema, name) = parts.count == 2 ? (parts[0] as String?, parts[1]) : (nil, parts[0])
        let described = try connection.query(
            """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_name = $1 AND table_schema = coalesce($2, current_schema()) ORDER BY ordinal_position
            """, [name, schema])
        guard described.rowCount > 0 else {
            throw StoreError(.notFound, "no table \(table) in the source database (give --table, e.g. --table radacct)")
        }
        let c = try described.columns("column_name", "data_type")
        var types: [String: String] = [:]
        var names: [String] = []
        for index in 0..<described.rowCount {
            let column = described.value(row: index, column: c[0]) ?? ""
            names.append(column)
            types[column.lowercased()] = described.value(row: index, column: c[1]) ?? ""
        }
        // The layout is checked on the source's own names first, for its message.
        let layout: RadacctLayout
        do {
            layout = try RadacctLayout(columns: names)
        } catch {
            throw StoreError(.invalid, "\(table): \(error.message)")
        }
        var select: [String] = []
        for field in RadacctLayout.Field.allCases {
            guard let index = layout.indexes[field] else { continue }
            let column = names[index]
            columns.append(column)
            // inet's text carries the prefix length ("10.0.0.1/32"); host() is the address.
            select.append(types[column.lowercased()] == "inet" ? "host(\(Self.quoted(column)))" : Self.quoted(column) + "::text")
        }
        var conditions: [String] = []
        var parameters: [String?] = []
        func timeCondition(_ op: String, _ seconds: Int64) {
            let start = names[layout.indexes[.startTime]!]
            parameters.append(String(seconds))
            let bound = "to_timestamp($\(parameters.count))"
            // A row without a start time may have one derived from its stop: the import decides.
            if types[start.lowercased()] == "timestamp without time zone" {
                parameters.append(timeZone.identifier)
                conditions.append("(\(Self.quoted(start)) \(op) (\(bound) AT TIME ZONE $\(parameters.count)) OR \(Self.quoted(start)) IS NULL)")
            } else {
                conditions.append("(\(Self.quoted(start)) \(op) \(bound) OR \(Self.quoted(start)) IS NULL)")
            }
        }
        if let since { timeCondition(">=", since) }
        if let until { timeCondition("<", until) }
        // radacctid orders the read and is where a run resumes.
        guard let id = layout.indexes[.radacctID] else {
            throw StoreError(.invalid, "\(table) has no radacctid column to read it in order by (export it to CSV and import the file instead)")
        }
        parameters.append(String(after))
        conditions.append("\(Self.quoted(names[id])) > $\(parameters.count)")
        let order = " ORDER BY \(Self.quoted(names[id]))"
        let relation = (schema.map { Self.quoted($0) + "." } ?? "") + Self.quoted(name)
        let sql =
            "SELECT " + select.joined(separator: ", ") + " FROM " + relation
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) + order
        try connection.execute("SET TimeZone = 'UTC'; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        _ = try connection.query("DECLARE radacct_rows NO SCROLL CURSOR FOR " + sql, parameters)
    }

    public func next() throws(RadacctSourceError) -> [String?]? {
        if let block, row < block.rowCount {
            defer { row += 1 }
            return (0..<columns.count).map { block.value(row: row, column: $0) }
        }
        guard !finished else { return nil }
        do {
            block = try connection.query("FETCH FORWARD \(Self.blockSize) FROM radacct_rows")
        } catch {
            throw RadacctSourceError(line: 0, "reading the source database: \(error)")
        }
        row = 0
        if block!.rowCount == 0 {
            finished = true
            try? connection.execute("ROLLBACK")
            return nil
        }
        return try next()
    }

    private static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `url` without its password, for reports and the run's record.
    public static func displayed(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "postgresql://..." }
        if components.password != nil { components.password = "***" }
        var items = components.queryItems ?? []
        items = items.map { $0.name == "password" ? URLQueryItem(name: "password", value: "***") : $0 }
        components.queryItems = items.isEmpty ? nil : items
        return components.string ?? "postgresql://..."
    }
}
