/// A URL a tenant receives webhooks at, and the events it is subscribed to.
public struct WebhookEndpoint: Hashable, Sendable, Codable {
    public var id: Int64
    public var url: String
    public var description: String
    /// Event names (`WebhookEvent` raw values) in their canonical order.
    public var events: [String]
    /// A disabled endpoint gets no new deliveries; its pending ones wait until it is enabled.
    public var enabled: Bool
    public var createdAt: String
    public var updatedAt: String
    /// The signing secret: present only in the answer that created or rotated it, never stored
    /// in the clear and never shown again.
    public var secret: String?
}

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

/// One try of a delivery.
public struct WebhookAttempt: Hashable, Sendable, Codable {
    public var attempt: Int
    public var startedAt: String
    public var statusCode: Int?
    public var error: String?
    public var durationMilliseconds: Int
}
