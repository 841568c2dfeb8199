import Accounting
import Foundation

/// What an invoice line charges for.
public enum LineKind: String, Hashable, Sendable, CaseIterable, Codable {
    case recurringFee = "recurring_fee"
    /// Usage inside the allowance: zero amount, shows how much of it was used.
    case includedUsage = "included_usage"
    /// Usage in a time-of-day window, counted with the window's factor: zero amount, shows
    /// how much usage the window took out of (or added to) the counted total.
    case timeOfDay = "time_of_day"
    case overage
    /// Reduces usage charges to the plan's cap (negative amount).
    case cap
    /// Corrects a finalized period: credit (negative) or debit.
    case adjustment
}

/// One line of an invoice: enough to explain every cent of it.
public struct InvoiceLine: Hashable, Sendable {
    public var kind: LineKind
    /// Identifies the line across re-ratings of the same period (kind, plan version, segment,
    /// tier or window), so corrections can say which line they correct.
    public var key: String
    public var description: String
    public var quantity: Decimal
    public var unit: String
    public var unitPrice: Decimal
    /// Minor units of the invoice currency, rounded once.
    public var amount: Int64
    public var taxRate: Decimal
    /// Minor units: the line's amount times its tax rate, rounded once.
    public var tax: Int64
    public var planVersionID: Int64?
    /// Local days the line covers, `until` exclusive.
    public var from: CivilDate
    public var until: CivilDate
    /// Counted bytes the line rests on (usage lines).
    public var usageBytes: Int64?
    /// The finalized period an adjustment corrects (`YYYY-MM`).
    public var correctsPeriod: String?

    public init(
        kind: LineKind, key: String, description: String, quantity: Decimal, unit: String, unitPrice: Decimal,
        amount: Int64, taxRate: Decimal, tax: Int64, planVersionID: Int64?, from: CivilDate, until: CivilDate,
        usageBytes: Int64? = nil, correctsPeriod: String? = nil
    ) {
        self.kind = kind
        self.key = key
        self.description = description
        self.quantity = quantity
        self.unit = unit
        self.unitPrice = unitPrice
        self.amount = amount
        self.taxRate = taxRate
        self.tax = tax
        self.planVersionID = planVersionID
        self.from = from
        self.until = until
        self.usageBytes = usageBytes
        self.correctsPeriod = correctsPeriod
    }
}

/// Totals of a list of lines.
public struct InvoiceTotals: Hashable, Sendable {
    public var subtotal: Int64
    public var tax: Int64
    public var total: Int64 { subtotal + tax }

    public init(_ lines: [InvoiceLine]) {
        subtotal = lines.reduce(0) { $0 + $1.amount }
        tax = lines.reduce(0) { $0 + $1.tax }
    }
}
