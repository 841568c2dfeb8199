import Accounting
import Rating

/// A subscriber of the console's listing: its plan today and the cycle's figures.
public struct SubscriberListRow: Hashable, Sendable {
    public var userName: String
    public var plan: String?
    public var usage: ByteTotals
    public var quota: QuotaSummary?
}
