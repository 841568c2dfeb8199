import Storage

/// The HTTP request of one delivery attempt: the JSON body and the headers.
///
/// The body is the same on every attempt of a delivery:
/// `{"id": idempotency key, "event": name, "tenant": slug, "created_at": enqueue time, "data": {...}}`.
/// Only the signature's timestamp changes between attempts.
public struct WebhookMessage: Sendable {
    public var body: [UInt8]
    /// Header names and values, in sending order.
    public var headers: [(name: String, value: String)]

    public init(delivery: ClaimedWebhookDelivery, timestamp: Int64) {
        // Every member but `data` is a fixed-alphabet token (UUID, event name, slug, UTC time):
        // nothing to escape. `data` is the JSON object stored when the event was enqueued.
        let text =
            "{\"id\":\"\(delivery.idempotencyKey)\",\"event\":\"\(delivery.event)\",\"tenant\":\"\(delivery.tenantSlug)\","
            + "\"created_at\":\"\(delivery.createdAt)\",\"data\":\(delivery.data)}"
        body = Array(text.utf8)
        headers = [
            ("Content-Type", "application/json"),
            ("User-Agent", "Tollgate-Webhooks/1"),
            ("Tollgate-Event", delivery.event),
            ("Tollgate-Idempotency-Key", delivery.idempotencyKey),
            ("Tollgate-Delivery-Attempt", String(delivery.attempt)),
            ("Tollgate-Signature", WebhookSigner.header(secret: delivery.secret, timestamp: timestamp, body: body)),
        ]
    }
}
