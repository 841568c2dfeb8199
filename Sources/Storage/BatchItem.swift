import Accounting

/// One accounting packet to record: its meaning and, for the audit table, its octets.
public struct BatchItem: Sendable {
    public var record: AccountingRecord
    /// The packet as received; nil when raw packets are not kept.
    public var packet: [UInt8]?

    public init(record: AccountingRecord, packet: [UInt8]?) {
        self.record = record
        self.packet = packet
    }
}
