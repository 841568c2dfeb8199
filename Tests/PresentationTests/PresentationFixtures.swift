import Accounting
import Foundation
import Rating
import Storage

/// Known invoices and the JSON encoders the presentations are shown with.
enum Fixtures {
    /// A subscriber name a spreadsheet would run as a command (DDE) if it were written as it is.
    static let hostileUser = "=cmd|' /C calc'!A0"

    static func day(_ text: String) -> CivilDate { CivilDate(text)! }

    static let overage = InvoiceLine(
        kind: .overage, key: "overage:7", description: "Home 100: usage beyond the allowance, 30 GB at 0.5",
        quantity: 30, unit: "GB", unitPrice: Decimal(string: "0.5")!, amount: 1500, taxRate: Decimal(string: "0.2")!,
        tax: 300, planVersionID: 7, from: day("2026-11-01"), until: day("2026-12-01"), usageBytes: 130_000_000_000)

    /// A credit whose description starts like a formula and holds a comma, quotes and a line break.
    static let credit = InvoiceLine(
        kind: .adjustment, key: "adjustment:2026-10", description: "+SUM(A1), \"corrected\"\nOctober",
        quantity: 1, unit: "GB", unitPrice: Decimal(string: "0.000000000123")!, amount: -250,
        taxRate: Decimal(string: "0.2")!, tax: -50, planVersionID: nil, from: day("2026-10-01"), until: day("2026-11-01"),
        correctsPeriod: "2026-10")

    static let draft = InvoiceRecord(
        id: 42, subscriber: hostileUser, period: "2026-11", periodStart: "2026-11-01", periodEnd: "2026-12-01",
        currency: "EUR", status: "draft", subtotal: 4490, tax: 898, total: 5388, ratedAt: "2026-11-28T10:00:00Z",
        finalizedAt: nil, lines: [overage, credit])

    static let final = InvoiceRecord(
        id: 7, subscriber: "carol", period: "2026-10", periodStart: "2026-10-05", periodEnd: "2026-11-05",
        currency: "JPY", status: "final", subtotal: 2990, tax: 299, total: 3289, ratedAt: "2026-11-05T00:00:01Z",
        finalizedAt: "2026-11-05T00:05:00Z", lines: [])

    /// The API's encoder (TollgateAPI.encoder): snake_case keys, sorted, slashes as they are.
    static func apiJSON(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// An encoder with no key strategy, as the console or another writer may use.
    static func plainJSON(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
