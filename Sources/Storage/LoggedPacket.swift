import Accounting

/// A packet read back from the log by the merger.
public struct LoggedPacket: Sendable {
    public var stream: Int64
    public var seq: Int64
    public var tenantID: Int64
    public var nasID: Int64
    public var receivedAt: Int64
    public var packet: [UInt8]

    public init(stream: Int64, seq: Int64, tenantID: Int64, nasID: Int64, receivedAt: Int64, packet: [UInt8]) {
        self.stream = stream
        self.seq = seq
        self.tenantID = tenantID
        self.nasID = nasID
        self.receivedAt = receivedAt
        self.packet = packet
    }
}
