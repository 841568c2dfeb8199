import Accounting
import Foundation

/// A plan version as the engine sees it.
public struct RatedVersion: Hashable, Sendable {
    public var id: Int64
    public var planName: String
    public var effectiveFrom: CivilDate
    public var terms: PlanTerms

    public init(id: Int64, planName: String, effectiveFrom: CivilDate, terms: PlanTerms) {
        self.id = id
        self.planName = planName
        self.effectiveFrom = effectiveFrom
        self.terms = terms
    }
}

/// A subscriber on a plan from a local date until another (exclusive; nil = open).
public struct PlanAssignment: Hashable, Sendable {
    /// The plan's versions, any order.
    public var versions: [RatedVersion]
    public var from: CivilDate
    public var until: CivilDate?

    public init(versions: [RatedVersion], from: CivilDate, until: CivilDate?) {
        self.versions = versions
        self.from = from
        self.until = until
    }
}

/// One hourly usage bucket of a subscriber: bytes sent (upload) and received (download).
public struct HourlyUsage: Hashable, Sendable {
    /// UTC seconds of the start of the hour.
    public var hour: Int64
    public var upload: Int64
    public var download: Int64

    public init(hour: Int64, upload: Int64, download: Int64) {
        self.hour = hour
        self.upload = upload
        self.download = download
    }
}

/// Usage that no plan assignment covers: reported, never dropped.
public struct UnassignedUsage: Hashable, Sendable {
    public var upload: Int64 = 0
    public var download: Int64 = 0
    public var isEmpty: Bool { upload == 0 && download == 0 }
}

/// What rating one subscriber for one period gives.
public struct SubscriberRating: Hashable, Sendable {
    public var lines: [InvoiceLine]
    public var unassigned: UnassignedUsage
    /// Whether any plan assignment covered a day of the period (an invoice is due).
    public var isBilled: Bool
}

/// Tenant settings the engine needs.
public struct RatingSettings: Hashable, Sendable {
    public var currency: Currency
    public var rounding: RoundingMode

    public init(currency: Currency, rounding: RoundingMode = .halfEven) {
        self.currency = currency
        self.rounding = rounding
    }
}

/// The rating engine: (plan versions, assignments, hourly usage, period, tenant settings)
/// -> invoice lines. Pure: the same inputs give the same lines, whatever order the usage
/// comes in and however it is split into buckets within an hour's window class and day.
///
/// Rules (each line says which applied):
/// - A segment is a run of days with one plan version; assignments and version dates cut
///   segments at local midnight in the tenant's time zone.
/// - The recurring fee, the allowance and the cap are prorated by days of the segment over
///   days of the period.
/// - Counted usage is the chosen directions' bytes, each hour weighted by the factor of its
///   time-of-day window (first matching window; 1 outside windows). The allowance is used
///   first; the rest is overage, rounded up to the billing increment, priced per unit or by
///   graduated or volume tiers.
/// - Every amount is computed exactly in Decimal and rounded once per line to minor units
///   with the tenant's mode; each line's tax is its rounded amount times the tax rate,
///   rounded once.
public struct RatingEngine: Sendable {
    public let calendar: PeriodCalendar
    public let settings: RatingSettings
    private var windowTables: [Int64: [UInt8]]
    /// Per version, indexed by days in the segment: the prorated amounts. Proration is the one
    /// Decimal division left per segment, and there are only `dayCount` distinct ones.
    private var prorationTables: [Int64: [Proration]]

    /// `versions`: those the run will meet, so their time-of-day tables are built once.
    public init(calendar: PeriodCalendar, settings: RatingSettings, versions: [RatedVersion] = []) {
        self.calendar = calendar
        self.settings = settings
        var tables: [Int64: [UInt8]] = [:]
        for version in versions where tables[version.id] == nil {
            tables[version.id] = calendar.windowClasses(for: version.terms)
        }
        windowTables = tables
        var prorations: [Int64: [Proration]] = [:]
        for version in versions where prorations[version.id] == nil {
            prorations[version.id] = (0...calendar.dayCount).map { Proration(version.terms, days: $0, of: calendar.dayCount) }
        }
        prorationTables = prorations
    }

