import Presentation
import Rating
import Storage

/// What an invoice run did, its sums as money text of the tenant's currency.
struct InvoiceRunOutput: Encodable, Sendable {
    var period: String
    var ratedPeriod: String
    var drafts: Int
    var finalized: Int
    var removed: Int
    var lines: Int
    var adjustmentLines: Int
    var currency: String
    var subtotal: String
    var tax: String
    var total: String
    var unassigned: [UnassignedUsage]

    init(_ result: InvoiceRunResult, currency: String) {
        period = result.period
        ratedPeriod = result.ratedPeriod
        drafts = result.drafts
        finalized = result.finalized
        removed = result.removed
        lines = result.lines
        adjustmentLines = result.adjustmentLines
        self.currency = currency
        subtotal = PresentedValue.money(result.subtotal, currency: currency)
        tax = PresentedValue.money(result.tax, currency: currency)
        total = PresentedValue.money(result.subtotal + result.tax, currency: currency)
        unassigned = result.unassigned.map { UnassignedUsage(user: $0.userName, uploadBytes: $0.uploadBytes, downloadBytes: $0.downloadBytes) }
    }
}
