import Accounting
import Foundation
import Rating

/// A crossing just recorded, for the `quota.crossed` event and the log.
public struct QuotaCrossing: Hashable, Sendable {
    public var id: Int64
    public var userName: String
    public var action: QuotaAction
    public var threshold: String
    public var thresholdBytes: Int64
    public var usedBytes: Int64
    public var periodKey: String
}
