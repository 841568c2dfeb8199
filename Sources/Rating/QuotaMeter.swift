import Accounting
import Foundation

/// One subscriber's usage as quotas read it: a local day's bytes, or a local hour's when the
/// plan has time-of-day windows (the hour decides the window, as in rating).
public struct QuotaUsageRow: Hashable, Sendable {
    public var day: CivilDate
    /// Local hour 0-23, or nil for the whole day.
    public var hour: Int?
    public var upload: Int64
    public var download: Int64

    public init(day: CivilDate, hour: Int? = nil, upload: Int64, download: Int64) {
        self.day = day
        self.hour = hour
        self.upload = upload
        self.download = download
    }
}

/// A subscriber on a plan version with quota policies, on one local day.
public struct QuotaSubject: Hashable, Sendable {
    public var versionID: Int64
    public var terms: PlanTerms
    public var cycle: BillingPeriod
    /// The days of the cycle this version covers for the subscriber (the rating segment):
    /// from the later of the cycle's start, the assignment's start and the version's date, to
    /// the earlier of their ends (exclusive).
    public var segmentFirst: CivilDate
    public var segmentEnd: CivilDate
    /// The tenant's local date now.
    public var today: CivilDate
    /// Bytes granted for the cycle by top-ups, and how many top-ups.
    public var topUpBytes: Int64
    public var topUpCount: Int

    public init(
        versionID: Int64, terms: PlanTerms, cycle: BillingPeriod, segmentFirst: CivilDate, segmentEnd: CivilDate,
        today: CivilDate, topUpBytes: Int64 = 0, topUpCount: Int = 0
    ) {
        self.versionID = versionID
        self.terms = terms
        self.cycle = cycle
        self.segmentFirst = segmentFirst
        self.segmentEnd = segmentEnd
        self.today = today
        self.topUpBytes = topUpBytes
        self.topUpCount = topUpCount
    }

    /// The local days whose usage the evaluation needs: the segment and the current ISO week.
    public var usageDays: Range<CivilDate> {
        let weekStart = today.adding(days: -today.weekday)
        return min(segmentFirst, weekStart)..<max(today.adding(days: 1), weekStart.adding(days: 7))
    }
}

/// One policy's position for the current period.
public struct QuotaLevel: Hashable, Sendable {
    /// The policy's index in the version's `quotas`.
    public var index: Int
    public var policy: QuotaPolicy
    /// Which period the crossing belongs to: `2026-11` (cycle), `2026-11-28` (day), `2026-W48` (week).
    public var periodKey: String
    /// Top-ups granted in the cycle when the threshold was computed: a top-up moves cycle
    /// thresholds, so each allowance acts once. 0 for day and week policies.
    public var epoch: Int
    public var thresholdBytes: Int64
    public var usedBytes: Int64
    public var isCrossed: Bool { usedBytes >= thresholdBytes }
}

/// What a subscriber has used of the cycle and where its thresholds lie.
public struct QuotaStatus: Hashable, Sendable {
    /// The segment's prorated allowance plus top-ups, in bytes.
    public var allowanceBytes: Int64
    /// Counted bytes of the segment so far (directions and time-of-day factors applied).
    public var usedBytes: Int64
    public var levels: [QuotaLevel]
}

