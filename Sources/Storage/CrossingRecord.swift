import Accounting
import Rating

/// A quota crossing of a subscriber, for the enforcement timeline.
public struct CrossingRecord: Hashable, Sendable {
    public var id: Int64
    public var action: String
    public var threshold: String
    public var thresholdBytes: Int64
    public var usedBytes: Int64
    public var periodKey: String
    public var crossedAt: String
}
