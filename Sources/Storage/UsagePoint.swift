import Accounting
import Rating

/// One local day (or hour of a day) of a subscriber's usage.
public struct UsagePoint: Hashable, Sendable {
    /// `YYYY-MM-DD`, or the local hour 0-23 as `HH` for hourly points.
    public var key: String
    public var upload: Int64
    public var download: Int64
}
