import Rating

/// One packet of the log, as received.
public struct TrailPacket: Hashable, Sendable {
    /// Microseconds since 1970 UTC.
    public var receivedAt: Int64
    public var nasID: Int64
    public var statusType: Int64?
    public var packet: [UInt8]
}
