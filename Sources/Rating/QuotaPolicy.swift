import Foundation

/// What crossing a quota threshold does to the subscriber's live sessions.
public enum QuotaAction: String, Hashable, Sendable, CaseIterable, Codable {
    /// Only the `quota.crossed` webhook and the record.
    case notify
    /// A CoA that lowers the session's rate to the policy's `rate`.
    case throttle
    /// A CoA that puts the session into the NAS profile's blocked state (walled garden).
    case block
    /// A Disconnect-Request that ends the session.
    case disconnect

    /// How much an action restricts; a crossing that restricts less than the subscriber's
    /// current state sends nothing.
    public var severity: Int {
        switch self {
        case .notify: return 0
        case .throttle: return 1
        case .block: return 2
        case .disconnect: return 3
        }
    }

    /// Whether the action leaves a state that later sessions inherit (they get it again after
    /// their Start) and that a top-up or the next period lifts.
    public var isLasting: Bool { self == .throttle || self == .block }
}

/// Where a threshold lies.
public enum QuotaThreshold: Hashable, Sendable {
    /// A share of the period's allowance (prorated, with top-ups): 80 = 80 %.
    case percent(Decimal)
    /// Counted bytes.
    case bytes(Int64)
}

/// Which usage a policy counts: the billing cycle's (the plan's segment of it), or the local
/// day's or ISO week's.
public enum QuotaPeriod: String, Hashable, Sendable, CaseIterable, Codable {
    case cycle, day, week
}

/// One fair-usage rule of a plan version: at a threshold of counted usage, an action.
public struct QuotaPolicy: Hashable, Sendable {
    public var threshold: QuotaThreshold
    public var action: QuotaAction
    /// The throttled rate in the NAS profile's syntax ("upload/download", e.g. "1M/1M").
    public var rate: String?
    /// What to do instead when the NAS refuses the action or never answers.
    public var fallback: QuotaAction?
    public var period: QuotaPeriod

    public init(threshold: QuotaThreshold, action: QuotaAction, rate: String? = nil, fallback: QuotaAction? = nil, period: QuotaPeriod = .cycle) {
        self.threshold = threshold
        self.action = action
        self.rate = rate
        self.fallback = fallback
        self.period = period
    }

    /// The threshold as written: `80%` or `50 GB` (exact bytes when no unit divides them).
    public var thresholdText: String {
        switch threshold {
        case .percent(let value): return DecimalText.format(value) + "%"
        case .bytes(let bytes): return Self.formatBytes(bytes)
        }
    }

    static func formatBytes(_ bytes: Int64) -> String {
        for unit in [ByteUnit.TB, .GB, .MB] where bytes >= unit.bytes && bytes % (unit.bytes / 1000) == 0 {
            return DecimalText.format(Decimal(bytes) / Decimal(unit.bytes)) + " " + unit.rawValue
        }
        return "\(bytes) B"
    }

