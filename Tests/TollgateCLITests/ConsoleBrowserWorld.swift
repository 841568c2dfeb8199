import Console
import Foundation
import NASSimulator
import Storage
import TestSupport

/// Two tenants with real usage for the console's browser test: tenants, NAS, plans and
/// subscribers made with the CLI, accounting packets sent over UDP to a running `tollgate
/// serve`, an invoice run per tenant, and console users of every role. The figures the pages
/// must show are read back from the database (the CLI's listings, which equal the API's).
struct ConsoleBrowserWorld {
    let url: String
    let connection: PostgresConnection
    let serve: ServeProcess
    /// The billing period of the invoice runs (YYYY-MM), the month three days ago lies in.
    let period: String
    /// The current and the previous billing cycle (billing day 1, UTC): first day, first day after.
    let thisCycle: (from: String, to: String)
    let lastCycle: (from: String, to: String)

    static let north = Tenant(slug: "north", name: "North Net", nas: "north-nas", address: "127.0.0.1", secret: "north-secret-2026")
    static let south = Tenant(slug: "south", name: "South Link", nas: "south-nas", address: "127.0.0.2", secret: "south-secret-2026")
    /// Subscriber names no page of the other tenant may contain.
    static let northUsers = ["anna.north", "arne.north"]
    static let southUsers = ["bert.south"]
    /// One password for every console user: one bcrypt hash (its cost is the point of it).
    static let password = "browser-test-password-1"
    /// Console users by the scenario's key: email, role, tenant slug (nil: platform admin).
    static let users: [String: (email: String, role: TokenRole, tenant: String?)] = [
        "north-billing": ("billing@north.example", .billing, "north"),
        "north-readonly": ("readonly@north.example", .readonly, "north"),
        "north-operator": ("operator@north.example", .operator, "north"),
        "south-billing": ("billing@south.example", .billing, "south"),
        "admin": ("admin@platform.example", .admin, nil),
    ]

    struct Tenant {
        var slug: String
        var name: String
        var nas: String
        var address: String
        var secret: String
    }

