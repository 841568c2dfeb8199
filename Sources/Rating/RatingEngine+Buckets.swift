import Accounting
import Foundation

/// One hourly bucket as an invoice line counted it.
public struct CountedBucket: Hashable, Sendable {
    public var usage: HourlyUsage
    /// The local day (tenant time zone) the bucket belongs to.
    public var day: CivilDate
    /// 0 outside every time-of-day window; i for the plan version's windows[i - 1].
    public var windowClass: Int
    /// The factor the window counts the bucket with (1 outside windows).
    public var factor: Decimal
    /// Bytes of the directions the plan version counts (upload, download or both).
    public var counted: Int64
}

extension RatingEngine {
    /// The buckets of `usage` that `line` rests on, as the engine counted them, oldest first;
    /// nil for a line that rests on no usage (a fee, a cap, an adjustment).
    ///
    /// A usage line covers the local days `line.from ..< line.until` of one plan version. An
    /// included-usage or overage line counts every bucket of those days; a time-of-day line
    /// only those in its window. A bucket belongs to the local day and hour its start falls in,
    /// and to the first window containing that hour, exactly as `rate` decides. The `counted`
    /// bytes of the buckets add up to the line's `usageBytes`, and their counted bytes times
    /// their factors, in the plan's unit, to the usage the allowance and the overage split.
    public func buckets(of line: InvoiceLine, version: RatedVersion, usage: [HourlyUsage]) -> [CountedBucket]? {
        let onlyClass: Int?
        switch line.kind {
        case .includedUsage, .overage: onlyClass = nil
        case .timeOfDay:
            // The key ends with the window class: "time_of_day|v<id>|<from>|w<class>".
            guard let suffix = line.key.split(separator: "|").last, suffix.hasPrefix("w"), let c = Int(suffix.dropFirst()) else { return nil }
            onlyClass = c
        case .recurringFee, .cap, .adjustment: return nil
        }
        let first = calendar.period.first
        let days = first.days(to: line.from)..<first.days(to: line.until)
        let windows = calendar.windowClasses(for: version.terms)
        var counted: [CountedBucket] = []
        for bucket in usage.sorted(by: { $0.hour < $1.hour }) {
            guard let day = calendar.dayIndex(ofBucket: bucket.hour), days.contains(day) else { continue }
            let windowClass = Int(windows[Int((bucket.hour - calendar.firstHour) / 3600)])
            if let onlyClass, windowClass != onlyClass { continue }
            let bytes: Int64
            switch version.terms.directions {
            case .download: bytes = bucket.download
            case .upload: bytes = bucket.upload
            case .both: bytes = bucket.upload &+ bucket.download
            }
            counted.append(
                CountedBucket(
                    usage: bucket, day: first.adding(days: day), windowClass: windowClass,
                    factor: version.terms.factor(ofClass: windowClass), counted: bytes))
        }
        return counted
    }
}

extension PeriodCalendar {
    /// UTC seconds of the buckets that can belong to the local days `from ..< until` of the
    /// period (clamped to it): from the hour the first day starts in.
    public func bucketRange(from: CivilDate, until: CivilDate) -> Range<Int64> {
        let a = max(0, min(period.first.days(to: from), dayCount))
        let b = max(a, min(period.first.days(to: until), dayCount))
        return Self.floorHour(dayStarts[a])..<dayStarts[b]
    }
}
