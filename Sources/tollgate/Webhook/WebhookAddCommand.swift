import ArgumentParser
import Storage

/// `tollgate webhook add`.
struct WebhookAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an endpoint and print its signing secret (shown this once).")
    @OptionGroup var tenant: TenantOption
    @Option(help: "http:// or https:// URL the events are posted to.") var url: String
    @Option(name: .customLong("event"), help: "An event to send (repeat for several).") var events: [String]
    @Option(help: "What the endpoint is for.") var description = ""
    @Flag(help: "Add it disabled: no deliveries until enabled.") var disabled = false
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug, needsKey: true) { connection, tenant, cipher in
            let endpoint = try WebhookStore(connection: connection, cipher: cipher).create(
                tenant: tenant, url: url, events: events, description: description, enabled: !disabled)
            printError("endpoint \(endpoint.id): its signing secret is shown once, keep it safe")
            print(webhookListing([endpoint], withSecret: true).render(output.format))
        }
    }
}
