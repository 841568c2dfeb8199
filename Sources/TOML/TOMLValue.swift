/// A value of a TOML document, as the configuration, vendor profile and plan readers see it.
///
/// Floating-point values keep their decimal text (the shortest that reads back as the same
/// number), so readers that refuse binary floating point take them as exact decimals.
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    /// A number with a fractional part or an exponent, as decimal text ("0.5", "1e+20").
    case decimal(String)
    case boolean(Bool)
    /// An offset date-time, local date-time, local date or local time, as its RFC 3339 text.
    case dateTime(String)
    case array([TOMLValue])
    /// A `[table]`, a dotted key's table or an inline `{ ... }` table.
    case table([String: TOMLValue])
    /// `[[array-of-tables]]`, or an array whose items are all inline tables.
    case tables([[String: TOMLValue]])
}