    /// A version's fee, allowance and cap for a segment of `days` out of `dayCount`.
    struct Proration {
        var fee: Decimal
        /// The fee per day, for the line's unit price.
        var feePerDay: Decimal
        var included: Decimal
        var cap: Decimal?

        init(_ terms: PlanTerms, days: Int, of dayCount: Int) {
            // Multiply before dividing, so that whole results (30 x 10 / 30) stay exact.
            func prorated(_ value: Decimal) -> Decimal {
                days == dayCount ? value : value * Decimal(days) / Decimal(dayCount)
            }
            fee = prorated(terms.recurringFee)
            feePerDay = RoundingMode.halfEven.round(terms.recurringFee / Decimal(dayCount), scale: 6)
            included = prorated(terms.included)
            cap = terms.usageCap.map(prorated)
        }
    }

    struct Segment {
        var version: RatedVersion
        var firstDay: Int
        var endDay: Int
        var windows: [UInt8]
        var days: Int { endDay - firstDay }
    }

    /// Rates one subscriber for the engine's period.
    public func rate(assignments: [PlanAssignment], usage: [HourlyUsage]) -> SubscriberRating {
        let segments = self.segments(assignments)
        let dayCount = calendar.dayCount
        var segmentOfDay = [Int8](repeating: -1, count: dayCount)
        for (i, segment) in segments.enumerated() {
            for d in segment.firstDay..<segment.endDay { segmentOfDay[d] = Int8(i) }
        }
        // Bytes per (segment, window class, direction): integers, summed exactly.
        let classCounts = segments.map { $0.version.terms.windows.count + 1 }
        var offsets = [Int](repeating: 0, count: segments.count)
        var total = 0
        for i in segments.indices {
            offsets[i] = total
            total += classCounts[i]
        }
        var upload = [Int64](repeating: 0, count: total)
        var download = [Int64](repeating: 0, count: total)
        var unassigned = UnassignedUsage()
        for bucket in usage {
            let offset = bucket.hour - calendar.firstHour
            guard offset >= 0 else { continue }
            let hourIndex = Int(offset / 3600)
            guard hourIndex < calendar.hourDay.count else { continue }
            let day = calendar.hourDay[hourIndex]
            guard day >= 0 else { continue }
            let s = segmentOfDay[Int(day)]
            if s < 0 {
                unassigned.upload &+= bucket.upload
                unassigned.download &+= bucket.download
                continue
            }
            let slot = offsets[Int(s)] + Int(segments[Int(s)].windows[hourIndex])
            upload[slot] &+= bucket.upload
            download[slot] &+= bucket.download
        }
        var lines: [InvoiceLine] = []
        for (i, segment) in segments.enumerated() {
            let n = segment.version.terms.windows.count + 1
            lines += rateSegment(segment, upload: Array(upload[offsets[i]..<offsets[i] + n]), download: Array(download[offsets[i]..<offsets[i] + n]))
        }
        return SubscriberRating(lines: lines, unassigned: unassigned, isBilled: !segments.isEmpty)
    }

    /// Days of the period covered by each (assignment, version) pair, in date order.
    func segments(_ assignments: [PlanAssignment]) -> [Segment] {
        let first = calendar.period.first
        let end = calendar.period.end
        var result: [Segment] = []
        for assignment in assignments {
            let from = max(assignment.from, first)
            let until = min(assignment.until ?? end, end)
            guard from < until else { continue }
            let versions = assignment.versions.sorted { ($0.effectiveFrom, $0.id) < ($1.effectiveFrom, $1.id) }
            for (i, version) in versions.enumerated() {
                let versionEnd = i + 1 < versions.count ? versions[i + 1].effectiveFrom : end
                let a = max(from, version.effectiveFrom)
                let b = min(until, versionEnd)
                guard a < b else { continue }
                let windows = windowTables[version.id] ?? calendar.windowClasses(for: version.terms)
                result.append(Segment(version: version, firstDay: first.days(to: a), endDay: first.days(to: b), windows: windows))
            }
        }
        // Overlapping assignments are refused where they are stored; here the earlier wins.
        result.sort { $0.firstDay < $1.firstDay }
        var clipped: [Segment] = []
        var covered = 0
        for var segment in result {
            segment.firstDay = max(segment.firstDay, covered)
            guard segment.firstDay < segment.endDay else { continue }
            covered = segment.endDay
            clipped.append(segment)
        }
        return clipped
    }

