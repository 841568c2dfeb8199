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
        try connection.query("""
            INSERT INTO audit_log (tenant_id, actor, action, object, detail) VALUES ($1, $2, $3, $4, $5)
            """, [String(tenant.id), String(record.actor.prefix(300)), record.action, String(record.object.prefix(300)),
                  String(record.detail.prefix(2000))])
    }

    /// A tenant's entries, newest first, `limit` after the entry id `before` (paging back).
    public func page(tenant: Tenant, before: Int64? = nil, limit: Int = 100) throws -> [AuditEntry] {
        try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query("""
                SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), actor, action, object, detail FROM audit_log
                WHERE $1::bigint IS NULL OR id < $1 ORDER BY id DESC LIMIT $2
                """, [before.map(String.init), String(max(1, min(limit, 1000)))])
            return (0..<result.rowCount).map { row in
                AuditEntry(id: Int64(result.value(row: row, column: 0) ?? "0") ?? 0, at: result.value(row: row, column: 1) ?? "",
                           actor: result.value(row: row, column: 2) ?? "", action: result.value(row: row, column: 3) ?? "",
                           object: result.value(row: row, column: 4) ?? "", detail: result.value(row: row, column: 5) ?? "")
            }
        }
    }
}
