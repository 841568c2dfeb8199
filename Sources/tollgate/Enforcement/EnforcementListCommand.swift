import ArgumentParser
import Rating
import Storage

/// `tollgate enforcement list`.
struct EnforcementListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List enforcement requests, newest first.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "Only this User-Name.") var user: String?
    @Option(help: "Only this status: pending, acked, naked, timeout, failed.") var status: String?
    @Option(help: "At most this many rows (1-10000).") var limit: Int = 100
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let wanted = try status.map { text throws -> EnforcementStatus in
                guard let parsed = EnforcementStatus(rawValue: text) else {
                    throw StoreError(
                        .invalid, "--status '\(text)' is not one of \(EnforcementStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return parsed
            }
            guard PageLimit.range.contains(limit) else { throw StoreError(.invalid, "--limit must be 1-10000") }
            let page = try QuotaStore(connection: connection).enforcementPage(tenant: tenant, user: user, status: wanted, after: nil, limit: limit)
            let listing = Listing(
                columns: [
                    "id", "decided_at", "user", "action", "reason", "status", "attempts", "error_cause", "nas",
                    "acct_session_id", "rate", "detail",
                ],
                rows: page.rows.map { record in
                    [
                        .number(record.request.id), .text(record.decidedAt), .text(record.request.userName), .text(record.request.action),
                        .text(record.request.reason), .text(record.status.rawValue), .number(Int64(record.attempts)), .number(record.errorCause),
                        .text(record.nasName), .text(record.request.acctSessionID), .text(record.request.rate), .text(record.detail),
                    ]
                })
            print(listing.render(output.format))
        }
    }
}
