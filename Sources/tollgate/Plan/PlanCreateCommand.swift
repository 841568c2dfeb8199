import ArgumentParser
import Storage

/// `tollgate plan create`.
struct PlanCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a plan from a TOML or JSON file (see Config/plans/).")
    @OptionGroup var tenant: TenantOption
    @Option(help: "Plan file (.toml or .json).") var file: String
    @Option(help: "Plan name (default: the file's name key).") var name: String?
    @Option(help: "First day the prices apply (default: the file's effective_from, else always).") var from: String?
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let document = try loadPlanDocument(file)
            guard let planName = name ?? document.name else { throw StoreError(.invalid, "the plan needs a name: --name or name in the file") }
            let effective = try from.map { try parseDate($0, option: "--from") } ?? document.effectiveFrom
            let plan = try PlanStore(connection: connection).createPlan(
                tenant: tenant, name: planName, terms: document.terms, effectiveFrom: effective,
                audit: AuditRecord(
                    actor: "cli", action: "plan.created", object: planName,
                    detail: effective.map { "effective_from \($0)" } ?? ""))
            print(planListing([plan]).render(output.format))
        }
    }
}