    func rateSegment(_ segment: Segment, upload: [Int64], download: [Int64]) -> [InvoiceLine] {
        let version = segment.version
        let terms = version.terms
        let first = calendar.period.first
        let from = first.adding(days: segment.firstDay)
        let until = first.adding(days: segment.endDay)
        let keyBase = "v\(version.id)|\(from)"
        let rounder = MoneyRounder(currency: settings.currency, mode: settings.rounding)
        let fullPeriod = segment.days == calendar.dayCount
        let proration = prorationTables[version.id]?[segment.days] ?? Proration(terms, days: segment.days, of: calendar.dayCount)
        // Multiplying by the unit's exact reciprocal gives the value dividing gives, without
        // Foundation's Decimal division (microseconds: it widens to 38 digits, then strips zeros
        // one division by ten at a time).
        let perByte = terms.unit.reciprocal
        func units(_ bytes: Decimal) -> Decimal { perByte.map { bytes * $0 } ?? bytes / Decimal(terms.unit.bytes) }
        let minorUnit = Decimal(sign: .plus, exponent: -settings.currency.exponent, significand: 1)
        let unit = terms.unit.rawValue
        let span = "\(from) to \(until.adding(days: -1))"
        var lines: [InvoiceLine] = []

        func line(
            _ kind: LineKind, _ suffix: String, _ description: String, quantity: Decimal, unit: String,
            unitPrice: Decimal, exact: Decimal, usageBytes: Int64? = nil
        ) {
            let amount = exact.isZero ? 0 : rounder.minorUnits(exact)
            // amount / 10^e x rate x 10^e, without the division.
            let tax = terms.taxRate.isZero || amount == 0 ? 0 : rounder.mode.roundedInt64(Decimal(amount) * terms.taxRate)
            lines.append(
                InvoiceLine(
                    kind: kind, key: "\(kind.rawValue)|\(keyBase)|\(suffix)", description: description,
                    quantity: quantity, unit: unit, unitPrice: unitPrice, amount: amount, taxRate: terms.taxRate,
                    tax: tax, planVersionID: version.id, from: from, until: until, usageBytes: usageBytes))
        }

        // Recurring fee, prorated by day.
        if !terms.recurringFee.isZero {
            if fullPeriod {
                line(
                    .recurringFee, "fee", "\(version.planName): fee for \(calendar.period) (\(span))", quantity: 1, unit: "cycle",
                    unitPrice: terms.recurringFee, exact: terms.recurringFee)
            } else {
                line(
                    .recurringFee, "fee", "\(version.planName): fee for \(segment.days) of \(calendar.dayCount) days (\(span))",
                    quantity: Decimal(segment.days), unit: "day", unitPrice: proration.feePerDay,
                    exact: proration.fee)
            }
        }

        // Counted bytes per window class, then weighted by the window factors.
        var countedBytes: Int64 = 0
        var weightedBytes = Decimal(0)
        for c in 0..<upload.count {
            let bytes: Int64
            switch terms.directions {
            case .download: bytes = download[c]
            case .upload: bytes = upload[c]
            case .both: bytes = upload[c] &+ download[c]
            }
            countedBytes &+= bytes
            if c == 0 {
                weightedBytes += Decimal(bytes)
            } else if bytes != 0 {
                let window = terms.windows[c - 1]
                let factor = window.factor
                weightedBytes += Decimal(bytes) * factor
                let quantity = units(Decimal(bytes))
                let counted = factor == 1 ? "counted in full" : (factor.isZero ? "not counted" : "counted at \(DecimalText.format(factor * 100))%")
                line(
                    .timeOfDay, "w\(c)", "\(version.planName): \(window.label): \(DecimalText.format(quantity)) \(unit) \(counted)",
                    quantity: quantity, unit: unit, unitPrice: 0, exact: 0, usageBytes: bytes)
            }
        }
        let usage = units(weightedBytes)
        let allowance = proration.included

        if !terms.included.isZero {
            let used = min(usage, allowance)
            line(
                .includedUsage, "included",
                "\(version.planName): included usage, \(DecimalText.format(used)) of \(DecimalText.format(allowance)) \(unit)",
                quantity: used, unit: unit, unitPrice: 0, exact: 0, usageBytes: countedBytes)
        }

        var overage = usage > allowance ? usage - allowance : 0
        if let increment = terms.increment, !overage.isZero {
            let steps = RoundingMode.ceiling.round(increment == 1 ? overage : overage / increment, scale: 0)
            overage = steps * increment
        }
        var usageCharges: Int64 = 0
        let countBefore = lines.count
        switch terms.overage {
        case .none:
            break
        case .perUnit(let price):
            if !overage.isZero {
                line(
                    .overage, "unit",
                    "\(version.planName): usage beyond the allowance, \(DecimalText.format(overage)) \(unit) at \(DecimalText.format(price, maximumFractionDigits: 18))",
                    quantity: overage, unit: unit, unitPrice: price, exact: overage * price, usageBytes: countedBytes)
            }
        case .graduated(let tiers):
            var lower = Decimal(0)
            for (t, tier) in tiers.enumerated() {
                let upper = tier.upTo
                let top = upper.map { min(overage, $0) } ?? overage
                if top > lower {
                    let portion = top - lower
                    let range =
                        upper.map { "\(DecimalText.format(lower))-\(DecimalText.format($0)) \(unit)" } ?? "above \(DecimalText.format(lower)) \(unit)"
                    line(
                        .overage, "tier\(t)",
                        "\(version.planName): usage beyond the allowance, tier \(t + 1) (\(range)): \(DecimalText.format(portion)) \(unit) at \(DecimalText.format(tier.price, maximumFractionDigits: 18))",
                        quantity: portion, unit: unit, unitPrice: tier.price, exact: portion * tier.price, usageBytes: countedBytes)
                }
                guard let upper else { break }
                lower = upper
                if overage <= upper { break }
            }
        case .volume(let tiers):
            if !overage.isZero {
                let index = tiers.firstIndex { tier in tier.upTo.map { overage <= $0 } ?? true } ?? tiers.count - 1
                let tier = tiers[index]
                line(
                    .overage, "tier\(index)",
                    "\(version.planName): usage beyond the allowance, \(DecimalText.format(overage)) \(unit), all at tier \(index + 1) price \(DecimalText.format(tier.price, maximumFractionDigits: 18))",
                    quantity: overage, unit: unit, unitPrice: tier.price, exact: overage * tier.price, usageBytes: countedBytes)
            }
        }
        usageCharges = lines[countBefore...].reduce(0) { $0 + $1.amount }

        if let cap = proration.cap {
            let capAmount = rounder.minorUnits(cap)
            if usageCharges > capAmount {
                let reduction = Decimal(capAmount - usageCharges) * minorUnit
                line(
                    .cap, "cap",
                    "\(version.planName): usage charges capped at \(settings.currency.format(minorUnits: capAmount)) \(settings.currency.code)",
                    quantity: 1, unit: "cap", unitPrice: reduction, exact: reduction)
            }
        }
        return lines
    }
}

extension ByteUnit {
    /// 1 / bytes exactly (10^-k, or 5^k x 10^-k for 2^k), where products with it round like
    /// the quotient would; nil for TiB, whose 28-digit reciprocal makes products keep a 39th
    /// digit that division drops.
    var reciprocal: Decimal? {
        switch self {
        case .MB: return Decimal(sign: .plus, exponent: -6, significand: 1)
        case .GB: return Decimal(sign: .plus, exponent: -9, significand: 1)
        case .TB: return Decimal(sign: .plus, exponent: -12, significand: 1)
        case .MiB: return Self.mebi
        case .GiB: return Self.gibi
        case .TiB: return nil
        }
    }

    private static let mebi = Decimal(sign: .plus, exponent: -20, significand: pow(Decimal(5), 20))
    private static let gibi = Decimal(sign: .plus, exponent: -30, significand: pow(Decimal(5), 30))
}
