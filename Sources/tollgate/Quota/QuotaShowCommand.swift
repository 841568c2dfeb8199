import ArgumentParser
import Foundation
import Storage

/// `tollgate quota show`.
struct QuotaShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a subscriber's quota for the current billing cycle: one row per threshold of the plan's policies.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "The User-Name.") var user: String
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let view = try QuotaStore(connection: connection).quota(tenant: tenant, user: user, now: Int64(Date().timeIntervalSince1970))
            let state = view.state?.name ?? "normal"
            if output.format == .table {
                print(
                    "\(view.userName): plan \(view.plan ?? "(none today)"), cycle \(view.cycle), used \(view.usedBytes) of \(view.allowanceBytes) bytes, \(state)"
                )
                if !view.topUps.isEmpty {
                    print(
                        "top-ups: "
                            + view.topUps.map { "\($0.bytes) bytes on \($0.createdAt)" + ($0.note.map { " (\($0))" } ?? "") }.joined(separator: "; "))
                }
            }
            let listing = Listing(
                columns: ["user", "state", "at", "action", "period", "period_key", "threshold_bytes", "used_bytes", "crossed", "crossed_at"],
                rows: view.levels.map { item in
                    [
                        .text(view.userName), .text(state), .text(item.level.policy.thresholdText), .text(item.level.policy.action.rawValue),
                        .text(item.level.policy.period.rawValue), .text(item.level.periodKey), .number(item.level.thresholdBytes),
                        .number(item.level.usedBytes), .flag(item.level.isCrossed), .text(item.crossedAt),
                    ]
                })
            print(listing.render(output.format))
        }
    }
}
