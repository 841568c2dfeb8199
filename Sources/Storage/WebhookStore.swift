import COpenSSL

/// A tenant's webhook endpoints and their deliveries.
///
/// Signing secrets are generated here, returned once (at creation and rotation) and kept
/// sealed with the same `SecretCipher` as NAS secrets. Every call runs in a transaction
/// scoped to the tenant, so another tenant's endpoint is simply not found.
public struct WebhookStore {
    let connection: PostgresConnection
    let cipher: SecretCipher
    /// Most endpoints one tenant may have.
    let limit: Int

    /// The default of `limit`.
    public static let defaultLimit = 50
    /// Prefix of every signing secret, so a leaked one is recognisable in logs and scanners.
    public static let secretPrefix = "whsec_"

    public init(connection: PostgresConnection, cipher: SecretCipher, limit: Int = WebhookStore.defaultLimit) {
        self.connection = connection
        self.cipher = cipher
        self.limit = limit
    }

    static let columns = """
        id, url, description, array_to_string(events, ',') AS events, enabled,
        to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
        to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at
        """

    /// Adds an endpoint; the answer carries its new signing secret (shown this once).
    public func create(tenant: Tenant, url: String, events: [String], description: String = "", enabled: Bool = true) throws -> WebhookEndpoint {
        let url = try WebhookURL.validate(url)
        let events = try Self.canonical(events: events)
        try Self.validate(description: description)
        let secret = Self.generateSecret()
        let sealed = try cipher.seal(Array(secret.utf8), tenantID: tenant.id)
        var endpoint = try connection.tenantTransaction(tenant.id) { connection in
            // Serialises creations of one tenant so the limit holds under concurrent requests.
            try connection.query("SELECT pg_advisory_xact_lock(2003789939, $1::integer)", [String(tenant.id % 2_147_483_647)])
            let count =
                Int(
                    try connection.query("SELECT count(*) FROM webhook_endpoints WHERE tenant_id = $1", [String(tenant.id)])
                        .value(row: 0, column: 0) ?? "0") ?? 0
            guard count < limit else {
                throw StoreError(.conflict, "tenant '\(tenant.slug)' already has \(count) webhook endpoints, its limit: remove one first")
            }
            let result = try connection.query(
                """
                INSERT INTO webhook_endpoints (tenant_id, url, description, secret_sealed, events, enabled)
                VALUES ($1, $2, $3, decode($4, 'hex'), string_to_array($5, ','), $6)
                RETURNING \(Self.columns)
                """, [String(tenant.id), url, description, hex(sealed), events.joined(separator: ","), enabled ? "true" : "false"])
            return try Self.endpoint(result)
        }
        endpoint.secret = secret
        return endpoint
    }