    /// Parses `80%`, `100 %`, `50 GB`, `1.5 TiB`, `500000 B`.
    static func parseThreshold(_ text: String, field: String) throws(PlanError) -> QuotaThreshold {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            let number = trimmed.dropLast().trimmingCharacters(in: .whitespaces)
            guard let value = DecimalText.parse(number), value > 0, value <= 10_000 else {
                throw PlanError(field: field, "'\(text)' must be a share above 0% and at most 10000%, such as \"80%\"")
            }
            return .percent(value)
        }
        guard let bytes = parseAmount(trimmed), bytes > 0 else {
            throw PlanError(field: field, "'\(text)' is neither a share (\"80%\") nor an amount (\"50 GB\", units B, MB, GB, TB, MiB, GiB, TiB)")
        }
        return .bytes(bytes)
    }

    /// An amount of bytes written with a unit: `50 GB`, `1.5 TiB`, `700 B`; nil when it is not one.
    public static func parseAmount(_ text: String) -> Int64? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        let number: Substring
        let unitText: Substring
        if parts.count == 2 {
            (number, unitText) = (parts[0], parts[1])
        } else if parts.count == 1, let split = parts[0].firstIndex(where: { $0.isLetter }) {
            (number, unitText) = (parts[0][..<split], parts[0][split...])
        } else {
            return nil
        }
        guard let value = DecimalText.parse(String(number)), value >= 0 else { return nil }
        let multiplier: Int64
        if unitText == "B" {
            multiplier = 1
        } else if let unit = ByteUnit(rawValue: String(unitText)) {
            multiplier = unit.bytes
        } else {
            return nil
        }
        let bytes = value * Decimal(multiplier)
        guard bytes <= Decimal(Int64.max / 2) else { return nil }
        // At least what is written: a fraction of a byte is a byte.
        return NSDecimalNumber(decimal: RoundingMode.ceiling.round(bytes, scale: 0)).int64Value
    }

    /// A rate as vendors write them: printable ASCII, no spaces at the ends, at most 64 characters.
    static func checkRate(_ rate: String, field: String) throws(PlanError) {
        guard !rate.isEmpty, rate.count <= 64, rate.utf8.allSatisfy({ (0x20...0x7e).contains($0) }),
            rate.first != " ", rate.last != " "
        else {
            throw PlanError(field: field, "'\(rate)' must be 1-64 printable characters, such as \"1M/1M\"")
        }
    }

    static let keys: Set<String> = ["at", "action", "rate", "fallback", "period"]

    static func parse(_ object: [String: Any], path: String, included: Decimal) throws(PlanError) -> QuotaPolicy {
        let reader = FieldReader(object: object, path: path)
        try reader.refuseUnknown(keys)
        let threshold: QuotaThreshold
        guard let at = try reader.string("at", optional: false) else { throw PlanError(field: path + "at", "is required") }
        threshold = try parseThreshold(at, field: path + "at")
        if case .percent = threshold, included <= 0 {
            throw PlanError(field: path + "at", "a share needs an allowance: the plan includes nothing, so write an amount such as \"50 GB\"")
        }
        guard let actionText = try reader.string("action", optional: false) else { throw PlanError(field: path + "action", "is required") }
        guard let action = QuotaAction(rawValue: actionText) else {
            throw PlanError(field: path + "action", "'\(actionText)' is not notify, throttle, block or disconnect")
        }
        let rate = try reader.string("rate", optional: true)
        if let rate { try checkRate(rate, field: path + "rate") }
        if action == .throttle, rate == nil {
            throw PlanError(field: path + "rate", "is required for throttle (e.g. \"1M/1M\", in the NAS profile's syntax)")
        }
        if action != .throttle, rate != nil { throw PlanError(field: path + "rate", "is for throttle only") }
        var fallback: QuotaAction?
        if let text = try reader.string("fallback", optional: true) {
            guard let parsed = QuotaAction(rawValue: text), parsed == .block || parsed == .disconnect else {
                throw PlanError(field: path + "fallback", "'\(text)' is not block or disconnect")
            }
            guard action == .throttle || action == .block else {
                throw PlanError(
                    field: path + "fallback", "only throttle and block can fall back (a \(action.rawValue) has nothing to fall back from)")
            }
            guard parsed.severity > action.severity else {
                throw PlanError(field: path + "fallback", "must restrict more than the action itself (\(action.rawValue))")
            }
            fallback = parsed
        }
        var period = QuotaPeriod.cycle
        if let text = try reader.string("period", optional: true) {
            guard let parsed = QuotaPeriod(rawValue: text) else { throw PlanError(field: path + "period", "'\(text)' is not cycle, day or week") }
            period = parsed
        }
        return QuotaPolicy(threshold: threshold, action: action, rate: rate, fallback: fallback, period: period)
    }

    /// The policy as stored (canonical JSON object).
    var canonicalObject: [String: Any] {
        var object: [String: Any] = ["at": thresholdText, "action": action.rawValue, "period": period.rawValue]
        if case .bytes(let bytes) = threshold { object["at"] = "\(bytes) B" }
        if let rate { object["rate"] = rate }
        if let fallback { object["fallback"] = fallback.rawValue }
        return object
    }
}
