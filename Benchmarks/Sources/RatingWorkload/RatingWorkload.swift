import Foundation
import Rating

/// The plan shapes the rating benchmarks rate: each stresses a different part of the engine.
public enum SyntheticPlan: String, CaseIterable, Sendable {
    /// Flat fee, allowance, per-unit overage billed in whole-GB steps, no tax.
    case a
    /// Graduated overage tiers, nights (00:00-06:00) not counted, a usage cap, 20 % tax.
    case b
    /// Plan a for the first half of the month, plan b from the 16th: two assignments, two
    /// prorated segments.
    case c
}

/// One month of synthetic subscribers for one tenant (period 2026-09, Europe/Vienna, EUR):
/// plans, assignments and hourly usage, all generated up front and deterministically, so that
/// a measured loop does nothing but call `RatingEngine.rate`.
public struct RatingWorkload: Sendable {
    public static let period = BillingPeriod(year: 2026, month: 9, billingDay: 1)!
    public static let timeZone = "Europe/Vienna"
    public static let eur = Currency(code: "EUR")!

    public let calendar: PeriodCalendar
    public let settings: RatingSettings
    /// Plan a: 29.90 a month, 100 GB included, 0.50 per started GB beyond.
    public let versionA: RatedVersion
    /// Plan b: 19.90 a month, 50 GB included, then 1.00 / 0.50 / 0.25 per GB in graduated
    /// tiers, nights free, overage capped at 60.00, 20 % tax.
    public let versionB: RatedVersion
    /// Hourly usage of `profiles` distinct subscribers, one bucket per hour of the period.
    public let usage: [[HourlyUsage]]
    let assignmentsByPlan: [[PlanAssignment]]

    /// `profiles` distinct usage histories are generated; subscriber `i` reuses history
    /// `i % profiles`, which keeps memory bounded while the engine still sees light users
    /// (under the allowance) and heavy ones (into the upper tiers and the cap).
    public init(profiles: Int = 256, seed: UInt64 = 0x746F_6C6C_6761_7465) {
        precondition(profiles > 0)
        let calendar = PeriodCalendar(period: Self.period, timeZone: Self.timeZone)!
        self.calendar = calendar
        settings = RatingSettings(currency: Self.eur, rounding: .halfEven)

        // Versions in force since well before the period, as most subscribers' plans are.
        let effective = Self.period.first.adding(days: -245)
        versionA = RatedVersion(
            id: 101, planName: "Home 100", effectiveFrom: effective,
            terms: PlanTerms(
                currency: "EUR", recurringFee: Decimal(string: "29.90")!, unit: .GB, included: 100,
                directions: .both, overage: .perUnit(price: Decimal(string: "0.50")!), increment: 1))
        versionB = RatedVersion(
            id: 202, planName: "Night Owl 50", effectiveFrom: effective,
            terms: PlanTerms(
                currency: "EUR", recurringFee: Decimal(string: "19.90")!, unit: .GB, included: 50, directions: .both,
                overage: .graduated([
                    PriceTier(upTo: 50, price: 1),
                    PriceTier(upTo: 200, price: Decimal(string: "0.50")!),
                    PriceTier(upTo: nil, price: Decimal(string: "0.25")!),
                ]),
                windows: [TimeWindow(name: "Night", fromHour: 0, toHour: 6, factor: 0)],
                usageCap: 60, taxRate: Decimal(string: "0.20")!))

        let first = Self.period.first
        let switchDay = first.adding(days: 15)
        assignmentsByPlan = [
            [PlanAssignment(versions: [versionA], from: first.adding(days: -400), until: nil)],
            [PlanAssignment(versions: [versionB], from: first.adding(days: -400), until: nil)],
            [
                PlanAssignment(versions: [versionA], from: first.adding(days: -400), until: switchDay),
                PlanAssignment(versions: [versionB], from: switchDay, until: nil),
            ],
        ]

        let zone = TimeZone(identifier: Self.timeZone)!
        let hours = calendar.bucketRange
        var random = SplitMix64(seed: seed)
        var histories: [[HourlyUsage]] = []
        histories.reserveCapacity(profiles)
        for _ in 0..<profiles {
            // Monthly volume spread over two orders of magnitude: roughly 10 GB to 600 GB.
            let scale = 0.05 + 2.5 * random.unit() * random.unit() + 0.25 * random.unit()
            var buckets: [HourlyUsage] = []
            buckets.reserveCapacity(hours.count / 3600)
            for hour in stride(from: hours.lowerBound, to: hours.upperBound, by: 3600) {
                let local = hour + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(hour))))
                let localHour = Int((local % 86_400) / 3600)
                // A line that carried nothing that hour still has a bucket when a session was open.
                let idle = random.unit() < 0.12
                let download = idle ? 0 : Int64(scale * Self.diurnal[localHour] * random.unit() * 800_000_000)
                let upload = idle ? 0 : download / 10 + Int64(random.unit() * 20_000_000)
                buckets.append(HourlyUsage(hour: hour, upload: upload, download: download))
            }
            histories.append(buckets)
        }
        usage = histories
    }

    /// Relative traffic by local hour: quiet nights, an evening peak.
    static let diurnal: [Double] = [
        0.45, 0.30, 0.18, 0.12, 0.10, 0.12, 0.20, 0.35, 0.45, 0.50, 0.55, 0.60,
        0.65, 0.65, 0.65, 0.70, 0.80, 0.95, 1.15, 1.35, 1.50, 1.45, 1.15, 0.75,
    ]

    /// Every plan version the workload uses, for `RatingEngine(versions:)`.
    public var versions: [RatedVersion] { [versionA, versionB] }

    /// The engine, its per-version window tables built once.
    public func makeEngine() -> RatingEngine {
        RatingEngine(calendar: calendar, settings: settings, versions: versions)
    }

    /// The plan of subscriber `index`: `plan` itself, or a, b, c in turn when nil (the mixed load).
    public func plan(ofSubscriber index: Int, plan: SyntheticPlan?) -> SyntheticPlan {
        plan ?? SyntheticPlan.allCases[index % SyntheticPlan.allCases.count]
    }

    /// Assignments of a subscriber on `plan`.
    public func assignments(_ plan: SyntheticPlan) -> [PlanAssignment] {
        switch plan {
        case .a: assignmentsByPlan[0]
        case .b: assignmentsByPlan[1]
        case .c: assignmentsByPlan[2]
        }
    }

    /// Usage of subscriber `index`.
    public func usage(ofSubscriber index: Int) -> [HourlyUsage] { usage[index % usage.count] }

    /// What plan a must invoice for `usage`, in cents, worked out in integers independently of
    /// the engine's Decimal arithmetic: the fee plus 50 cents for every started GB beyond 100 GB.
    public static func expectedPlanATotal(_ usage: [HourlyUsage]) -> Int64 {
        let bytes = usage.reduce(Int64(0)) { $0 + $1.upload + $1.download }
        let beyond = max(0, bytes - 100_000_000_000)
        let steps = (beyond + 999_999_999) / 1_000_000_000
        return 2990 + steps * 50
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64), so every run and
/// every platform sees the same usage.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}
