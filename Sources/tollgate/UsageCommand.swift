import ArgumentParser
import Presentation
import Storage

/// `tollgate usage`: a tenant's usage per subscriber, whole or by hour, day or month.
struct UsageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Usage per subscriber: upload (sent by the subscriber), download (received), session time.",
        discussion: "--from is inclusive, --to exclusive; both are dates or times in the tenant's time zone.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "Only this User-Name.") var user: String?
    @Option(help: "From (YYYY-MM-DD or YYYY-MM-DDTHH:MM), inclusive.") var from: String?
    @Option(help: "To (YYYY-MM-DD or YYYY-MM-DDTHH:MM), exclusive.") var to: String?
    @Option(help: "Group by hour, day or month (in the tenant's time zone).") var by: GroupingArgument?
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    enum GroupingArgument: String, ExpressibleByArgument, CaseIterable { case hour, day, month }

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let rows = try ReportStore(connection: connection).usage(
                tenant: tenant, user: user, from: from, to: to,
                by: by.flatMap { UsageGrouping(rawValue: $0.rawValue) })
            print(render(rows.map { UsagePresentation($0) }, output.format))
        }
    }
}
