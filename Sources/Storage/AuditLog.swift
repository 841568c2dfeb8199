/// The audit log of staff actions (who changed a plan, finalized a run, added a top-up),
/// per tenant under row-level security. Entries are added in the transaction of the action
/// they record, so an action that rolls back leaves no entry, and are never changed.
public struct AuditLog {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Records an action; call it inside the action's own tenant transaction (nil: nothing).
    public func record(_ record: AuditRecord?, tenant: Tenant) throws {
        guard let record else { return }
        try connection.query(
            """
            INSERT INTO audit_log (tenant_id, actor, action, object, detail) VALUES ($1, $2, $3, $4, $5)
            """,
            [
                String(tenant.id), String(record.actor.prefix(300)), record.action, String(record.object.prefix(300)),
                String(record.detail.prefix(2000)),
            ])
    }

    /// A tenant's entries, newest first, `limit` after the entry id `before` (paging back).
    public func page(tenant: Tenant, before: Int64? = nil, limit: Int = 100) throws -> [AuditEntry] {
        try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query(
                """
                SELECT \(Self.columns) FROM audit_log
                WHERE $1::bigint IS NULL OR id < $1 ORDER BY id DESC LIMIT $2
                """, [before.map(String.init), String(max(1, min(limit, 1000)))])
            return try Self.entries(result)
        }
    }

    /// The columns `entries` reads.
    static let columns = """
        id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at, actor, action, object, detail
        """

    /// Rows of `columns`.
    static func entries(_ result: PostgresResult) throws -> [AuditEntry] {
        let id = try result.column("id")
        let at = try result.column("at")
        let actor = try result.column("actor")
        let action = try result.column("action")
        let object = try result.column("object")
        let detail = try result.column("detail")
        return (0..<result.rowCount).map { row in
            AuditEntry(
                id: result.int64(row: row, column: id), at: result.value(row: row, column: at) ?? "",
                actor: result.value(row: row, column: actor) ?? "", action: result.value(row: row, column: action) ?? "",
                object: result.value(row: row, column: object) ?? "", detail: result.value(row: row, column: detail) ?? "")
        }
    }
}
