import Accounting
import ArgumentParser
import Rating
import Storage

/// `tollgate invoice run`: a billing period's drafts, rated again from the current usage and plans.
struct InvoiceRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Create or re-rate the draft invoices of a billing period.",
        discussion: """
            Drafts are re-rated from the current usage and plans; the same inputs give identical lines. \
            Final invoices never change: a subscriber whose invoice for the period is final gets the corrections \
            (adjustment lines) on the next period's draft. Usage of User-Names on no plan is listed as unassigned.
            """)
    @OptionGroup var tenant: TenantOption
    @Option(help: "Billing period YYYY-MM: from the tenant's billing day of that month.") var period: String
    @Flag(help: "Make the period's drafts final after rating them.") var finalize = false
    @Option(help: "Final periods this many cycles back are re-rated for corrections.") var lookback = 3
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let audit = AuditRecord(actor: "cli", action: finalize ? "invoice_run.finalized" : "invoice_run.created", object: period)
            let result = try InvoiceStore(connection: connection).run(
                tenant: tenant, period: period, finalize: finalize, lookback: lookback, audit: audit)
            let currency = Currency(code: tenant.currency)!
            let summary = Listing(
                columns: [
                    "period", "rated_period", "drafts", "finalized", "removed", "lines", "adjustment_lines", "subtotal", "tax", "total", "currency",
                    "unassigned_users",
                ],
                rows: [
                    [
                        .text(result.period), .text(result.ratedPeriod), .number(Int64(result.drafts)), .number(Int64(result.finalized)),
                        .number(Int64(result.removed)),
                        .number(Int64(result.lines)), .number(Int64(result.adjustmentLines)), .text(currency.format(minorUnits: result.subtotal)),
                        .text(currency.format(minorUnits: result.tax)), .text(currency.format(minorUnits: result.subtotal + result.tax)),
                        .text(tenant.currency), .number(Int64(result.unassigned.count)),
                    ]
                ])
            print(summary.render(output.format))
            if !result.unassigned.isEmpty, output.format == .table {
                print("\nusage on no plan (never dropped; add the User-Names as subscribers to bill it):")
                print(
                    Listing(
                        columns: ["user", "subscriber", "upload_bytes", "download_bytes"],
                        rows: result.unassigned.map {
                            [.text($0.userName), .text($0.isSubscriber ? "yes" : "no"), .number($0.uploadBytes), .number($0.downloadBytes)]
                        }
                    ).render(.table))
            }
        }
    }
}
