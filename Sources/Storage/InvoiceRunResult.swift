import Accounting
import Foundation
import Rating

/// What `invoice run` did.
public struct InvoiceRunResult: Hashable, Sendable {
    /// The period asked for.
    public var period: String
    /// The period whose drafts were written: the one asked for, or the first open one after
    /// it when it is closed (its invoices are final). Counts and totals are of these drafts.
    public var ratedPeriod: String
    /// Draft invoices created or re-rated.
    public var drafts: Int = 0
    public var finalized: Int = 0
    /// Draft invoices removed because no plan covers the period any more.
    public var removed: Int = 0
    public var adjustmentLines: Int = 0
    public var lines: Int = 0
    public var subtotal: Int64 = 0
    public var tax: Int64 = 0
    public var unassigned: [UnassignedUsageRow] = []
}
