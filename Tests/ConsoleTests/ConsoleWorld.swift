import API
import Accounting
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Rating
import Storage
import TestSupport

@testable import Console

/// Two tenants with usage in this cycle and the last, console users of every role, and the
/// console's router (with the API's routes beside it).
///
/// Tenant A ("alpha") has a capped plan with a night window, a heavy user at 90 % of the
/// allowance, users with hostile names and a formula-like name; tenant B ("bravo") has its
/// own users, every name starting with "bravo", so a test can check that nothing of B shows
/// on A's pages.
final class ConsoleWorld: @unchecked Sendable {
    let url: String
    let connection: PostgresConnection
    let a: Tenant
    let b: Tenant
    let database: APIDatabase
    let router: Router<BasicRequestContext>
    let cycle: BillingPeriod
    let today: CivilDate
    /// alpha's API billing token and its id.
    var apiToken = ""
    var apiTokenID = ""

    static let password = "correct horse battery staple"
    /// Hashed once: bcrypt is slow on purpose.
    static let passwordHash = try! PasswordHasher.hash(password)

    /// When each NAS was last heard: 2026-11-02T03:04:05Z.
    static let lastHeard: Int64 = 1_793_588_645
    static let script = "<script>alert(1)</script>"
    static let svgAttack = "\"'><svg onload=alert(2)>"
    static let formula = "=HYPERLINK(\"http://evil.example\",\"x\")"

    /// One hourly bucket of seeded usage: local date and hour of the tenant.
    struct Bucket {
        var user: String
        var day: CivilDate
        var hour: Int
        var upload: Int64
        var download: Int64
    }

    private(set) var buckets: [String: [Bucket]] = [:]

    init() throws {
        (url, connection) = try TestDatabase.fresh()
        let tenants = TenantStore(connection: connection)
        a = try tenants.create(slug: "alpha", name: "Alpha ISP", currency: "EUR", timeZone: "Europe/Vienna")
        b = try tenants.create(slug: "bravo", name: "bravo ISP", currency: "EUR", timeZone: "Europe/Vienna")
        today = LocalTime.date(utc: Int64(Date().timeIntervalSince1970), zone: "Europe/Vienna")!
        cycle = BillingPeriod.containing(today, billingDay: 1)
        database = APIDatabase(url: url, threads: 4)
        router = Router()
        let users = ConsoleUserStore(connection: connection)
        for tenant in [a, b] {
            for role in [TokenRole.operator, .billing, .readonly] {
                _ = try users.create(tenant: tenant, email: "\(role.rawValue)@\(tenant.slug).example", role: role, passwordHash: Self.passwordHash)
            }
        }
        _ = try users.create(tenant: nil, email: "admin@platform.example", role: .admin, passwordHash: Self.passwordHash)
        let token = try TokenStore(connection: connection).create(tenant: a, role: .billing, name: "alpha billing")
        apiToken = token.secret
        apiTokenID = token.token.id
        try populate(a, users: ["alpha-u1", "alpha-heavy", Self.script, Self.svgAttack, Self.formula])
        try populate(b, users: ["bravo-u1", "bravo-heavy"])
        var logger = Logger(label: "console-test")
        logger.logLevel = .critical
        TollgateAPI(database: database, cipher: TestDatabase.cipher, logger: logger).register(on: router)
        TollgateConsole(database: database, cipher: TestDatabase.cipher, logger: logger).register(on: router)
    }

    deinit {
        let database = self.database
        Task { try? await database.shutdown() }
    }

