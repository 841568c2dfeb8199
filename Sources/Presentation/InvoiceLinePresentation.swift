import Rating
import Storage

/// One invoice line with the identity of its invoice, as the API (GET /v1/invoices/export,
/// the `lines` of GET /v1/invoices/{id}), the CLI (`tollgate invoice show|export`) and the
/// console show it.
///
/// JSON fields are snake_case (`invoice_id`, `unit_price`, ...); absent values
/// (`plan_version_id`, `usage_bytes`, `corrects_period`) are left out.
public struct InvoiceLinePresentation: TabularPresentation, Hashable {
    /// The id of the invoice the line is on.
    public var invoiceId: Int64
    /// The invoice's subscriber (User-Name).
    public var user: String
    /// The invoice's billing period, YYYY-MM.
    public var period: String
    /// The invoice's status, "draft" or "final".
    public var status: String
    /// ISO 4217 code of `amount` and `tax`.
    public var currency: String
    /// 1-based position of the line on its invoice.
    public var position: Int
    /// What the line charges for: recurring_fee, included_usage, time_of_day, overage, cap or adjustment.
    public var kind: String
    /// The line as a person reads it ("Home 100: usage beyond the allowance, 30 GB at 0.5").
    public var description: String
    /// Exact decimal text ("30", "0.5").
    public var quantity: String
    /// The unit of `quantity` ("GB", "month", ...).
    public var unit: String
    /// Exact decimal text with up to 18 fraction digits, in the currency's major unit per `unit`.
    public var unitPrice: String
    /// Exact decimal text in the currency's major unit ("15.00"); negative for credits.
    public var amount: String
    /// Exact decimal text: 0.2 is 20 %.
    public var taxRate: String
    /// Exact decimal text in the currency's major unit.
    public var tax: String
    /// The plan version that priced the line; nil for lines no version priced.
    public var planVersionId: Int64?
    /// First local day the line covers, YYYY-MM-DD.
    public var coversFrom: String
    /// The local day after the last one the line covers, YYYY-MM-DD (exclusive).
    public var coversUntil: String
    /// Counted bytes the line rests on (usage lines), as an integer.
    public var usageBytes: Int64?
    /// The final period an adjustment line corrects, YYYY-MM.
    public var correctsPeriod: String?

    /// Line `line`, at 1-based `position`, of `invoice`.
    public init(invoice: InvoiceRecord, position: Int, line: InvoiceLine) {
        invoiceId = invoice.id
        user = invoice.subscriber
        period = invoice.period
        status = invoice.status
        currency = invoice.currency
        self.position = position
        kind = line.kind.rawValue
        description = line.description
        quantity = PresentedValue.quantity(line.quantity)
        unit = line.unit
        unitPrice = PresentedValue.rate(line.unitPrice)
        amount = PresentedValue.money(line.amount, currency: invoice.currency)
        taxRate = PresentedValue.rate(line.taxRate)
        tax = PresentedValue.money(line.tax, currency: invoice.currency)
        planVersionId = line.planVersionID
        coversFrom = PresentedValue.day(line.from)
        coversUntil = PresentedValue.day(line.until)
        usageBytes = line.usageBytes
        correctsPeriod = line.correctsPeriod
    }

    /// A line of an export.
    public init(_ exported: ExportedLine) {
        self.init(invoice: exported.invoice, position: exported.position, line: exported.line)
    }

    /// Every line of `invoice`, numbered from 1.
    public static func lines(of invoice: InvoiceRecord) -> [InvoiceLinePresentation] {
        invoice.lines.enumerated().map { InvoiceLinePresentation(invoice: invoice, position: $0.offset + 1, line: $0.element) }
    }

    /// Every line of `invoices`, in their order.
    public static func lines(of invoices: [InvoiceRecord]) -> [InvoiceLinePresentation] {
        invoices.flatMap { lines(of: $0) }
    }

    public static let columns = [
        "invoice_id", "user", "period", "status", "currency", "position", "kind", "description", "quantity", "unit",
        "unit_price", "amount", "tax_rate", "tax", "plan_version_id", "covers_from", "covers_until", "usage_bytes",
        "corrects_period",
    ]

    public var cells: [String?] {
        [
            String(invoiceId), user, period, status, currency, String(position), kind, description, quantity, unit, unitPrice, amount, taxRate, tax,
            planVersionId.map(String.init), coversFrom, coversUntil, usageBytes.map(PresentedValue.count), correctsPeriod,
        ]
    }

    // The API's names, written out so that they do not depend on an encoder's key strategy.
    enum CodingKeys: String, CodingKey {
        case user, period, status, currency, position, kind, description, quantity, unit, amount, tax
        case invoiceId = "invoice_id"
        case unitPrice = "unit_price"
        case taxRate = "tax_rate"
        case planVersionId = "plan_version_id"
        case coversFrom = "covers_from"
        case coversUntil = "covers_until"
        case usageBytes = "usage_bytes"
        case correctsPeriod = "corrects_period"
    }
}
