import Accounting
import Foundation

/// A plan file or API body that failed validation, naming the field.
public struct PlanError: Error, Hashable, Sendable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// A plan version as written by people (TOML or JSON file, API body): optional name and
/// effective date, and the terms. Decimal values are strings ("0.50") or integers, never
/// binary floating point; unknown keys are refused so a typo never silently means "free".
public struct PlanDocument: Hashable, Sendable {
    public var name: String?
    public var effectiveFrom: CivilDate?
    public var terms: PlanTerms

    public init(name: String? = nil, effectiveFrom: CivilDate? = nil, terms: PlanTerms) {
        self.name = name
        self.effectiveFrom = effectiveFrom
        self.terms = terms
    }

    static let keys: Set<String> = [
        "name", "effective_from", "currency", "recurring_fee", "unit", "included", "directions",
        "overage", "price", "increment", "tiers", "windows", "usage_cap", "tax_rate",
        "rate", "quota",
    ]

    /// Parses a JSON document (an object).
    public static func parse(json data: Data) throws(PlanError) -> PlanDocument {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw PlanError(field: "document", "not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else { throw PlanError(field: "document", "must be a JSON object") }
        return try parse(dictionary)
    }

    /// Parses a document already read into Foundation values (from JSON or TOML).
    public static func parse(_ object: [String: Any]) throws(PlanError) -> PlanDocument {
        let reader = FieldReader(object: object, path: "")
        try reader.refuseUnknown(keys)
        let name = try reader.string("name", optional: true)
        if let name, name.isEmpty || name.count > 100 || name.contains("\0") {
            throw PlanError(field: "name", "must be 1-100 characters")
        }
        let effectiveFrom = try reader.string("effective_from", optional: true).map { text throws(PlanError) -> CivilDate in
            guard let date = CivilDate(text) else { throw PlanError(field: "effective_from", "'\(text)' is not a date (YYYY-MM-DD)") }
            return date
        }
        guard let currency = try reader.string("currency", optional: false), Currency(code: currency) != nil else {
            throw PlanError(field: "currency", "must be an ISO 4217 code such as EUR")
        }
        var terms = PlanTerms(currency: currency)
        terms.recurringFee = try reader.decimal("recurring_fee", range: 0...1_000_000_000) ?? 0
        if let unit = try reader.string("unit", optional: true) {
            guard let parsed = ByteUnit(rawValue: unit) else {
                throw PlanError(field: "unit", "'\(unit)' is not one of \(ByteUnit.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            terms.unit = parsed
        }
        terms.included = try reader.decimal("included", range: 0...1_000_000_000_000) ?? 0
        if let directions = try reader.string("directions", optional: true) {
            guard let parsed = CountedDirections(rawValue: directions) else {
                throw PlanError(field: "directions", "'\(directions)' is not download, upload or both")
            }
            terms.directions = parsed
        }
        terms.increment = try reader.decimal("increment", range: 0...1_000_000_000)
        if let increment = terms.increment, increment <= 0 { throw PlanError(field: "increment", "must be above 0") }
        terms.usageCap = try reader.decimal("usage_cap", range: 0...1_000_000_000)
        terms.taxRate = try reader.decimal("tax_rate", range: 0...1) ?? 0

        let model = try reader.string("overage", optional: true) ?? "none"
        let price = try reader.decimal("price", range: 0...1_000_000_000)
        let tiers = try reader.tables("tiers").enumerated().map { index, tier throws(PlanError) -> PriceTier in
            let tierReader = FieldReader(object: tier, path: "tiers[\(index)].")
            try tierReader.refuseUnknown(["up_to", "price"])
            guard let price = try tierReader.decimal("price", range: 0...1_000_000_000) else {
                throw PlanError(field: "tiers[\(index)].price", "is required")
            }
            return PriceTier(upTo: try tierReader.decimal("up_to", range: 0...1_000_000_000_000), price: price)
        }
        switch model {
        case "none":
            guard price == nil, tiers.isEmpty else { throw PlanError(field: "overage", "is none, but a price or tiers are given") }
            terms.overage = .none
        case "per_unit":
            guard let price else { throw PlanError(field: "price", "is required when overage is per_unit") }
            guard tiers.isEmpty else { throw PlanError(field: "tiers", "are for graduated or volume overage, not per_unit") }
            terms.overage = .perUnit(price: price)
        case "graduated", "volume":
            guard price == nil else { throw PlanError(field: "price", "is per_unit only; \(model) overage prices its tiers") }
            try validate(tiers: tiers)
            terms.overage = model == "graduated" ? .graduated(tiers) : .volume(tiers)
        default:
            throw PlanError(field: "overage", "'\(model)' is not none, per_unit, graduated or volume")
        }
        terms.windows = try reader.tables("windows").enumerated().map { index, window throws(PlanError) in
            try parseWindow(window, path: "windows[\(index)].")
        }
        if let rate = try reader.string("rate", optional: true) {
            try QuotaPolicy.checkRate(rate, field: "rate")
            terms.rate = rate
        }
        terms.quotas = try reader.tables("quota").enumerated().map { index, policy throws(PlanError) in
            try QuotaPolicy.parse(policy, path: "quota[\(index)].", included: terms.included)
        }
        guard terms.quotas.count <= 20 else { throw PlanError(field: "quota", "at most 20 policies per plan version") }
        if terms.rate == nil, let index = terms.quotas.firstIndex(where: { $0.action.isLasting || $0.fallback?.isLasting == true }) {
            throw PlanError(
                field: "rate",
                "is required with a throttle or block policy (quota[\(index)]): it is the rate lifting the restriction restores, e.g. \"100M/100M\"")
        }
        var seen = Set<String>()
        for (index, policy) in terms.quotas.enumerated() {
            let key = "\(policy.period.rawValue)|\(policy.threshold)"
            guard seen.insert(key).inserted else {
                throw PlanError(field: "quota[\(index)].at", "another policy already acts at \(policy.thresholdText) of the same period")
            }
        }
        return PlanDocument(name: name, effectiveFrom: effectiveFrom, terms: terms)
    }

    static func validate(tiers: [PriceTier]) throws(PlanError) {
        guard !tiers.isEmpty else { throw PlanError(field: "tiers", "at least one tier is required") }
        var previous: Decimal = 0
        for (i, tier) in tiers.enumerated() {
            let isLast = i == tiers.count - 1
            guard let upTo = tier.upTo else {
                if isLast { break }
                throw PlanError(field: "tiers[\(i)].up_to", "only the last tier may leave up_to out")
            }
            guard !isLast else { throw PlanError(field: "tiers[\(i)].up_to", "the last tier must leave up_to out (it has no end)") }
            guard upTo > previous else {
                throw PlanError(field: "tiers[\(i)].up_to", "must be above the previous tier's (\(DecimalText.format(previous)))")
            }
            previous = upTo
        }
    }

    static func parseWindow(_ object: [String: Any], path: String) throws(PlanError) -> TimeWindow {
        let reader = FieldReader(object: object, path: path)
        try reader.refuseUnknown(["name", "from", "to", "days", "factor"])
        let name = try reader.string("name", optional: true) ?? "window"
        guard !name.isEmpty, name.count <= 40, !name.contains("\0") else { throw PlanError(field: path + "name", "must be 1-40 characters") }
        func hour(_ key: String, allow24: Bool) throws(PlanError) -> Int {
            guard let text = try reader.string(key, optional: false) else { throw PlanError(field: path + key, "is required") }
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 2, parts[1] == "00", let h = Int(parts[0]), (0...(allow24 ? 24 : 23)).contains(h) else {
                throw PlanError(field: path + key, "'\(text)' must be a whole hour HH:00 (usage is kept per hour)")
            }
            return h
        }
        let from = try hour("from", allow24: false)
        let to = try hour("to", allow24: true)
        guard from != to else { throw PlanError(field: path + "to", "must differ from 'from'") }
        guard let factor = try reader.decimal("factor", range: 0...100) else {
            throw PlanError(field: path + "factor", "is required (0 = not counted, 0.5 = half)")
        }
        var days: Set<Int>?
        if let list = reader.object["days"] {
            guard let names = list as? [Any], !names.isEmpty else {
                throw PlanError(field: path + "days", "must be a list such as [\"sat\", \"sun\"]")
            }
            var set = Set<Int>()
            for name in names {
                guard let text = name as? String, let index = TimeWindow.dayNames.firstIndex(of: text.lowercased()) else {
                    throw PlanError(field: path + "days", "'\(name)' is not one of mon, tue, wed, thu, fri, sat, sun")
                }
                set.insert(index)
            }
            days = set
        }
        return TimeWindow(name: name, fromHour: from, toHour: to, days: days, factor: factor)
    }
}

/// Reads typed fields of one object, with errors naming the field by its path.
struct FieldReader {
    var object: [String: Any]
    var path: String

    func refuseUnknown(_ known: Set<String>) throws(PlanError) {
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw PlanError(field: path + unknown, "unknown field (known: \(known.sorted().joined(separator: ", ")))")
        }
    }

    func string(_ key: String, optional: Bool) throws(PlanError) -> String? {
        guard let value = object[key], !(value is NSNull) else {
            if optional { return nil }
            throw PlanError(field: path + key, "is required")
        }
        guard let text = value as? String else { throw PlanError(field: path + key, "must be a string") }
        return text
    }

    /// A decimal from a string ("0.50") or an integer; binary floating point is refused.
    func decimal(_ key: String, range: ClosedRange<Decimal>) throws(PlanError) -> Decimal? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        let parsed: Decimal?
        if let text = value as? String {
            parsed = DecimalText.parse(text)
        } else if type(of: value) == Int.self, let integer = value as? Int {
            parsed = Decimal(integer)
        } else if type(of: value) != Bool.self, let number = value as? NSNumber,
            !String(describing: type(of: number)).contains("Boolean"),
            number.stringValue.allSatisfy({ $0.isNumber || $0 == "-" })
        {
            // A JSON integer (Foundation hands booleans over as NSNumber too, hence the type check).
            parsed = DecimalText.parse(number.stringValue)
        } else {
            throw PlanError(field: path + key, "must be a decimal string such as \"0.50\" or an integer")
        }
        guard let parsed else { throw PlanError(field: path + key, "'\(value)' is not a decimal number such as 0.50") }
        guard range.contains(parsed) else {
            throw PlanError(field: path + key, "must be between \(DecimalText.format(range.lowerBound)) and \(DecimalText.format(range.upperBound))")
        }
        return parsed
    }

    func tables(_ key: String) throws(PlanError) -> [[String: Any]] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        guard let list = value as? [Any] else { throw PlanError(field: path + key, "must be a list of objects") }
        return try list.enumerated().map { index, item throws(PlanError) in
            guard let table = item as? [String: Any] else { throw PlanError(field: "\(path)\(key)[\(index)]", "must be an object") }
            return table
        }
    }
}

