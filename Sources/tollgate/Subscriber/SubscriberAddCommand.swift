import ArgumentParser
import Storage

/// `tollgate subscriber add`.
struct SubscriberAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Put a User-Name on a plan from a date.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "The User-Name the NAS reports.") var user: String
    @Option(help: "Plan name.") var plan: String
    @Option(help: "First day on the plan (default: today in the tenant's time zone).") var from: String?
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let start = try from.map { try parseDate($0, option: "--from") } ?? today(in: tenant)
            print(
                subscriberListing([try PlanStore(connection: connection).addSubscriber(tenant: tenant, user: user, plan: plan, from: start)]).render(
                    output.format))
        }
    }
}
