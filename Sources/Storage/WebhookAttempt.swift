/// One try of a delivery.
public struct WebhookAttempt: Hashable, Sendable, Codable {
    public var attempt: Int
    public var startedAt: String
    public var statusCode: Int?
    public var error: String?
    public var durationMilliseconds: Int
}