    static func seed() async throws -> ConsoleBrowserWorld {
        let (url, connection) = try TestDatabase.fresh()
        func tollgate(_ arguments: [String]) throws -> String {
            let result = try runTollgate(arguments + ["--database-url", url], environment: ["TOLLGATE_SECRET_KEY": secretKey])
            guard result.status == 0 else { throw SetUpError("tollgate \(arguments.joined(separator: " ")): \(result.error)") }
            return result.output
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let now = Date()
        // Three days ago at 10:00 UTC: inside the collector's Event-Timestamp window.
        let start = (Int64(now.timeIntervalSince1970) - 3 * 86400) / 86400 * 86400 + 36000
        let month = { (date: Date) -> String in
            let parts = calendar.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", parts.year!, parts.month!)
        }
        let period = month(Date(timeIntervalSince1970: TimeInterval(start)))
        let thisMonth = calendar.date(from: calendar.dateComponents([.year, .month], from: now))!
        let nextMonth = calendar.date(byAdding: .month, value: 1, to: thisMonth)!
        let lastMonth = calendar.date(byAdding: .month, value: -1, to: thisMonth)!
        let day = { (date: Date) in month(date) + "-01" }

        for tenant in [north, south] {
            _ = try tollgate(["tenant", "create", tenant.slug, "--name", tenant.name])
            _ = try tollgate(["nas", "add", "--tenant", tenant.slug, "--name", tenant.nas, "--address", tenant.address, "--secret", tenant.secret])
            _ = try tollgate([
                "plan", "create", "--tenant", tenant.slug, "--file", "\(RealData.repositoryRoot)/Config/plans/home-100.toml", "--from", "2020-01-01",
            ])
        }
        for user in northUsers {
            _ = try tollgate(["subscriber", "add", "--tenant", "north", "--user", user, "--plan", "Home 100", "--from", period + "-01"])
        }
        for user in southUsers {
            _ = try tollgate(["subscriber", "add", "--tenant", "south", "--user", user, "--plan", "Home 100", "--from", period + "-01"])
        }

        let serve = try ServeProcess(databaseURL: url)
        // swift-format-ignore: AlwaysUseLowerCamelCase
        let GB: UInt64 = 1_000_000_000
        // anna: 4 x 30 GB down and 4 x 2.5 GB up over two hours (130 GB: 30 GB beyond the
        // allowance); arne: a small closed session and one still open; bert (south) one session.
        var arneOpen = SimulatedSession(userName: "arne.north", sessionID: "N-ARNE-2", nasPort: 12)
        arneOpen.events = [.start(at: .now), .interim(upload: 1_234_567, download: 7_654_321, sessionTime: 60, at: .now)]
        let northSessions = [
            SimulatedSession.regular(
                userName: "anna.north", sessionID: "N-ANNA-1", nasPort: 10, startTime: UInt32(start), interimInterval: 1800,
                interims: 3, uploadPerInterval: 2_500_000_000, downloadPerInterval: 30 * GB),
            SimulatedSession.regular(
                userName: "arne.north", sessionID: "N-ARNE-1", nasPort: 11, startTime: UInt32(start + 7200), interimInterval: 600,
                interims: 2, uploadPerInterval: 100_000_007, downloadPerInterval: 400_000_009),
            arneOpen,
        ]
        let southSessions = [
            SimulatedSession.regular(
                userName: "bert.south", sessionID: "S-BERT-1", nasPort: 20, startTime: UInt32(start), interimInterval: 900,
                interims: 2, uploadPerInterval: 50_000_003, downloadPerInterval: 200_000_011)
        ]
        let options = RunOptions(window: 8, timeout: .milliseconds(500), retries: 6, timeLimit: .seconds(60))
        for (tenant, sessions) in [(north, northSessions), (south, southSessions)] {
            let nas = SimulatedNAS(localAddress: tenant.address, target: UDPAddress(host: "127.0.0.1", port: serve.port)!, secret: tenant.secret)
            let report = try await nas.run(sessions: sessions, options: options)
            guard report.isComplete else { throw SetUpError("\(tenant.slug)'s packets were not all answered: \(report)") }
        }
        try waitForMerge(connection)
        for tenant in [north, south] {
            _ = try tollgate(["invoice", "run", "--tenant", tenant.slug, "--period", period])
        }

        let hash = try PasswordHasher.hash(password)
        let tenants = TenantStore(connection: connection)
        for (_, user) in users {
            _ = try ConsoleUserStore(connection: connection).create(
                tenant: try user.tenant.map { try tenants.require(slug: $0) },
                email: user.email, role: user.role, passwordHash: hash)
        }
        return ConsoleBrowserWorld(
            url: url, connection: connection, serve: serve, period: period,
            thisCycle: (day(thisMonth), day(nextMonth)), lastCycle: (day(lastMonth), day(thisMonth)))
    }

    // MARK: Figures, as the CLI reads them from the database

    func tollgate(_ arguments: [String]) throws -> [[String: Any]] {
        let result = try runTollgate(arguments + ["--format", "json", "--database-url", url], environment: ["TOLLGATE_SECRET_KEY": secretKey])
        guard result.status == 0 else { throw SetUpError("tollgate \(arguments.joined(separator: " ")): \(result.error)") }
        guard let rows = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]] else {
            throw SetUpError("tollgate \(arguments.joined(separator: " ")) printed no JSON list: \(result.output.prefix(300))")
        }
        return rows
    }

    /// Upload and download bytes per subscriber of `tenant` in [from, to).
    func usage(_ tenant: String, from: String, to: String) throws -> [String: (upload: Int, download: Int)] {
        var usage: [String: (upload: Int, download: Int)] = [:]
        for row in try tollgate(["usage", "--tenant", tenant, "--from", from, "--to", to]) {
            usage[row["subscriber"] as? String ?? ""] = (row["upload_bytes"] as? Int ?? -1, row["download_bytes"] as? Int ?? -1)
        }
        return usage
    }

    /// The tenant's whole usage in [from, to).
    func totalUsage(_ tenant: String, from: String, to: String) throws -> (upload: Int, download: Int) {
        try usage(tenant, from: from, to: to).values.reduce((0, 0)) { ($0.0 + $1.upload, $0.1 + $1.download) }
    }

    func invoices(_ tenant: String) throws -> [[String: Any]] {
        try tollgate(["invoice", "list", "--tenant", tenant, "--period", period])
    }

    func lines(_ tenant: String, invoice: Int) throws -> [[String: Any]] {
        try tollgate(["invoice", "show", "--tenant", tenant, String(invoice)])
    }

    func activeSessions(_ tenant: String) throws -> [[String: Any]] {
        try tollgate(["sessions", "--tenant", tenant, "--active"])
    }

    /// The hours (UTC, `YYYY-MM-DDTHH:00Z`) with usage of `user` in `period`, with their bytes.
    func usageHours(_ user: String) throws -> [(hour: String, upload: String, download: String)] {
        try connection.query(
            """
            SELECT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"'), upload_bytes::text, download_bytes::text FROM usage_hourly
            WHERE subscriber = $1 AND to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM') = $2 ORDER BY hour
            """, [user, period]
        ).rows.map { ($0[0] ?? "", $0[1] ?? "", $0[2] ?? "") }
    }

    /// The day after `day` (YYYY-MM-DD).
    static func day(after day: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: formatter.date(from: day)!.addingTimeInterval(86400))
    }

    /// How many accounting packets a session's Acct-Session-Id has in the packet log.
    func packetCount(sessionID: String) throws -> Int {
        Int(try connection.query("SELECT count(*) FROM accounting_packets WHERE acct_session_id = $1", [sessionID]).rows[0][0] ?? "0") ?? 0
    }
}
