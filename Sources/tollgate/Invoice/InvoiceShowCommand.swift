import ArgumentParser
import Presentation
import Storage

/// `tollgate invoice show`: the invoice, then its lines.
struct InvoiceShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an invoice with its lines.")
    @OptionGroup var tenant: TenantOption
    @Argument(help: "Invoice id.") var id: Int64
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let invoice = try InvoiceStore(connection: connection).show(tenant: tenant, id: id)
            if output.format == .table {
                print(render([InvoicePresentation(invoice)], .table))
                print("")
            }
            print(render(InvoiceLinePresentation.lines(of: invoice), output.format))
        }
    }
}
