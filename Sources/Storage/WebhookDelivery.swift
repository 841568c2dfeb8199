/// One event sent (or to be sent) to one endpoint.
public struct WebhookDelivery: Hashable, Sendable, Codable {
    public var id: Int64
    public var endpointID: Int64
    public var event: String
    /// Sent as `Tollgate-Idempotency-Key` and the body's `id`: the same on every retry.
    public var idempotencyKey: String
    /// pending, delivered or failed (given up).
    public var status: String
    public var attempts: Int
    public var createdAt: String
    /// When the next attempt is due, for a pending delivery.
    public var nextAttemptAt: String?
    public var deliveredAt: String?
    /// The HTTP status of the last attempt, when the receiver answered.
    public var lastStatusCode: Int?
    public var lastError: String?
}
