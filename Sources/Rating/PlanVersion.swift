import Foundation

/// Bytes per unit a plan counts and prices in. GB means 10^9 bytes; GiB 2^30.
public enum ByteUnit: String, Hashable, Sendable, CaseIterable, Codable {
    // swift-format-ignore: AlwaysUseLowerCamelCase
    // The unit symbols as plans write them.
    case MB, GB, TB, MiB, GiB, TiB

    public var bytes: Int64 {
        switch self {
        case .MB: return 1_000_000
        case .GB: return 1_000_000_000
        case .TB: return 1_000_000_000_000
        case .MiB: return 1 << 20
        case .GiB: return 1 << 30
        case .TiB: return 1 << 40
        }
    }
}

/// Which traffic a plan counts. Upload is what the subscriber sent, download what it received.
public enum CountedDirections: String, Hashable, Sendable, CaseIterable, Codable {
    case download, upload, both
}

/// One price step. `upTo` is the cumulative overage quantity (in the plan's unit) where the
/// step ends; nil on the last step.
public struct PriceTier: Hashable, Sendable {
    public var upTo: Decimal?
    public var price: Decimal

    public init(upTo: Decimal?, price: Decimal) {
        self.upTo = upTo
        self.price = price
    }
}

/// How usage beyond the included allowance is charged.
public enum OveragePricing: Hashable, Sendable {
    /// Not charged (the allowance is only informative, or the plan is flat).
    case none
    /// One price per unit.
    case perUnit(price: Decimal)
    /// Each step's part of the quantity at that step's price.
    case graduated([PriceTier])
    /// The whole quantity at the price of the step it reaches.
    case volume([PriceTier])
}

/// Hours of the week (in the tenant's time zone) whose usage counts with a factor:
/// 0 = not counted (nights free), 0.5 = half, 1.5 = a peak surcharge.
public struct TimeWindow: Hashable, Sendable {
    public var name: String
    /// First hour (0-23) of the window.
    public var fromHour: Int
    /// Hour (1-24) the window ends before; a window may cross midnight (22 to 6).
    public var toHour: Int
    /// Days the window starts on, 0 = Monday ... 6 = Sunday; all days when nil.
    public var days: Set<Int>?
    public var factor: Decimal

    public init(name: String, fromHour: Int, toHour: Int, days: Set<Int>? = nil, factor: Decimal) {
        self.name = name
        self.fromHour = fromHour
        self.toHour = toHour
        self.days = days
        self.factor = factor
    }

    /// Whether an hour starting at `hour` (0-23) on `weekday` (0 = Monday) is inside.
    public func contains(hour: Int, weekday: Int) -> Bool {
        if fromHour < toHour {
            return hour >= fromHour && hour < toHour && (days?.contains(weekday) ?? true)
        }
        // Crosses midnight: the early hours belong to the window that started the day before.
        if hour >= fromHour { return days?.contains(weekday) ?? true }
        if hour < toHour % 24 { return days?.contains((weekday + 6) % 7) ?? true }
        return false
    }

    /// `Night 00:00-06:00`, with the days when restricted.
    public var label: String {
        func hh(_ h: Int) -> String { h < 10 ? "0\(h):00" : "\(h):00" }
        var text = "\(name) \(hh(fromHour))-\(hh(toHour))"
        if let days { text += " " + days.sorted().map { Self.dayNames[$0] }.joined(separator: ",") }
        return text
    }

    static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
}

/// What a plan charges from its effective date on: the priced content of one plan version.
public struct PlanTerms: Hashable, Sendable {
    public var currency: String
    /// Charged once per billing cycle, prorated by day.
    public var recurringFee: Decimal
    public var unit: ByteUnit
    /// Allowance in `unit`s per cycle, prorated by day.
    public var included: Decimal
    public var directions: CountedDirections
    public var overage: OveragePricing
    /// Overage is billed in steps of this many units, rounded up; nil bills exact bytes.
    public var increment: Decimal?
    public var windows: [TimeWindow]
    /// Usage charges (overage) per cycle never exceed this, prorated by day.
    public var usageCap: Decimal?
    /// e.g. 0.20 for 20 %.
    public var taxRate: Decimal
    /// The plan's normal rate in the NAS profile's syntax ("upload/download"): what a CoA
    /// restores when a throttle or block is lifted. Required with a throttle or block policy.
    public var rate: String?
    /// Fair-usage policies, acted on as usage is committed.
    public var quotas: [QuotaPolicy]

    public init(
        currency: String, recurringFee: Decimal = 0, unit: ByteUnit = .GB, included: Decimal = 0,
        directions: CountedDirections = .both, overage: OveragePricing = .none, increment: Decimal? = nil,
        windows: [TimeWindow] = [], usageCap: Decimal? = nil, taxRate: Decimal = 0, rate: String? = nil,
        quotas: [QuotaPolicy] = []
    ) {
        self.currency = currency
        self.recurringFee = recurringFee
        self.unit = unit
        self.included = included
        self.directions = directions
        self.overage = overage
        self.increment = increment
        self.windows = windows
        self.usageCap = usageCap
        self.taxRate = taxRate
        self.rate = rate
        self.quotas = quotas
    }

    /// The factor usage in window class `index` counts with (0 = outside every window).
    func factor(ofClass index: Int) -> Decimal { index == 0 ? 1 : windows[index - 1].factor }

    /// The window class (0 = none, i = windows[i-1]) of an hour; the first matching window wins.
    func windowClass(hour: Int, weekday: Int) -> Int {
        for (i, window) in windows.enumerated() where window.contains(hour: hour, weekday: weekday) { return i + 1 }
        return 0
    }
}
