import Accounting

/// Which usage table answers a range of whole local days: `usage_cycles` (one row per
/// subscriber and billing cycle) when the range starts and ends on cycle boundaries of the
/// tenant, `usage_daily` otherwise. Both compare local dates, in the column `column`.
struct DailyUsageSource {
    var table: String
    var column: String
    /// Whole cycles: the tenant's totals are one row per cycle in `usage_cycle_totals`.
    var wholeCycles: Bool
    /// Exactly one cycle: one row per subscriber, so nothing needs grouping.
    var oneCycle: Bool

    init(_ days: Range<CivilDate>, billingDay: Int) {
        wholeCycles =
            UsageCycles.isCycleStart(days.lowerBound, billingDay: billingDay)
            && UsageCycles.isCycleStart(days.upperBound, billingDay: billingDay)
        oneCycle = wholeCycles && UsageCycles.end(ofCycleStartingOn: days.lowerBound) == days.upperBound
        (table, column) = wholeCycles ? ("usage_cycles", "cycle_start") : ("usage_daily", "day")
    }
}
