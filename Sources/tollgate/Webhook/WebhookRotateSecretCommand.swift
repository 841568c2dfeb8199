import ArgumentParser
import Storage

/// `tollgate webhook rotate-secret`.
struct WebhookRotateSecretCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-secret",
        abstract: "Replace an endpoint's signing secret and print the new one (shown this once).")
    @OptionGroup var tenant: TenantOption
    @Option(help: "Endpoint id.") var id: Int64
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug, needsKey: true) { connection, tenant, cipher in
            let endpoint = try WebhookStore(connection: connection, cipher: cipher).rotateSecret(tenant: tenant, id: id)
            printError("endpoint \(endpoint.id): its new signing secret is shown once, keep it safe")
            print(webhookListing([endpoint], withSecret: true).render(output.format))
        }
    }
}
