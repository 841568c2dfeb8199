import Accounting

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
        start.month == 12
            ? CivilDate(year: start.year + 1, month: 1, day: start.day)
            : CivilDate(year: start.year, month: start.month + 1, day: start.day)
    }

    /// Whether `from` and `to` (`YYYY-MM-DD`) bound exactly one cycle of the tenant.
    static func isOneCycle(from: String?, to: String?, billingDay: Int) -> Bool {
        guard let first = from.flatMap({ CivilDate($0) }), isCycleStart(first, billingDay: billingDay),
            let end = end(ofCycleStartingOn: first)
        else { return false }
        return to == end.description
    }
}
