import Accounting
import Foundation
import Storage

/// How the console writes byte counts: the exact integer with thin-space grouping for the
/// eye, and a short human figure in decimal units for the title.
///
/// Every usage figure of the usage pages goes through here, so the shared presentation of
/// usage can replace this one place.
enum UsageFormat {
    /// `1 234 567` (narrow no-break spaces between groups of three digits).
    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append("\u{202F}") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// `1.23 GB`: decimal units (as plans count them), three significant digits at most.
    static func human(_ value: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var amount = Double(value.magnitude)
        var unit = 0
        while amount >= 1000, unit < units.count - 1 {
            amount /= 1000
            unit += 1
        }
        let sign = value < 0 ? "-" : ""
        if unit == 0 { return "\(sign)\(value.magnitude) B" }
        let text = amount >= 100 ? String(format: "%.0f", amount) : amount >= 10 ? String(format: "%.1f", amount) : String(format: "%.2f", amount)
        return "\(sign)\(text) \(units[unit])"
    }

    /// A figure as a table cell shows it: raw value, grouped digits, human title.
    struct Bytes: Sendable {
        var value: Int64
        var text: String
        var human: String

        init(_ value: Int64) {
            self.value = value
            text = UsageFormat.grouped(value)
            human = UsageFormat.human(value)
        }
    }

    /// Used against allowance as a whole percentage (floor), nil without an allowance.
    static func percent(used: Int64, of allowance: Int64) -> Int? {
        guard allowance > 0 else { return nil }
        return Int(max(-1_000_000, min(1_000_000, (Double(used) / Double(allowance) * 100).rounded(.down))))
    }

    /// A RADIUS Acct-Terminate-Cause as its RFC 2866 name.
    static func terminateCause(_ code: Int?) -> String {
        guard let code else { return "" }
        return code >= 0 && code <= Int(UInt32.max) ? TerminateCause.names[UInt32(code)].map { "\($0) (\(code))" } ?? String(code) : String(code)
    }
}
