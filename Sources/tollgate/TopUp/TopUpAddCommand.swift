import ArgumentParser
import Foundation
import Rating
import Storage

/// `tollgate topup add`.
struct TopUpAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Grant extra allowance for the current billing cycle; lifts a throttle or block (the plan's rate is restored on live sessions).")
    @OptionGroup var tenant: TenantOption
    @Option(help: "The User-Name.") var user: String
    @Option(help: "How much, e.g. \"10 GB\" (B, MB, GB, TB, MiB, GiB, TiB).") var amount: String
    @Option(help: "Why (shown in the quota and the API).") var note: String?
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            guard let bytes = QuotaPolicy.parseAmount(amount), bytes > 0 else {
                throw StoreError(.invalid, "--amount '\(amount)' is not an amount such as \"10 GB\"")
            }
            let result = try QuotaStore(connection: connection).addTopUp(
                tenant: tenant, user: user, bytes: bytes, note: note,
                now: Int64(Date().timeIntervalSince1970))
            let listing = Listing(
                columns: ["id", "user", "period", "bytes", "note", "created_at", "restores"],
                rows: [
                    [
                        .number(result.topUp.id), .text(result.topUp.userName), .text(result.topUp.period), .number(result.topUp.bytes),
                        .text(result.topUp.note), .text(result.topUp.createdAt), .number(Int64(result.restores)),
                    ]
                ])
            print(listing.render(output.format))
        }
    }
}
