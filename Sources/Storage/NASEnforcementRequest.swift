/// A CoA or Disconnect request sent to a NAS, and how it ended.
public struct NASEnforcementRequest: Hashable, Sendable {
    public var id: Int64
    public var user: String
    /// throttle, block, restore or disconnect.
    public var action: String
    public var reason: String
    /// pending, acked, naked, timeout or failed.
    public var status: String
    public var attempts: Int
    public var detail: String?
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    public var decidedAt: String
    public var completedAt: String?
}
