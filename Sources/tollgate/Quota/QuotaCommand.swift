import ArgumentParser
import Foundation
import Rating
import Storage

struct QuotaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "quota", abstract: "Subscribers' quotas: usage, allowance, thresholds, state.",
                                                    subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a subscriber's quota for the current billing cycle: one row per threshold of the plan's policies.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "The User-Name.") var user: String
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, _ in
                let view = try QuotaStore(connection: connection).quota(tenant: tenant, user: user, now: Int64(Date().timeIntervalSince1970))
                let state = view.state?.name ?? "normal"
                if format == .table {
                    print("\(view.userName): plan \(view.plan ?? "(none today)"), cycle \(view.cycle), used \(view.usedBytes) of \(view.allowanceBytes) bytes, \(state)")
                    if !view.topUps.isEmpty {
                        print("top-ups: " + view.topUps.map { "\($0.bytes) bytes on \($0.createdAt)" + ($0.note.map { " (\($0))" } ?? "") }.joined(separator: "; "))
                    }
                }
                let listing = Listing(columns: ["user", "state", "at", "action", "period", "period_key", "threshold_bytes", "used_bytes", "crossed", "crossed_at"],
                                      rows: view.levels.map { item in
                    [.text(view.userName), .text(state), .text(item.level.policy.thresholdText), .text(item.level.policy.action.rawValue),
                     .text(item.level.policy.period.rawValue), .text(item.level.periodKey), .number(item.level.thresholdBytes),
                     .number(item.level.usedBytes), .flag(item.level.isCrossed), .text(item.crossedAt)]
                })
                print(listing.render(format))
            }
        }
    }
}

struct TopUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "topup", abstract: "Grant subscribers extra allowance for the current cycle.",
                                                    subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Grant extra allowance for the current billing cycle; lifts a throttle or block (the plan's rate is restored on live sessions).")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "The User-Name.") var user: String
        @Option(help: "How much, e.g. \"10 GB\" (B, MB, GB, TB, MiB, GiB, TiB).") var amount: String
        @Option(help: "Why (shown in the quota and the API).") var note: String?
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, _ in
                guard let bytes = QuotaPolicy.parseAmount(amount), bytes > 0 else {
                    throw StoreError(.invalid, "--amount '\(amount)' is not an amount such as \"10 GB\"")
                }
                let result = try QuotaStore(connection: connection).addTopUp(tenant: tenant, user: user, bytes: bytes, note: note,
                                                                             now: Int64(Date().timeIntervalSince1970))
                let listing = Listing(columns: ["id", "user", "period", "bytes", "note", "created_at", "restores"], rows: [[
                    .number(result.topUp.id), .text(result.topUp.userName), .text(result.topUp.period), .number(result.topUp.bytes),
                    .text(result.topUp.note), .text(result.topUp.createdAt), .number(Int64(result.restores)),
                ]])
                print(listing.render(format))
            }
        }
    }
}

struct EnforcementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enforcement", abstract: "The log of CoA and Disconnect requests and their outcomes.",
                                                    subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List enforcement requests, newest first.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Only this User-Name.") var user: String?
        @Option(help: "Only this status: pending, acked, naked, timeout, failed.") var status: String?
        @Option(help: "At most this many rows (1-10000).") var limit: Int = 100
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, _ in
                let wanted = try status.map { text throws -> EnforcementStatus in
                    guard let parsed = EnforcementStatus(rawValue: text) else {
                        throw StoreError(.invalid, "--status '\(text)' is not one of \(EnforcementStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    return parsed
                }
                guard PageLimit.range.contains(limit) else { throw StoreError(.invalid, "--limit must be 1-10000") }
                let page = try QuotaStore(connection: connection).enforcementPage(tenant: tenant, user: user, status: wanted, after: nil, limit: limit)
                let listing = Listing(columns: ["id", "decided_at", "user", "action", "reason", "status", "attempts", "error_cause", "nas",
                                                "acct_session_id", "rate", "detail"],
                                      rows: page.rows.map { record in
                    [.number(record.request.id), .text(record.decidedAt), .text(record.request.userName), .text(record.request.action),
                     .text(record.request.reason), .text(record.status.rawValue), .number(Int64(record.attempts)), .number(record.errorCause),
                     .text(record.nasName), .text(record.request.acctSessionID), .text(record.request.rate), .text(record.detail)]
                })
                print(listing.render(format))
            }
        }
    }
}
