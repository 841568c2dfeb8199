import Rating

/// A session as the usage trail shows it: enough to find its packets in the log.
public struct TrailSession: Hashable, Sendable {
    public var id: Int64
    public var nasID: Int64
    public var nas: String
    public var sessionID: String
    public var user: String
    public var nasPort: String
    public var generation: Int
    /// UTC `YYYY-MM-DDTHH:MM:SSZ` (event times), nil when unknown.
    public var startedAt: String?
    public var lastEventAt: String?
    public var stoppedAt: String?
    public var closeReason: String?
    public var terminateCause: Int64?
    public var uploadBytes: Int64
    public var downloadBytes: Int64
    public var sessionSeconds: Int64
    /// Receipt times of the session's first and last packet, microseconds since 1970 UTC:
    /// the session's packets in the log were received between them.
    public var firstReceivedAt: Int64
    public var lastReceivedAt: Int64
}
