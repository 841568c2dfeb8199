import Accounting
import Foundation
import Rating

/// The invoices of one billing period taken together: what an invoice run left.
public struct InvoiceRunSummary: Hashable, Sendable {
    public var period: String
    public var currency: String
    public var drafts: Int
    public var finals: Int
    /// Lines of the period's invoices (counted for one period's summary, nil in the list).
    public var lines: Int?
    /// Minor units, summed over the period's invoices.
    public var subtotal: Int64
    public var tax: Int64
    public var total: Int64
    /// UTC `YYYY-MM-DDTHH:MM:SSZ` of the latest rating and finalization.
    public var lastRatedAt: String
    public var finalizedAt: String?

    /// draft, final, or partly final (a period some of whose invoices were finalized before
    /// others were rated).
    public var state: String { drafts == 0 ? "final" : (finals == 0 ? "draft" : "partly final") }
}
