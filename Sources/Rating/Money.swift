import Foundation

/// An ISO 4217 currency and the number of digits of its minor unit.
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    public var code: String
    /// Digits after the decimal point: EUR 2, JPY 0, BHD 3.
    public var exponent: Int

    /// The currency with this code; nil unless it is three letters A-Z.
    public init?(code: String) {
        guard code.utf8.count == 3, code.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else { return nil }
        self.code = code
        exponent = Self.exponents[code] ?? 2
    }

    public var description: String { code }

    /// Minor units per major unit: 100 for EUR, 1 for JPY, 1000 for BHD.
    public var minorUnitsPerMajor: Decimal { Decimal(sign: .plus, exponent: exponent, significand: 1) }

    /// Currencies whose minor unit is not hundredths (ISO 4217 list); every other code has 2.
    static let exponents: [String: Int] = [
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
        "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
        "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
        "CLF": 4, "UYW": 4,
    ]

    /// Minor units as a decimal text in major units: 1990 EUR -> "19.90", 5 JPY -> "5", -1 BHD -> "-0.001".
    public func format(minorUnits: Int64) -> String {
        guard exponent > 0 else { return String(minorUnits) }
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        var fraction = String(magnitude % divisor)
        while fraction.count < exponent { fraction = "0" + fraction }
        return (negative ? "-" : "") + String(magnitude / divisor) + "." + fraction
    }
}

/// How an exact amount becomes whole minor units; applied once per invoice line.
public enum RoundingMode: String, Hashable, Sendable, CaseIterable, Codable {
    /// Ties to the even neighbour (banker's rounding), the default: no drift over many lines.
    case halfEven = "half-even"
    /// Ties away from zero, as most people round by hand.
    case halfUp = "half-up"
    /// Ties towards zero.
    case halfDown = "half-down"
    /// Always towards positive infinity.
    case ceiling
    /// Always towards negative infinity.
    case floor

    /// `value` rounded to `scale` digits after the decimal point.
    public func round(_ value: Decimal, scale: Int) -> Decimal {
        var input = value
        var result = Decimal()
        switch self {
        case .halfEven: NSDecimalRound(&result, &input, scale, .bankers)
        case .halfUp: NSDecimalRound(&result, &input, scale, .plain)
        case .ceiling: NSDecimalRound(&result, &input, scale, .up)
        case .floor: NSDecimalRound(&result, &input, scale, .down)
        case .halfDown:
            // Ties towards zero: round half up the magnitude unless it is exactly a tie.
            var magnitude = value < 0 ? -value : value
            var truncated = Decimal()
            NSDecimalRound(&truncated, &magnitude, scale, .down)
            let step = Decimal(sign: .plus, exponent: -scale, significand: 1)
            let remainder = magnitude - truncated
            let half = step / 2
            let rounded = remainder > half ? truncated + step : truncated
            result = value < 0 ? -rounded : rounded
        }
        return result
    }
}

extension RoundingMode {
    /// `value` rounded to a whole number, as Int64.
    func roundedInt64(_ value: Decimal) -> Int64 {
        NSDecimalNumber(decimal: round(value, scale: 0)).int64Value
    }
}

/// Rounds exact amounts in major units to whole minor units of one currency.
public struct MoneyRounder: Sendable {
    public var currency: Currency
    public var mode: RoundingMode

    public init(currency: Currency, mode: RoundingMode) {
        self.currency = currency
        self.mode = mode
    }

    /// `amount` (major units, exact) rounded once to minor units.
    public func minorUnits(_ amount: Decimal) -> Int64 {
        mode.roundedInt64(amount * currency.minorUnitsPerMajor)
    }
}
