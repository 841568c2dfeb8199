import Accounting
import Foundation
import Presentation
import Rating
import Storage

/// How the billing pages show invoices, their lines and byte counts. Money is written as the
/// API and the CLI write it (`PresentedValue`); bytes as the usage pages write them
/// (`UsageFormat`: exact integers grouped by narrow spaces, human units beside).
enum BillingPresentation {
    /// "19.90" for 1990 minor units of EUR: the presentation the API and the CLI write.
    static func money(_ minor: Int64, _ currency: String) -> String {
        PresentedValue.money(minor, currency: currency)
    }

    /// "1 234 567": the usage pages' grouping of exact byte counts.
    static func bytes(_ value: Int64) -> String { UsageFormat.grouped(value) }

    /// "1.23 GB": the usage pages' human size, for the eye only.
    static func humanBytes(_ value: Int64) -> String { UsageFormat.human(value) }

    /// An exact decimal as text (quantities, prices, factors).
    static func decimal(_ value: Decimal) -> String { DecimalText.format(value, maximumFractionDigits: 18) }

    /// UTC `YYYY-MM-DDTHH:00Z` of an hour's start (the id of an hourly bucket in URLs).
    static func hour(_ seconds: Int64) -> String {
        String(instant(seconds: seconds).prefix(13)) + ":00Z"
    }

    /// Reads `hour(_:)` back; nil unless it is such a text on a whole hour.
    static func hour(_ text: String) -> Int64? {
        let parts = Array(text.utf8)
        guard parts.count == 17, text.hasSuffix(":00Z"), parts[10] == UInt8(ascii: "T"),
            let day = CivilDate(String(text.prefix(10))), let h = Int(String(text.dropFirst(11).prefix(2))), (0...23).contains(h)
        else { return nil }
        return day.dayNumber * 86400 + Int64(h) * 3600
    }

    /// UTC `YYYY-MM-DDTHH:MM:SSZ` of seconds since 1970.
    static func instant(seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let second = Int(seconds - days * 86400)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(CivilDate(dayNumber: days))T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))Z"
    }

    /// UTC `YYYY-MM-DDTHH:MM:SS.ffffffZ` of microseconds since 1970.
    static func instant(microseconds: Int64) -> String {
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        var fraction = String(microseconds - seconds * 1_000_000)
        while fraction.count < 6 { fraction = "0" + fraction }
        return String(instant(seconds: seconds).dropLast()) + "." + fraction + "Z"
    }
}

/// An invoice as a row or a heading of the billing pages.
struct InvoiceView {
    var id: Int64
    var user: String
    var period: String
    var periodStart: String
    var periodEnd: String
    var status: String
    var isDraft: Bool
    var currency: String
    var subtotal: String
    var tax: String
    var total: String
    var ratedAt: String
    var finalizedAt: String?
    var href: String

    init(_ invoice: InvoiceRecord) {
        id = invoice.id
        user = invoice.subscriber
        period = invoice.period
        periodStart = invoice.periodStart
        periodEnd = invoice.periodEnd
        status = invoice.status
        isDraft = invoice.status == "draft"
        currency = invoice.currency
        subtotal = BillingPresentation.money(invoice.subtotal, invoice.currency)
        tax = BillingPresentation.money(invoice.tax, invoice.currency)
        total = BillingPresentation.money(invoice.total, invoice.currency)
        ratedAt = invoice.ratedAt
        finalizedAt = invoice.finalizedAt
        href = "/console/invoices/\(ConsolePath.segment(invoice.period))/\(invoice.id)"
    }
}

/// An invoice line as a row: what it charges, for which days, on how many bytes.
struct LineView {
    var position: Int
    var kind: String
    var description: String
    var quantity: String
    var unit: String
    var unitPrice: String
    var amount: String
    var taxRate: String
    var tax: String
    var from: String
    /// The last day the line covers (the stored `until` is exclusive).
    var through: String
    var usageBytes: String?
    var usageBytesValue: String?
    var usageBytesHuman: String?
    var planVersionID: String?
    var correctsPeriod: String?
    /// The line's drill-down, for lines that rest on usage.
    var drill: String?

    init(_ line: InvoiceLine, position: Int, currency: String, invoiceHref: String?) {
        self.position = position
        kind = line.kind.rawValue
        description = line.description
        quantity = BillingPresentation.decimal(line.quantity)
        unit = line.unit
        unitPrice = BillingPresentation.decimal(line.unitPrice)
        amount = BillingPresentation.money(line.amount, currency)
        taxRate = BillingPresentation.decimal(line.taxRate)
        tax = BillingPresentation.money(line.tax, currency)
        from = line.from.description
        through = line.until.adding(days: -1).description
        usageBytes = line.usageBytes.map(BillingPresentation.bytes)
        usageBytesValue = line.usageBytes.map(String.init)
        usageBytesHuman = line.usageBytes.map(BillingPresentation.humanBytes)
        planVersionID = line.planVersionID.map(String.init)
        correctsPeriod = line.correctsPeriod
        let restsOnUsage = [LineKind.includedUsage, .overage, .timeOfDay].contains(line.kind) && line.planVersionID != nil
        drill = restsOnUsage ? invoiceHref.map { "\($0)/lines/\(position)" } : nil
    }
}

/// Totals of a list of lines as the pages show them.
struct TotalsView {
    var subtotal: String
    var tax: String
    var total: String

    init(_ lines: [InvoiceLine], currency: String) {
        let totals = InvoiceTotals(lines)
        subtotal = BillingPresentation.money(totals.subtotal, currency)
        tax = BillingPresentation.money(totals.tax, currency)
        total = BillingPresentation.money(totals.total, currency)
    }
}
