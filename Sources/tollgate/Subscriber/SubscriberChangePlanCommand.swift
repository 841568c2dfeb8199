import ArgumentParser
import Storage

/// `tollgate subscriber change-plan`.
struct SubscriberChangePlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "change-plan", abstract: "Move a subscriber to another plan from a date.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "The User-Name.") var user: String
    @Option(help: "The new plan.") var plan: String
    @Option(help: "First day on the new plan (default: today).") var on: String?
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let day = try on.map { try parseDate($0, option: "--on") } ?? today(in: tenant)
            print(
                subscriberListing([try PlanStore(connection: connection).changePlan(tenant: tenant, user: user, plan: plan, on: day)]).render(
                    output.format))
        }
    }
}