    /// The tenant's endpoints by id, `limit` after id `after[0]`.
    public func page(tenant: Tenant, after: [String]?, limit: Int) throws -> KeysetPage<WebhookEndpoint> {
        try PageLimit.check(limit)
        let key = try keyParts(after, 1)
        if let id = key[0], Int64(id) == nil { throw StoreError(.invalid, "cursor does not belong to this listing") }
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT \(Self.columns) FROM webhook_endpoints WHERE ($1::bigint IS NULL OR id > $1) ORDER BY id LIMIT $2
                """, key + [String(limit + 1)])
        }
        return KeysetPage(fetched: try Self.endpoints(result), limit: limit) { [String($0.id)] }
    }

    /// One endpoint of the tenant.
    public func find(tenant: Tenant, id: Int64) throws -> WebhookEndpoint {
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query("SELECT \(Self.columns) FROM webhook_endpoints WHERE id = $1", [String(id)])
        }
        guard result.rowCount == 1 else { throw StoreError(.notFound, "no webhook endpoint \(id)") }
        return try Self.endpoint(result)
    }

    /// Changes an endpoint's URL, events, description or whether it is enabled; nil keeps one.
    public func update(
        tenant: Tenant, id: Int64, url: String? = nil, events: [String]? = nil, description: String? = nil,
        enabled: Bool? = nil
    ) throws -> WebhookEndpoint {
        let url = try url.map(WebhookURL.validate)
        let events = try events.map(Self.canonical(events:))
        if let description { try Self.validate(description: description) }
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                UPDATE webhook_endpoints SET url = coalesce($2, url), events = coalesce(string_to_array($3, ','), events),
                       description = coalesce($4, description), enabled = coalesce($5::boolean, enabled), updated_at = now()
                WHERE id = $1
                RETURNING \(Self.columns)
                """, [String(id), url, events?.joined(separator: ","), description, enabled.map { $0 ? "true" : "false" }])
        }
        guard result.rowCount == 1 else { throw StoreError(.notFound, "no webhook endpoint \(id)") }
        return try Self.endpoint(result)
    }

    /// Removes an endpoint with its deliveries (pending ones are not sent).
    public func remove(tenant: Tenant, id: Int64) throws {
        let removed = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query("DELETE FROM webhook_endpoints WHERE id = $1", [String(id)]).affectedRows
        }
        guard removed == 1 else { throw StoreError(.notFound, "no webhook endpoint \(id)") }
    }

    /// Replaces an endpoint's signing secret; the answer carries the new one (shown this once).
    /// Deliveries from now on, retries included, are signed with it.
    public func rotateSecret(tenant: Tenant, id: Int64) throws -> WebhookEndpoint {
        let secret = Self.generateSecret()
        let sealed = try cipher.seal(Array(secret.utf8), tenantID: tenant.id)
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                UPDATE webhook_endpoints SET secret_sealed = decode($2, 'hex'), updated_at = now() WHERE id = $1
                RETURNING \(Self.columns)
                """, [String(id), hex(sealed)])
        }
        guard result.rowCount == 1 else { throw StoreError(.notFound, "no webhook endpoint \(id)") }
        var endpoint = try Self.endpoint(result)
        endpoint.secret = secret
        return endpoint
    }

    /// An endpoint's deliveries, newest first, optionally of one status: `limit` after the
    /// id `after[0]` of the previous page's last delivery.
    public func deliveries(tenant: Tenant, endpointID: Int64, status: String? = nil, after: [String]?, limit: Int) throws -> KeysetPage<
        WebhookDelivery
    > {
        try PageLimit.check(limit)
        let key = try keyParts(after, 1)
        if let id = key[0], Int64(id) == nil { throw StoreError(.invalid, "cursor does not belong to this listing") }
        if let status, !Self.statuses.contains(status) {
            throw StoreError(.invalid, "status must be one of \(Self.statuses.joined(separator: ", "))")
        }
        let result = try connection.tenantTransaction(tenant.id) { connection in
            guard try connection.query("SELECT 1 FROM webhook_endpoints WHERE id = $1", [String(endpointID)]).rowCount == 1 else {
                throw StoreError(.notFound, "no webhook endpoint \(endpointID)")
            }
            return try connection.query(
                """
                SELECT \(Self.deliveryColumns) FROM webhook_deliveries
                WHERE endpoint_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR id < $3)
                ORDER BY id DESC LIMIT $4
                """, [String(endpointID), status] + key + [String(limit + 1)])
        }
        return KeysetPage(fetched: try Self.deliveries(result), limit: limit) { [String($0.id)] }
    }

    /// The attempts of one delivery, in order.
    public func attempts(tenant: Tenant, deliveryID: Int64) throws -> [WebhookAttempt] {
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT attempt, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at, status_code, error,
                       duration_ms
                FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt
                """, [String(deliveryID)])
        }
        let attempt = try result.column("attempt")
        let startedAt = try result.column("started_at")
        let statusCode = try result.column("status_code")
        let error = try result.column("error")
        let duration = try result.column("duration_ms")
        return (0..<result.rowCount).map { row in
            WebhookAttempt(
                attempt: Int(result.int64(row: row, column: attempt)), startedAt: result.value(row: row, column: startedAt) ?? "",
                statusCode: result.value(row: row, column: statusCode).flatMap { Int($0) }, error: result.value(row: row, column: error),
                durationMilliseconds: Int(result.int64(row: row, column: duration)))
        }
    }

    public static let statuses = ["pending", "delivered", "failed"]

    static let deliveryColumns = """
        id, endpoint_id, event, idempotency_key::text AS idempotency_key, status, attempts,
        to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
        CASE WHEN status = 'pending' THEN to_char(next_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END AS next_attempt_at,
        to_char(delivered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS delivered_at, last_status_code, last_error
        """

    /// Rows of `deliveryColumns`.
    static func deliveries(_ result: PostgresResult) throws -> [WebhookDelivery] {
        let id = try result.column("id")
        let endpointID = try result.column("endpoint_id")
        let event = try result.column("event")
        let idempotencyKey = try result.column("idempotency_key")
        let status = try result.column("status")
        let attempts = try result.column("attempts")
        let createdAt = try result.column("created_at")
        let nextAttemptAt = try result.column("next_attempt_at")
        let deliveredAt = try result.column("delivered_at")
        let lastStatusCode = try result.column("last_status_code")
        let lastError = try result.column("last_error")
        return (0..<result.rowCount).map { row in
            func text(_ c: Int) -> String? { result.value(row: row, column: c) }
            return WebhookDelivery(
                id: result.int64(row: row, column: id), endpointID: result.int64(row: row, column: endpointID),
                event: text(event) ?? "", idempotencyKey: text(idempotencyKey) ?? "", status: text(status) ?? "",
                attempts: Int(result.int64(row: row, column: attempts)), createdAt: text(createdAt) ?? "",
                nextAttemptAt: text(nextAttemptAt), deliveredAt: text(deliveredAt),
                lastStatusCode: text(lastStatusCode).flatMap { Int($0) }, lastError: text(lastError))
        }
    }

    /// The endpoint of a statement that returns exactly one row of `columns`.
    static func endpoint(_ result: PostgresResult) throws -> WebhookEndpoint {
        guard let endpoint = try endpoints(result).first else { throw PostgresError(.result, message: "webhook endpoint row without id") }
        return endpoint
    }

    /// Rows of `columns`.
    static func endpoints(_ result: PostgresResult) throws -> [WebhookEndpoint] {
        let id = try result.column("id")
        let url = try result.column("url")
        let description = try result.column("description")
        let events = try result.column("events")
        let enabled = try result.column("enabled")
        let createdAt = try result.column("created_at")
        let updatedAt = try result.column("updated_at")
        return try (0..<result.rowCount).map { row in
            guard let endpointID = result.value(row: row, column: id).flatMap({ Int64($0) }) else {
                throw PostgresError(.result, message: "webhook endpoint row without id")
            }
            func text(_ c: Int) -> String { result.value(row: row, column: c) ?? "" }
            return WebhookEndpoint(
                id: endpointID, url: text(url), description: text(description),
                events: text(events).split(separator: ",").map(String.init), enabled: text(enabled) == "t",
                createdAt: text(createdAt), updatedAt: text(updatedAt), secret: nil)
        }
    }

    /// Known event names, without repeats, in `WebhookEvent.allCases` order.
    static func canonical(events: [String]) throws -> [String] {
        guard !events.isEmpty else {
            throw StoreError(.invalid, "events must name at least one of \(WebhookEvent.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for event in events where WebhookEvent(rawValue: event) == nil {
            let shown = String(event.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.prefix(40))
            throw StoreError(.invalid, "unknown event '\(shown)': use \(WebhookEvent.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return WebhookEvent.allCases.map(\.rawValue).filter(events.contains)
    }

    static func validate(description: String) throws {
        guard description.count <= 200, !description.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw StoreError(.invalid, "description must be at most 200 characters without control characters")
        }
    }

    /// `whsec_` and 64 hex digits (32 random octets).
    static func generateSecret() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        precondition(RAND_bytes(&bytes, 32) == 1, "OpenSSL's random generator failed")
        return secretPrefix + hex(bytes)
    }
}
