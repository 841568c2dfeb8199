import ArgumentParser
import Storage

/// `tollgate plan show`.
struct PlanShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show every version of a plan with its terms.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "Plan name.") var name: String
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let plan = try PlanStore(connection: connection).plan(tenant: tenant, name: name)
            let listing = Listing(
                columns: ["plan", "version", "effective_from", "terms"],
                rows: plan.versions.map {
                    [.text(plan.name), .number($0.id), .text($0.effectiveFrom.description), .text($0.terms.canonicalJSON)]
                })
            print(listing.render(output.format))
        }
    }
}
