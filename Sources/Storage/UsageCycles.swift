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
        wholeCycles = UsageCycles.isCycleStart(days.lowerBound, billingDay: billingDay)
            && UsageCycles.isCycleStart(days.upperBound, billingDay: billingDay)
        oneCycle = wholeCycles && UsageCycles.end(ofCycleStartingOn: days.lowerBound) == days.upperBound
        (table, column) = wholeCycles ? ("usage_cycles", "cycle_start") : ("usage_daily", "day")
    }
}

enum UsageCycles {
    /// Whether a billing cycle of a tenant with billing day `billingDay` starts on `date`.
    static func isCycleStart(_ date: CivilDate, billingDay: Int) -> Bool {
        date.day == billingDay
    }

    /// The same for a `YYYY-MM-DD` text; false for anything that is not a date.
    static func isCycleStart(_ text: String, billingDay: Int) -> Bool {
        CivilDate(text).map { isCycleStart($0, billingDay: billingDay) } ?? false
    }

    /// The first day of the next cycle after the one starting on `start` (the same day of the
    /// next month: billing days are 1-28). Any year, where `BillingPeriod` stops at 9000.
    static func end(ofCycleStartingOn start: CivilDate) -> CivilDate? {
        start.month == 12 ? CivilDate(year: start.year + 1, month: 1, day: start.day)
            : CivilDate(year: start.year, month: start.month + 1, day: start.day)
    }

    /// Whether `from` and `to` (`YYYY-MM-DD`) bound exactly one cycle of the tenant.
    static func isOneCycle(from: String?, to: String?, billingDay: Int) -> Bool {
        guard let first = from.flatMap({ CivilDate($0) }), isCycleStart(first, billingDay: billingDay),
              let end = end(ofCycleStartingOn: first) else { return false }
        return to == end.description
    }
}
