import ArgumentParser
import Storage

/// `tollgate webhook update`: changes what is given, keeps the rest.
struct WebhookUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change an endpoint's URL, events or description, or enable or disable it.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "Endpoint id.") var id: Int64
    @Option(help: "New URL.") var url: String?
    @Option(name: .customLong("event"), help: "The events to send from now on (repeat for several; replaces the list).") var events: [String] = []
    @Option(help: "New description.") var description: String?
    @Flag(help: "Enable it: pending deliveries resume.") var enable = false
    @Flag(help: "Disable it: no new deliveries; pending ones wait.") var disable = false
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, cipher in
            guard !(enable && disable) else { throw StoreError(.invalid, "give --enable or --disable, not both") }
            let endpoint = try WebhookStore(connection: connection, cipher: cipher).update(
                tenant: tenant, id: id, url: url, events: events.isEmpty ? nil : events, description: description,
                enabled: enable ? true : disable ? false : nil)
            print(webhookListing([endpoint], withSecret: false).render(output.format))
        }
    }
}
