import ArgumentParser
import Storage

/// `tollgate webhook remove`.
struct WebhookRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove an endpoint with its deliveries (pending ones are not sent).")
    @OptionGroup var tenant: TenantOption
    @Option(help: "Endpoint id.") var id: Int64
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, cipher in
            try WebhookStore(connection: connection, cipher: cipher).remove(tenant: tenant, id: id)
            print("removed webhook endpoint \(id) of tenant '\(tenant.slug)'")
        }
    }
}
