import Foundation

/// Strict decimal texts for prices, quantities and factors: `12`, `0.50`, `-3.125`.
///
/// Foundation's `Decimal(string:)` accepts trailing garbage ("1.5x" is 1.5) and exponents;
/// money must not be read that leniently.
public enum DecimalText {
    /// The value of `text`, or nil unless it is an optional '-', digits, and optionally '.' and digits.
    public static func parse(_ text: String) -> Decimal? {
        let bytes = Array(text.utf8)
        var i = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        var integerDigits = 0
        while i < bytes.count, isDigit(bytes[i]) {
            i += 1
            integerDigits += 1
        }
        guard integerDigits > 0, integerDigits <= 20 else { return nil }
        if i < bytes.count {
            guard bytes[i] == UInt8(ascii: "."), i + 1 < bytes.count else { return nil }
            i += 1
            var fractionDigits = 0
            while i < bytes.count, isDigit(bytes[i]) {
                i += 1
                fractionDigits += 1
            }
            guard i == bytes.count, fractionDigits <= 18 else { return nil }
        }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// Plain text without exponent, at most `maximumFractionDigits` decimals (rounded half-even),
    /// trailing zeros removed: 1.50 -> "1.5", 2 -> "2".
    public static func format(_ value: Decimal, maximumFractionDigits: Int = 9) -> String {
        plainText(value, maximumFractionDigits: maximumFractionDigits) ?? generalText(value, maximumFractionDigits: maximumFractionDigits)
    }

    /// `format` through Foundation's conversion: any magnitude.
    static func generalText(_ value: Decimal, maximumFractionDigits: Int) -> String {
        let rounded = RoundingMode.halfEven.round(value, scale: maximumFractionDigits)
        if rounded.isZero { return "0" }
        var text = NSDecimalNumber(decimal: rounded).description(withLocale: Locale(identifier: "en_US_POSIX"))
        if text.contains("."), !text.contains("e"), !text.contains("E") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// `format` for the common case of a significand below 10^18, built from the significand's
    /// digits: Foundation's Decimal-to-text conversion divides by ten digit by digit and costs
    /// microseconds. Nil when the value needs that general path.
    static func plainText(_ value: Decimal, maximumFractionDigits: Int) -> String? {
        guard !value.isNaN, maximumFractionDigits >= 0 else { return nil }
        // Rounding is the identity when there are no more fraction digits than allowed.
        let rounded = value.exponent < -maximumFractionDigits ? RoundingMode.halfEven.round(value, scale: maximumFractionDigits) : value
        if rounded.isZero { return "0" }
        let exponent = rounded.exponent
        guard exponent <= 18 else { return nil }
        guard rounded.significand < Self.significandLimit else { return nil }
        var digits = Array(String(NSDecimalNumber(decimal: rounded.significand).uint64Value).utf8)
        if exponent > 0 {
            digits += repeatElement(UInt8(ascii: "0"), count: exponent)
        } else if exponent < 0 {
            let fractionDigits = -exponent
            if digits.count <= fractionDigits {
                digits.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: fractionDigits - digits.count + 1), at: 0)
            }
            digits.insert(UInt8(ascii: "."), at: digits.count - fractionDigits)
            while digits.last == UInt8(ascii: "0") { digits.removeLast() }
            if digits.last == UInt8(ascii: ".") { digits.removeLast() }
        }
        if rounded.sign == .minus { digits.insert(UInt8(ascii: "-"), at: 0) }
        return String(decoding: digits, as: UTF8.self)
    }

    private static let significandLimit = Decimal(sign: .plus, exponent: 18, significand: 1)

    private static func isDigit(_ b: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) }
}