/// Counts usage the way rating counts it and places each quota threshold.
///
/// - Counted bytes are the plan's directions, each hour weighted by its time-of-day window's
///   factor (nights free count nothing), summed over the rating segment (the days of the
///   cycle this plan version covers for the subscriber).
/// - A share is of the segment's allowance, prorated by day as rating prorates it, plus the
///   cycle's top-ups; an amount threshold moves up by the top-ups too.
/// - Day and week policies count the local day or ISO week (Monday first); a share is of the
///   cycle allowance's part for that many days; top-ups do not move them.
public enum QuotaMeter {
    public static func status(_ subject: QuotaSubject, usage: [QuotaUsageRow]) -> QuotaStatus {
        let terms = subject.terms
        let unitBytes = Decimal(terms.unit.bytes)
        let dayCount = subject.cycle.dayCount
        let segmentDays = subject.segmentFirst.days(to: subject.segmentEnd)
        let included = terms.included * unitBytes
        let segmentAllowance = segmentDays >= dayCount ? included : included * Decimal(segmentDays) / Decimal(dayCount)
        let weekStart = subject.today.adding(days: -subject.today.weekday)
        let weekEnd = weekStart.adding(days: 7)

        // Bytes counted at face value are summed as integers (decimal arithmetic per row was
        // most of the time a page of many subscribers took); weighted ones, and any sum that
        // would overflow, as decimals.
        var sums = (cycle: CountedBytes(), day: CountedBytes(), week: CountedBytes())
        for row in usage {
            let bytes: Int64
            switch terms.directions {
            case .download: bytes = row.download
            case .upload: bytes = row.upload
            case .both: bytes = row.upload &+ row.download
            }
            guard bytes != 0 else { continue }
            var factor: Decimal?
            if let hour = row.hour, !terms.windows.isEmpty {
                let windowClass = terms.windowClass(hour: hour, weekday: row.day.weekday)
                if windowClass != 0 { factor = terms.factor(ofClass: windowClass) }
            }
            if row.day >= subject.segmentFirst, row.day < subject.segmentEnd, row.day <= subject.today { sums.cycle.add(bytes, factor) }
            if row.day == subject.today { sums.day.add(bytes, factor) }
            if row.day >= weekStart, row.day < weekEnd { sums.week.add(bytes, factor) }
        }
        let (cycle, day, week) = (sums.cycle.value, sums.day.value, sums.week.value)

        let topUp = Decimal(subject.topUpBytes)
        let allowance = segmentAllowance + topUp
        var levels: [QuotaLevel] = []
        for (index, policy) in terms.quotas.enumerated() {
            let used: Decimal
            let base: Decimal
            let key: String
            let epoch: Int
            let shift: Decimal
            switch policy.period {
            case .cycle:
                (used, base, key, epoch, shift) = (cycle, allowance, subject.cycle.description, subject.topUpCount, topUp)
            case .day:
                (used, base, key, epoch, shift) = (day, included / Decimal(dayCount), subject.today.description, 0, 0)
            case .week:
                (used, base, key, epoch, shift) = (week, included * 7 / Decimal(dayCount), isoWeek(subject.today), 0, 0)
            }
            let threshold: Decimal
            switch policy.threshold {
            case .percent(let share): threshold = base * share / 100
            case .bytes(let bytes): threshold = Decimal(bytes) + shift
            }
            // A threshold is reached by whole bytes: round it up, and never to 0.
            levels.append(
                QuotaLevel(
                    index: index, policy: policy, periodKey: key, epoch: epoch,
                    thresholdBytes: max(1, wholeBytes(threshold, rounding: .ceiling)), usedBytes: wholeBytes(used, rounding: .floor)))
        }
        return QuotaStatus(allowanceBytes: wholeBytes(allowance, rounding: .floor), usedBytes: wholeBytes(cycle, rounding: .floor), levels: levels)
    }

    /// `2026-W48`: the ISO 8601 week of a date (weeks start on Monday; week 1 holds the year's first Thursday).
    public static func isoWeek(_ date: CivilDate) -> String {
        let thursday = date.adding(days: 3 - date.weekday)
        let january1 = CivilDate(year: thursday.year, month: 1, day: 1)!
        let week = january1.days(to: thursday) / 7 + 1
        return "\(thursday.year)-W" + (week < 10 ? "0\(week)" : "\(week)")
    }

    static func wholeBytes(_ value: Decimal, rounding: RoundingMode) -> Int64 {
        let rounded = rounding.round(value, scale: 0)
        guard rounded < Decimal(Int64.max) else { return Int64.max }
        return NSDecimalNumber(decimal: rounded).int64Value
    }
}

/// Bytes counted against a quota: whole bytes as an integer while it fits, weighted bytes
/// (and the rest) as a decimal.
struct CountedBytes {
    private var whole: Int64 = 0
    private var weighted = Decimal(0)

    mutating func add(_ bytes: Int64, _ factor: Decimal?) {
        if let factor {
            weighted += Decimal(bytes) * factor
            return
        }
        let (sum, overflow) = whole.addingReportingOverflow(bytes)
        if overflow { weighted += Decimal(bytes) } else { whole = sum }
    }

    var value: Decimal { weighted + Decimal(whole) }
}
