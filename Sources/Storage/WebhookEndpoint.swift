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
