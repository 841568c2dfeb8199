import Accounting
import Rating

/// A subscriber's cycle in one line: what a listing of many subscribers shows of `QuotaView`.
public struct QuotaSummary: Hashable, Sendable {
    public var userName: String
    /// The plan in force on the cycle's reference day (today, or a past cycle's last day).
    public var plan: String?
    public var planVersionID: Int64?
    public var allowanceBytes: Int64
    /// Usage counted against the allowance (directions and time-of-day factors of the plan).
    public var usedBytes: Int64
    /// `throttled` or `blocked` while a restriction lasts; nil otherwise.
    public var state: String?
    /// The plan's time-of-day windows (usage in them may count with another factor).
    public var windows: [TimeWindow] = []

    /// Used as a share of the allowance, nil without one.
    public var share: Double? { allowanceBytes > 0 ? Double(usedBytes) / Double(allowanceBytes) : nil }
}
