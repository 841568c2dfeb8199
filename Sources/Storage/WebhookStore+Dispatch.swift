extension WebhookStore {
    /// Claims up to `limit` due deliveries of every tenant (oldest due first) for `leaseSeconds`:
    /// rows locked by another claimer are skipped, and a claimed row is not due again until its
    /// lease ends, so two dispatchers never send the same delivery at once; one that dies
    /// holding a lease leaves the delivery to be claimed again when it ends (at-least-once).
    /// Deliveries of disabled endpoints wait. Runs on a connection that is not tenant-scoped.
    public func claimDue(limit: Int, leaseSeconds: Int) throws -> [ClaimedWebhookDelivery] {
        let result = try connection.query(
            """
            WITH due AS (
                SELECT d.tenant_id, d.id FROM webhook_deliveries d
                JOIN webhook_endpoints e ON e.tenant_id = d.tenant_id AND e.id = d.endpoint_id
                WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND e.enabled
                ORDER BY d.next_attempt_at
                LIMIT $1
                FOR UPDATE OF d SKIP LOCKED
            )
            UPDATE webhook_deliveries d SET claim = gen_random_uuid(), next_attempt_at = now() + make_interval(secs => $2)
            FROM due, webhook_endpoints e, tenants t
            WHERE d.tenant_id = due.tenant_id AND d.id = due.id AND e.tenant_id = d.tenant_id AND e.id = d.endpoint_id AND t.id = d.tenant_id
            RETURNING d.tenant_id, t.slug, d.id, d.endpoint_id, e.url, encode(e.secret_sealed, 'hex') AS secret_sealed, d.event,
                      d.idempotency_key::text AS idempotency_key, d.payload::text AS payload,
                      to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at, d.attempts,
                      extract(epoch FROM now() - d.created_at)::double precision AS age_seconds, d.claim::text AS claim
            """, [String(limit), String(leaseSeconds)])
        let tenantIDColumn = try result.column("tenant_id")
        let slug = try result.column("slug")
        let id = try result.column("id")
        let endpointID = try result.column("endpoint_id")
        let url = try result.column("url")
        let sealed = try result.column("secret_sealed")
        let event = try result.column("event")
        let idempotencyKey = try result.column("idempotency_key")
        let payload = try result.column("payload")
        let createdAt = try result.column("created_at")
        let attempts = try result.column("attempts")
        let ageSeconds = try result.column("age_seconds")
        let claim = try result.column("claim")
        var claimed: [ClaimedWebhookDelivery] = []
        for row in 0..<result.rowCount {
            func text(_ c: Int) -> String { result.value(row: row, column: c) ?? "" }
            let tenantID = result.int64(row: row, column: tenantIDColumn)
            let secret = try cipher.open(SecretCipher.hexBytes(text(sealed)) ?? [], tenantID: tenantID)
            claimed.append(
                ClaimedWebhookDelivery(
                    tenantID: tenantID, tenantSlug: text(slug), deliveryID: result.int64(row: row, column: id),
                    endpointID: result.int64(row: row, column: endpointID), url: text(url), secret: secret, event: text(event),
                    idempotencyKey: text(idempotencyKey), data: text(payload), createdAt: text(createdAt),
                    attempt: Int(result.int64(row: row, column: attempts)) + 1, ageSeconds: Double(text(ageSeconds)) ?? 0, claim: text(claim)))
        }
        return claimed.sorted { ($0.tenantID, $0.deliveryID) < ($1.tenantID, $1.deliveryID) }
    }

    /// Records one attempt of a claimed delivery and what follows from it, in one statement:
    /// the attempt log row and the delivery's new state. Nothing is recorded when the lease
    /// was lost meanwhile (another dispatcher holds the delivery now); returns whether it was.
    @discardableResult
    public func record(
        _ delivery: ClaimedWebhookDelivery, startedAt: Double, statusCode: Int?, error: String?,
        durationMilliseconds: Int, result: WebhookAttemptResult
    ) throws -> Bool {
        let status: String
        let retryAfter: Double?
        switch result {
        case .delivered: (status, retryAfter) = ("delivered", nil)
        case .retry(let seconds): (status, retryAfter) = ("pending", seconds)
        case .failed: (status, retryAfter) = ("failed", nil)
        }
        let error = error.map { String($0.unicodeScalars.filter { $0.value != 0 }.prefix(500).map(Character.init)) }
        let recorded = try connection.query(
            """
            WITH d AS (
                UPDATE webhook_deliveries SET attempts = attempts + 1, status = $4, claim = NULL,
                       delivered_at = CASE WHEN $4 = 'delivered' THEN now() END,
                       next_attempt_at = CASE WHEN $5::double precision IS NULL THEN next_attempt_at
                                              ELSE now() + make_interval(secs => $5::double precision) END,
                       last_status_code = $6, last_error = $7
                WHERE tenant_id = $1 AND id = $2 AND claim = $3::uuid
                RETURNING tenant_id, id, attempts
            )
            INSERT INTO webhook_attempts (tenant_id, delivery_id, attempt, started_at, status_code, error, duration_ms)
            SELECT tenant_id, id, attempts, to_timestamp($8::double precision), $6, $7, $9 FROM d
            """,
            [
                String(delivery.tenantID), String(delivery.deliveryID), delivery.claim, status, retryAfter.map { String($0) },
                statusCode.map(String.init), error, String(startedAt), String(max(0, durationMilliseconds)),
            ]
        ).affectedRows
        return recorded == 1
    }

    /// Pending deliveries per event, for the metrics.
    public func pendingCounts() throws -> [String: Int] {
        let result = try connection.query("SELECT event, count(*) AS pending FROM webhook_deliveries WHERE status = 'pending' GROUP BY event")
        let c = try result.columns("event", "pending")
        var counts: [String: Int] = [:]
        for row in 0..<result.rowCount { counts[result.value(row: row, column: c[0]) ?? ""] = Int(result.int64(row: row, column: c[1])) }
        return counts
    }
}
