import ArgumentParser
import Presentation
import Storage

/// `tollgate invoice export`: a period's invoice lines for another system.
struct InvoiceExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export every line of a period's invoices (CSV or JSON).")
    @OptionGroup var tenant: TenantOption
    @Option(help: "Billing period YYYY-MM.") var period: String
    // Not `FormatOption`: an export is CSV unless told otherwise.
    @Option(help: "csv or json.") var format: OutputFormat = .csv
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let invoices = try InvoiceStore(connection: connection).export(tenant: tenant, period: period)
            print(render(InvoiceLinePresentation.lines(of: invoices), format))
        }
    }
}
