import ArgumentParser
import Presentation
import Storage

/// `tollgate invoice list`.
struct InvoiceListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List invoices.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "Only this period (YYYY-MM).") var period: String?
    @Option(help: "Only draft or final.") var status: String?
    @Option(help: "Only this User-Name.") var user: String?
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let invoices = try InvoiceStore(connection: connection).list(tenant: tenant, period: period, status: status, user: user)
            print(render(invoices.map { InvoicePresentation($0) }, output.format))
        }
    }
}
