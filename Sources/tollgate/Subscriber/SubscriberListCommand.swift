import ArgumentParser
import Storage

/// `tollgate subscriber list`.
struct SubscriberListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List subscribers and their plan assignments.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "Only this User-Name.") var user: String?
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            print(subscriberListing(try PlanStore(connection: connection).subscribers(tenant: tenant, user: user)).render(output.format))
        }
    }
}
