import Storage

/// An invoice as the API (GET /v1/invoices, GET /v1/invoices/{id}), the CLI
/// (`tollgate invoice list|show`) and the console show it.
///
/// JSON fields are snake_case (`period_start`, `rated_at`, ...); absent values (`finalized_at`
/// of a draft, `lines` of a listing) are left out.
public struct InvoicePresentation: TabularPresentation, Hashable {
    /// The invoice's id within the tenant's database.
    public var id: Int64
    /// The subscriber's User-Name.
    public var user: String
    /// The billing period, YYYY-MM.
    public var period: String
    /// First local day of the period, YYYY-MM-DD.
    public var periodStart: String
    /// The local day after the period, YYYY-MM-DD (exclusive).
    public var periodEnd: String
    /// "draft" (re-rated by every run) or "final" (never changes again).
    public var status: String
    /// ISO 4217 code of every amount on the invoice.
    public var currency: String
    /// Exact decimal text in the currency's major unit ("44.90"), as `PresentedValue.money` writes it.
    public var subtotal: String
    /// Exact decimal text in the currency's major unit.
    public var tax: String
    /// Exact decimal text in the currency's major unit: subtotal plus tax.
    public var total: String
    /// When the invoice was last rated (UTC timestamp as Storage writes it).
    public var ratedAt: String
    /// When the invoice was made final; nil for a draft.
    public var finalizedAt: String?
    /// The lines, numbered from 1, when one invoice is shown; nil in listings.
    public var lines: [InvoiceLinePresentation]?

    /// `invoice` without its lines, as listings show it.
    public init(_ invoice: InvoiceRecord) {
        id = invoice.id
        user = invoice.subscriber
        period = invoice.period
        periodStart = invoice.periodStart
        periodEnd = invoice.periodEnd
        status = invoice.status
        currency = invoice.currency
        subtotal = PresentedValue.money(invoice.subtotal, currency: invoice.currency)
        tax = PresentedValue.money(invoice.tax, currency: invoice.currency)
        total = PresentedValue.money(invoice.total, currency: invoice.currency)
        ratedAt = invoice.ratedAt
        finalizedAt = invoice.finalizedAt
    }

    /// `invoice` with its lines, as one invoice is shown.
    public init(withLines invoice: InvoiceRecord) {
        self.init(invoice)
        lines = InvoiceLinePresentation.lines(of: invoice)
    }

    public static let columns = [
        "id", "user", "period", "period_start", "period_end", "status", "currency", "subtotal", "tax", "total",
        "rated_at", "finalized_at",
    ]

    /// One row per invoice; `lines` are not part of it (they are exported on their own).
    public var cells: [String?] {
        [String(id), user, period, periodStart, periodEnd, status, currency, subtotal, tax, total, ratedAt, finalizedAt]
    }

    // The API's names, written out so that they do not depend on an encoder's key strategy.
    enum CodingKeys: String, CodingKey {
        case id, user, period, status, currency, subtotal, tax, total, lines
        case periodStart = "period_start"
        case periodEnd = "period_end"
        case ratedAt = "rated_at"
        case finalizedAt = "finalized_at"
    }
}
