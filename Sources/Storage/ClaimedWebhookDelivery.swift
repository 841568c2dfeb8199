/// A delivery a dispatcher holds the lease of: everything needed to send it once.
public struct ClaimedWebhookDelivery: Sendable, Hashable {
    public var tenantID: Int64
    public var tenantSlug: String
    public var deliveryID: Int64
    public var endpointID: Int64
    public var url: String
    /// The endpoint's signing secret, opened.
    public var secret: [UInt8]
    public var event: String
    public var idempotencyKey: String
    /// The event's `data` object as written when it was enqueued.
    public var data: String
    /// When the event was enqueued, `YYYY-MM-DDTHH:MM:SSZ`.
    public var createdAt: String
    /// Which attempt this is, 1-based.
    public var attempt: Int
    /// Seconds from the event's creation to the claim.
    public var ageSeconds: Double
    /// The lease's token: only its holder can record the attempt.
    public var claim: String

    public init(
        tenantID: Int64, tenantSlug: String, deliveryID: Int64, endpointID: Int64, url: String, secret: [UInt8], event: String,
        idempotencyKey: String, data: String, createdAt: String, attempt: Int, ageSeconds: Double, claim: String
    ) {
        self.tenantID = tenantID
        self.tenantSlug = tenantSlug
        self.deliveryID = deliveryID
        self.endpointID = endpointID
        self.url = url
        self.secret = secret
        self.event = event
        self.idempotencyKey = idempotencyKey
        self.data = data
        self.createdAt = createdAt
        self.attempt = attempt
        self.ageSeconds = ageSeconds
        self.claim = claim
    }
}
