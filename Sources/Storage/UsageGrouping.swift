import Accounting
import Rating

/// How usage is grouped in time.
public enum UsageGrouping: String, Sendable, CaseIterable {
    case hour, day, month
}