    /// A NAS with one open and one closed session, a 10 GB plan with a night window, the users
    /// as subscribers from before the last cycle, and hourly usage in both cycles.
    private func populate(_ tenant: Tenant, users: [String]) throws {
        let p = tenant.slug
        let nas = try NASStore(connection: connection, cipher: TestDatabase.cipher).add(
            tenant: tenant, name: "\(p)-bras", address: p == "alpha" ? "10.1.0.1" : "10.2.0.1",
            secret: "\(p)-secret-0123456789")
        let start = Int64(Date().timeIntervalSince1970) - 7200
        var open = AccountingRecord(
            tenantID: tenant.id, nasID: nas.id, status: .start, sessionID: "\(p)-open", userName: users[0],
            eventTime: start, receivedAt: start * 1_000_000)
        open.framedIPAddress = "100.64.0.1"
        let closedStart = AccountingRecord(
            tenantID: tenant.id, nasID: nas.id, status: .start, sessionID: "\(p)-closed", userName: users[1],
            eventTime: start, receivedAt: start * 1_000_000)
        var closedStop = AccountingRecord(
            tenantID: tenant.id, nasID: nas.id, status: .stop, sessionID: "\(p)-closed", userName: users[1],
            eventTime: start + 600, receivedAt: (start + 600) * 1_000_000)
        closedStop.terminateCause = 1
        closedStop.sessionTime = 600
        try AccountingWriter(connection: connection).write([
            BatchItem(record: open, packet: nil), BatchItem(record: closedStart, packet: nil),
            BatchItem(record: closedStop, packet: nil),
        ])
        try connection.query(
            "INSERT INTO nas_activity (tenant_id, nas_id, last_heard_at) VALUES ($1, $2, to_timestamp($3))",
            [String(tenant.id), String(nas.id), String(Self.lastHeard)])
        // The sessions above carry no counters: the usage is seeded per hour below, exactly.
        try connection.query("DELETE FROM usage_hourly WHERE tenant_id = $1", [String(tenant.id)])

        let plans = PlanStore(connection: connection)
        let terms = PlanTerms(
            currency: "EUR", recurringFee: 30, unit: .GB, included: 10,
            windows: [TimeWindow(name: "Night", fromHour: 0, toHour: 6, factor: DecimalText.parse("0.5")!)],
            taxRate: DecimalText.parse("0.2")!, rate: "50M/50M",
            quotas: [QuotaPolicy(threshold: .percent(80), action: .notify)])
        _ = try plans.createPlan(tenant: tenant, name: "\(p)-cap", terms: terms, effectiveFrom: CivilDate("2020-01-01"))
        for user in users {
            _ = try plans.addSubscriber(tenant: tenant, user: user, plan: "\(p)-cap", from: cycle.previous.first.adding(days: -40))
        }
        let factor: Int64 = p == "alpha" ? 1 : 3
        var seeded = [
            Bucket(user: users[0], day: cycle.first, hour: 10, upload: 1_000_000 * factor, download: 20_000_000 * factor),
            Bucket(user: users[0], day: today, hour: 11, upload: 2_500_000 * factor, download: 7_000_000 * factor),
            Bucket(user: users[1], day: cycle.first, hour: 12, upload: 1_000_000_000, download: 8_000_000_000),
            Bucket(user: users[0], day: cycle.previous.first, hour: 9, upload: 123 * factor, download: 456 * factor),
        ]
        for (index, user) in users.dropFirst(2).enumerated() {
            seeded.append(Bucket(user: user, day: cycle.first, hour: 13, upload: Int64(index + 1) * 1000, download: Int64(index + 1) * 5000))
        }
        for bucket in seeded {
            let hour = String(format: "%02d:00", bucket.hour)
            try connection.query(
                """
                INSERT INTO usage_hourly (tenant_id, subscriber, hour, upload_bytes, download_bytes, session_seconds)
                VALUES ($1, $2, ($3::timestamp AT TIME ZONE 'Europe/Vienna'), $4, $5, 3600)
                ON CONFLICT (tenant_id, subscriber, hour) DO UPDATE SET upload_bytes = usage_hourly.upload_bytes + excluded.upload_bytes,
                    download_bytes = usage_hourly.download_bytes + excluded.download_bytes
                """, [String(tenant.id), bucket.user, "\(bucket.day) \(hour)", String(bucket.upload), String(bucket.download)])
        }
        buckets[p] = seeded
    }

    /// The seeded usage of a tenant in `period` (optionally of one user).
    func usage(_ slug: String, period: BillingPeriod, user: String? = nil) -> (upload: Int64, download: Int64) {
        let inside = (buckets[slug] ?? []).filter { $0.day >= period.first && $0.day < period.end && (user == nil || $0.user == user) }
        return (inside.reduce(0) { $0 + $1.upload }, inside.reduce(0) { $0 + $1.download })
    }

    /// Runs `body` with a browser on the console (in-process, through the router).
    func withBrowser<T: Sendable>(_ body: @Sendable (StaffBrowser) async throws -> T) async throws -> T {
        let app = Application(router: router)
        return try await app.test(.router) { client in try await body(StaffBrowser(client: client)) }
    }
}
