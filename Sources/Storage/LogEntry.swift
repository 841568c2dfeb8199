import Accounting

/// One accounting packet for the log: who sent it, when, and its octets as received.
public struct LogEntry: Sendable {
    public var tenantID: Int64
    public var nasID: Int64
    /// Receipt time, microseconds since 1970 UTC.
    public var receivedAt: Int64
    public var statusType: UInt32?
    public var userName: String?
    public var sessionID: String?
    public var packet: [UInt8]

    public init(tenantID: Int64, nasID: Int64, receivedAt: Int64, statusType: UInt32?, userName: String?, sessionID: String?, packet: [UInt8]) {
        self.tenantID = tenantID
        self.nasID = nasID
        self.receivedAt = receivedAt
        self.statusType = statusType
        self.userName = userName
        self.sessionID = sessionID
        self.packet = packet
    }
}