extension PlanTerms {
    /// The terms as a JSON object with sorted keys and decimal strings: how they are stored,
    /// and what `PlanDocument.parse` reads back to equal terms.
    public var canonicalJSON: String {
        var object: [String: Any] = [
            "currency": currency,
            "recurring_fee": DecimalText.format(recurringFee, maximumFractionDigits: 18),
            "unit": unit.rawValue,
            "included": DecimalText.format(included, maximumFractionDigits: 18),
            "directions": directions.rawValue,
            "tax_rate": DecimalText.format(taxRate, maximumFractionDigits: 18),
        ]
        func tierObjects(_ tiers: [PriceTier]) -> [[String: Any]] {
            tiers.map { tier in
                var t: [String: Any] = ["price": DecimalText.format(tier.price, maximumFractionDigits: 18)]
                if let upTo = tier.upTo { t["up_to"] = DecimalText.format(upTo, maximumFractionDigits: 18) }
                return t
            }
        }
        switch overage {
        case .none: object["overage"] = "none"
        case .perUnit(let price):
            object["overage"] = "per_unit"
            object["price"] = DecimalText.format(price, maximumFractionDigits: 18)
        case .graduated(let tiers):
            object["overage"] = "graduated"
            object["tiers"] = tierObjects(tiers)
        case .volume(let tiers):
            object["overage"] = "volume"
            object["tiers"] = tierObjects(tiers)
        }
        if let increment { object["increment"] = DecimalText.format(increment, maximumFractionDigits: 18) }
        if let usageCap { object["usage_cap"] = DecimalText.format(usageCap, maximumFractionDigits: 18) }
        if !windows.isEmpty {
            object["windows"] = windows.map { w -> [String: Any] in
                func hh(_ h: Int) -> String { h < 10 ? "0\(h):00" : "\(h):00" }
                var o: [String: Any] = [
                    "name": w.name, "from": hh(w.fromHour), "to": hh(w.toHour),
                    "factor": DecimalText.format(w.factor, maximumFractionDigits: 18),
                ]
                if let days = w.days { o["days"] = days.sorted().map { TimeWindow.dayNames[$0] } }
                return o
            }
        }
        if let rate { object["rate"] = rate }
        if !quotas.isEmpty { object["quota"] = quotas.map(\.canonicalObject) }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
