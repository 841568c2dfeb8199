/// The health of a tenant's NAS devices, read under the tenant's row-level security. Every
/// figure comes from an indexed lookup per NAS, so a page of them stays cheap on a large log.
public struct NASHealthStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The health of the tenant's NAS among `nasIDs`, by NAS id (every id has an entry).
    public func health(tenant: Tenant, nasIDs: [Int64]) throws -> [Int64: NASDeviceHealth] {
        guard !nasIDs.isEmpty else { return [:] }
        var ids = ArrayParameter()
        for id in Set(nasIDs).sorted() { ids.append(id) }
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT n.id,
                       to_char(a.last_heard_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_heard_at,
                       to_char(a.silent_reported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS silent_since,
                       (SELECT count(*) FROM sessions s WHERE s.tenant_id = t.tenant_id AND s.nas_id = n.id AND s.stopped_at IS NULL AND s.has_events)
                           AS open_sessions,
                       to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_reboot_at
                FROM unnest($1::bigint[]) AS n (id)
                CROSS JOIN (SELECT current_setting('tollgate.tenant_id')::bigint AS tenant_id) t
                LEFT JOIN nas_activity a ON a.tenant_id = t.tenant_id AND a.nas_id = n.id
                LEFT JOIN nas_reboots r ON r.tenant_id = t.tenant_id AND r.nas_id = n.id
                """, [ids.literal])
        }
        let idColumn = try result.column("id")
        let lastHeardAt = try result.column("last_heard_at")
        let silentSince = try result.column("silent_since")
        let openSessions = try result.column("open_sessions")
        let lastRebootAt = try result.column("last_reboot_at")
        var health: [Int64: NASDeviceHealth] = [:]
        for row in 0..<result.rowCount {
            let id = result.int64(row: row, column: idColumn)
            health[id] = NASDeviceHealth(
                nasID: id, lastHeardAt: result.value(row: row, column: lastHeardAt),
                silentSince: result.value(row: row, column: silentSince),
                openSessions: Int(result.int64(row: row, column: openSessions)),
                lastRebootAt: result.value(row: row, column: lastRebootAt))
        }
        return health
    }

    /// The newest `limit` CoA and Disconnect requests to one NAS of the tenant, newest first.
    public func enforcementRequests(tenant: Tenant, nasID: Int64, limit: Int = 20) throws -> [NASEnforcementRequest] {
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT id, user_name, action, reason, status, attempts, detail,
                       to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS decided_at,
                       to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS completed_at
                FROM enforcement_requests WHERE tenant_id = current_setting('tollgate.tenant_id')::bigint AND nas_id = $1
                ORDER BY id DESC LIMIT $2
                """, [String(nasID), String(max(1, min(limit, 500)))])
        }
        let id = try result.column("id")
        let user = try result.column("user_name")
        let action = try result.column("action")
        let reason = try result.column("reason")
        let status = try result.column("status")
        let attempts = try result.column("attempts")
        let detail = try result.column("detail")
        let decidedAt = try result.column("decided_at")
        let completedAt = try result.column("completed_at")
        return (0..<result.rowCount).map { row in
            NASEnforcementRequest(
                id: result.int64(row: row, column: id), user: result.value(row: row, column: user) ?? "",
                action: result.value(row: row, column: action) ?? "", reason: result.value(row: row, column: reason) ?? "",
                status: result.value(row: row, column: status) ?? "", attempts: Int(result.int64(row: row, column: attempts)),
                detail: result.value(row: row, column: detail), decidedAt: result.value(row: row, column: decidedAt) ?? "",
                completedAt: result.value(row: row, column: completedAt))
        }
    }
}
