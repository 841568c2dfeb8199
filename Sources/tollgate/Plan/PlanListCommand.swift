import ArgumentParser
import Storage

/// `tollgate plan list`.
struct PlanListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List plans with their current version.")
    @OptionGroup var tenant: TenantOption
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            print(planListing(try PlanStore(connection: connection).plans(tenant: tenant)).render(output.format))
        }
    }
}
