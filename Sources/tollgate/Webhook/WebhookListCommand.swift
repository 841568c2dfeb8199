import ArgumentParser
import Storage

/// `tollgate webhook list`: every endpoint, read page by page.
struct WebhookListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a tenant's endpoints (secrets are never shown).")
    @OptionGroup var tenant: TenantOption
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, cipher in
            let store = WebhookStore(connection: connection, cipher: cipher)
            var endpoints: [WebhookEndpoint] = []
            var after: [String]?
            repeat {
                let page = try store.page(tenant: tenant, after: after, limit: PageLimit.standard)
                endpoints += page.rows
                after = page.next
            } while after != nil
            print(webhookListing(endpoints, withSecret: false).render(output.format))
        }
    }
}
