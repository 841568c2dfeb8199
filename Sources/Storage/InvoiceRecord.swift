import Accounting
import Foundation
import Rating

/// An invoice as stored, with its lines when read one by one.
public struct InvoiceRecord: Hashable, Sendable {
    public var id: Int64
    public var subscriber: String
    public var period: String
    public var periodStart: String
    public var periodEnd: String
    public var currency: String
    public var status: String
    public var subtotal: Int64
    public var tax: Int64
    public var total: Int64
    public var ratedAt: String
    public var finalizedAt: String?
    public var lines: [InvoiceLine]

    public init(
        id: Int64, subscriber: String, period: String, periodStart: String, periodEnd: String, currency: String, status: String,
        subtotal: Int64, tax: Int64, total: Int64, ratedAt: String, finalizedAt: String?, lines: [InvoiceLine]
    ) {
        self.id = id
        self.subscriber = subscriber
        self.period = period
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.currency = currency
        self.status = status
        self.subtotal = subtotal
        self.tax = tax
        self.total = total
        self.ratedAt = ratedAt
        self.finalizedAt = finalizedAt
        self.lines = lines
    }
}
