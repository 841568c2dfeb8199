import ArgumentParser
import Storage

/// `tollgate subscriber end`.
struct SubscriberEndCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "end", abstract: "End a subscriber's plan.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "The User-Name.") var user: String
    @Option(help: "First day no longer on the plan (default: today).") var on: String?
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let day = try on.map { try parseDate($0, option: "--on") } ?? today(in: tenant)
            print(
                subscriberListing([try PlanStore(connection: connection).endSubscription(tenant: tenant, user: user, on: day)]).render(output.format))
        }
    }
}
