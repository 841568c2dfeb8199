import ArgumentParser
import Storage

/// `tollgate webhook show`.
struct WebhookShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one endpoint.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "Endpoint id.") var id: Int64
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, cipher in
            print(
                webhookListing([try WebhookStore(connection: connection, cipher: cipher).find(tenant: tenant, id: id)], withSecret: false)
                    .render(output.format))
        }
    }
}
