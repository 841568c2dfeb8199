import Accounting
import Foundation
import Rating

/// How money, decimals, byte counts and dates are written wherever a presentation shows them,
/// so that the API, the CLI and the console never disagree by a digit.
public enum PresentedValue {
    /// Minor units as exact decimal text in the currency's major unit: 1234 EUR is "12.34",
    /// 1234 JPY "1234". An unknown currency code shows the minor units as they are, since
    /// guessing an exponent could misstate the amount.
    public static func money(_ minorUnits: Int64, currency: String) -> String {
        Currency(code: currency)?.format(minorUnits: minorUnits) ?? String(minorUnits)
    }

    /// A quantity as plain decimal text without exponent or trailing zeros ("30", "0.5").
    public static func quantity(_ value: Decimal) -> String {
        DecimalText.format(value)
    }

    /// A price or rate with every digit it was given (up to 18 fraction digits), so that a
    /// price of 0.000000000123 per byte is not shown as 0.
    public static func rate(_ value: Decimal) -> String {
        DecimalText.format(value, maximumFractionDigits: 18)
    }

    /// A byte or second count as a plain integer in decimal, never scaled or grouped: exports
    /// are summed by spreadsheets and scripts.
    public static func count(_ value: Int64) -> String {
        String(value)
    }

    /// A local calendar day as YYYY-MM-DD.
    public static func day(_ date: CivilDate) -> String {
        date.description
    }
}
