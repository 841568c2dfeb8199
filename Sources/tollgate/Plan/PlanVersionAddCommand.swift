import ArgumentParser
import Storage

/// `tollgate plan version add`: new terms from a date, or corrected terms of a date.
struct PlanVersionAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Give a plan new terms from a date.",
        discussion:
            "A version from the same date as an earlier one replaces it: that is how a plan is corrected. Periods already final get adjustment lines on the next invoice."
    )
    @OptionGroup var tenant: TenantOption
    @Option(help: "Plan name.") var name: String
    @Option(help: "Plan file (.toml or .json) with the new terms.") var file: String
    @Option(help: "First day the new terms apply (default: the file's effective_from).") var from: String?
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let document = try loadPlanDocument(file)
            guard let effective = try from.map({ try parseDate($0, option: "--from") }) ?? document.effectiveFrom else {
                throw StoreError(.invalid, "the version needs a date: --from or effective_from in the file")
            }
            let plan = try PlanStore(connection: connection).addVersion(
                tenant: tenant, plan: name, terms: document.terms, effectiveFrom: effective,
                audit: AuditRecord(
                    actor: "cli", action: "plan.version_added", object: name,
                    detail: "effective_from \(effective)"))
            print(planListing([plan]).render(output.format))
        }
    }
}
