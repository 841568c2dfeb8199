extension AuditLog {
    /// A tenant's entries, newest first, optionally only of one `action`: the `limit` entries
    /// older than id `before`, or (paging forward) newer than id `after`, or the newest.
    public func page(tenant: Tenant, action: String?, before: Int64? = nil, after: Int64? = nil, limit: Int) throws -> AuditLogPage {
        let limit = max(1, min(limit, 1000))
        return try connection.tenantTransaction(tenant.id) { connection in
            // Forward pages read upwards from `after` and are turned round; either way one row
            // more than the page says whether there is more that way.
            let result = try connection.query(
                """
                SELECT \(Self.columns) FROM audit_log
                WHERE ($1::text IS NULL OR action = $1) AND ($2::bigint IS NULL OR id < $2) AND ($3::bigint IS NULL OR id > $3)
                ORDER BY CASE WHEN $3::bigint IS NULL THEN -id ELSE id END LIMIT $4
                """, [action, before.map(String.init), after.map(String.init), String(limit + 1)])
            var entries = try Self.entries(result)
            let more = entries.count > limit
            entries = Array(entries.prefix(limit))
            guard let after else {
                // The newest page has nothing newer; a page further back has at least what led to it.
                let newer = try before.map { try exists(connection, action: action, newerThan: entries.first?.id ?? $0 - 1) } ?? false
                return AuditLogPage(entries: entries, hasOlder: more, hasNewer: newer)
            }
            entries.reverse()
            return AuditLogPage(
                entries: entries, hasOlder: try exists(connection, action: action, olderThan: entries.last?.id ?? after + 1), hasNewer: more)
        }
    }

    private func exists(_ connection: PostgresConnection, action: String?, newerThan id: Int64) throws -> Bool {
        try connection.query(
            "SELECT EXISTS (SELECT 1 FROM audit_log WHERE ($1::text IS NULL OR action = $1) AND id > $2)",
            [action, String(id)]
        ).value(row: 0, column: 0) == "t"
    }

    private func exists(_ connection: PostgresConnection, action: String?, olderThan id: Int64) throws -> Bool {
        try connection.query(
            "SELECT EXISTS (SELECT 1 FROM audit_log WHERE ($1::text IS NULL OR action = $1) AND id < $2)",
            [action, String(id)]
        ).value(row: 0, column: 0) == "t"
    }
}
