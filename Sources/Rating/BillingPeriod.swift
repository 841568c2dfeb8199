import Accounting
import Foundation

/// One monthly billing cycle of a tenant: from its billing day in one month to the billing
/// day of the next, in the tenant's time zone. Named by the month it starts in (`2026-09`).
public struct BillingPeriod: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    /// The tenant's billing day (1-28), so every month has it.
    public var billingDay: Int

    public init?(year: Int, month: Int, billingDay: Int) {
        guard (1...12).contains(month), (1...28).contains(billingDay), (1000...9000).contains(year) else { return nil }
        self.year = year
        self.month = month
        self.billingDay = billingDay
    }

    /// Parses `YYYY-MM`.
    public init?(_ label: String, billingDay: Int) {
        let parts = label.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        self.init(year: y, month: m, billingDay: billingDay)
    }

    /// The period a local date falls in.
    public static func containing(_ date: CivilDate, billingDay: Int) -> BillingPeriod {
        var (y, m) = (date.year, date.month)
        if date.day < billingDay {
            m -= 1
            if m == 0 {
                m = 12
                y -= 1
            }
        }
        return BillingPeriod(year: y, month: m, billingDay: billingDay)!
    }

    /// First local day of the period.
    public var first: CivilDate { CivilDate(year: year, month: month, day: billingDay)! }
    /// First local day of the next period.
    public var end: CivilDate { next.first }
    public var dayCount: Int { first.days(to: end) }

    public var next: BillingPeriod {
        month == 12
            ? BillingPeriod(year: year + 1, month: 1, billingDay: billingDay)! : BillingPeriod(year: year, month: month + 1, billingDay: billingDay)!
    }

    public var previous: BillingPeriod {
        month == 1
            ? BillingPeriod(year: year - 1, month: 12, billingDay: billingDay)! : BillingPeriod(year: year, month: month - 1, billingDay: billingDay)!
    }

    /// The period `months` later (earlier when negative).
    public func adding(months: Int) -> BillingPeriod {
        var period = self
        if months >= 0 { for _ in 0..<months { period = period.next } } else { for _ in 0..<(-months) { period = period.previous } }
        return period
    }

    /// `YYYY-MM`
    public var description: String {
        (year < 1000 ? String(repeating: "0", count: 4 - String(year).count) : "") + "\(year)-" + (month < 10 ? "0\(month)" : "\(month)")
    }

    public static func < (a: BillingPeriod, b: BillingPeriod) -> Bool { (a.year, a.month) < (b.year, b.month) }
}

/// A billing period laid onto UTC: where each local day starts, and the local day, hour and
/// weekday of every hourly bucket. Built once per period and time zone, shared by every
/// subscriber rated for it.
///
/// A bucket belongs to the local day and hour its start falls in. With whole-hour offsets
/// (nearly every zone) that is exact; in zones such as Asia/Kolkata the half hour a bucket
/// straddles goes with its start.
public struct PeriodCalendar: Sendable {
    public let period: BillingPeriod
    public let timeZoneIdentifier: String
    /// UTC seconds at which each local day of the period starts; `dayCount + 1` entries, the
    /// last being the start of the next period.
    public let dayStarts: [Int64]
    /// UTC second of the first bucket that can belong to the period.
    let firstHour: Int64
    /// Per bucket from `firstHour`: local day index in the period (-1 outside).
    let hourDay: [Int16]
    let hourOfDay: [UInt8]
    let hourWeekday: [UInt8]

    public init?(period: BillingPeriod, timeZone identifier: String) {
        guard let tables = Self.tables(period: period, timeZone: identifier) else { return nil }
        self.period = period
        timeZoneIdentifier = identifier
        (dayStarts, firstHour, hourDay, hourOfDay, hourWeekday) = tables
    }

    private static func tables(period: BillingPeriod, timeZone identifier: String)
        -> (dayStarts: [Int64], firstHour: Int64, days: [Int16], hourOfDay: [UInt8], weekdays: [UInt8])?
    {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        func offset(_ utc: Int64) -> Int64 { Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc)))) }
        var starts: [Int64] = []
        for index in 0...period.dayCount {
            // Local midnight: two passes settle the offset. Where midnight does not exist (a
            // zone that springs forward at 00:00) the day starts at the first instant after the gap.
            let midnight = period.first.adding(days: index).dayNumber * 86400
            var utc = midnight - offset(midnight)
            utc = midnight - offset(utc)
            // Inside a gap, the offset from before the change puts the start just after the gap.
            if utc + offset(utc) != midnight { utc = midnight - offset(utc - 86400) }
            starts.append(utc)
        }
        let firstHour = Self.floorHour(starts[0])
        let hours = Int((starts[starts.count - 1] - firstHour + 3599) / 3600)
        var days = [Int16](repeating: -1, count: hours)
        var hourOfDay = [UInt8](repeating: 0, count: hours)
        var weekdays = [UInt8](repeating: 0, count: hours)
        var dayIndex = 0
        for h in 0..<hours {
            let instant = firstHour + Int64(h) * 3600
            while dayIndex + 1 < starts.count, starts[dayIndex + 1] <= instant { dayIndex += 1 }
            if instant >= starts[0], instant < starts[starts.count - 1] { days[h] = Int16(dayIndex) }
            let local = instant + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))))
            let localDay = Self.floorDiv(local, 86400)
            hourOfDay[h] = UInt8((local - localDay * 86400) / 3600)
            weekdays[h] = UInt8(CivilDate(dayNumber: localDay).weekday)
        }
        return (starts, firstHour, days, hourOfDay, weekdays)
    }

    /// UTC start of the period (inclusive) and of the next (exclusive).
    public var utcRange: Range<Int64> { dayStarts[0]..<dayStarts[dayStarts.count - 1] }

    /// The buckets to read for this period: from the hour of its first instant.
    public var bucketRange: Range<Int64> { firstHour..<dayStarts[dayStarts.count - 1] }

    public var dayCount: Int { period.dayCount }

    /// Local day index (0-based) of the bucket starting at `hour`, nil outside the period.
    @inline(__always)
    func dayIndex(ofBucket hour: Int64) -> Int? {
        let offset = hour - firstHour
        guard offset >= 0 else { return nil }
        let index = Int(offset / 3600)
        guard index < hourDay.count else { return nil }
        let day = hourDay[index]
        return day < 0 ? nil : Int(day)
    }

    /// The time-of-day window class of every bucket for `terms` (0 = outside every window).
    func windowClasses(for terms: PlanTerms) -> [UInt8] {
        guard !terms.windows.isEmpty else { return [UInt8](repeating: 0, count: hourDay.count) }
        return (0..<hourDay.count).map { UInt8(terms.windowClass(hour: Int(hourOfDay[$0]), weekday: Int(hourWeekday[$0]))) }
    }

    static func floorHour(_ seconds: Int64) -> Int64 { floorDiv(seconds, 3600) * 3600 }
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }
}

/// Local wall-clock time to UTC and back.
public enum LocalTime {
    /// UTC seconds of local seconds-since-1970 `local` in `zone`; nil for an unknown zone.
    /// Two passes settle the offset; inside a daylight-saving gap or overlap the result is one
    /// of the neighbouring instants.
    public static func utc(local: Int64, zone identifier: String) -> Int64? {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        var utc = local - Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local))))
        utc = local - Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc))))
        return utc
    }

    /// The local date of a UTC instant in `zone`.
    public static func date(utc: Int64, zone identifier: String) -> CivilDate? {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        let local = utc + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc))))
        return CivilDate(dayNumber: PeriodCalendar.floorDiv(local, 86400))
    }
}
