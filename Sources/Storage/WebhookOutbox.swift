/// The durable outbox webhooks leave through: an event becomes one delivery row per
/// subscribed endpoint, written in the transaction of whatever caused the event, so an
/// event is delivered if and only if its cause committed. `WebhookStore.claimDue` hands the
/// rows to a dispatcher.
public enum WebhookOutbox {
    /// Adds one delivery per enabled endpoint of the tenant subscribed to `event`, in the caller's transaction
    /// (the connection is inside `tenantTransaction(tenantID)`); returns how many.
    ///
    /// `data` becomes the body's `data` member as written; it must be a JSON object. The
    /// statement names the tenant itself, so it also works on a connection that is not
    /// tenant-scoped (the silence watcher's).
    @discardableResult
    public static func enqueue(_ connection: PostgresConnection, tenantID: Int64, event: WebhookEvent, data: String) throws -> Int {
        guard data.utf8.count <= maxDataOctets else {
            throw StoreError(.invalid, "webhook data must be at most \(maxDataOctets) octets, not \(data.utf8.count)")
        }
        guard data.drop(while: { $0.isWhitespace }).first == "{" else {
            throw StoreError(.invalid, "webhook data must be a JSON object")
        }
        do {
            return try connection.query(
                """
                INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event, payload)
                SELECT tenant_id, id, $2, $3::json FROM webhook_endpoints
                WHERE tenant_id = $1 AND enabled AND $2 = ANY (events)
                ORDER BY id
                """, [String(tenantID), event.rawValue, data]
            ).affectedRows
        } catch let error as PostgresError where error.sqlState?.hasPrefix(SQLState.dataExceptionClass) == true {
            throw StoreError(.invalid, "webhook data is not valid JSON: \(error.message)")
        }
    }

    /// Largest `data` accepted, octets: a webhook says what happened, it is not an export.
    public static let maxDataOctets = 64 * 1024
}
