import Accounting
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import RADIUS
import Rating
import Storage
import TestSupport

@testable import API
@testable import Console

/// Two tenants for the billing pages: alpha (UTC) and bravo (Europe/Vienna), each with a NAS,
/// a plan, subscribers, sessions whose packets are in the packet log, and a rated October
/// 2026; console users of every role for alpha and a billing user for bravo.
///
/// alpha-u1's October (plan alpha-plan: 30 EUR, 1 GB included, both directions, overage 1.00
/// per GB, tax 20 %, night 00:00-06:00 counted at 0.5):
/// - session alpha-s1 on port 7, 10:00-12:00 on the 7th: an Interim at 11:30 (300 MB up,
///   900 MB down), Stop at 12:00 (400 MB up, 1.2 GB down): hour 10 gets 200+600 MB, hour 11
///   200+600 MB;
/// - session alpha-s1 on port 9 (another session: same id, other port), 10:15-10:45:
///   10 MB up, 20 MB down, all in hour 10;
/// - session alpha-s2 on port 8, 01:00-03:00 on the 8th (night): 100 MB up, 500 MB down,
///   300 MB in each of hours 1 and 2.
/// Counted 2.23 GB, of it 600 MB at night; weighted 1.93 GB: 0.93 GB overage = 0.93 EUR.
final class BillingWorld: @unchecked Sendable {
    let url: String
    let connection: PostgresConnection
    let a: Tenant
    let b: Tenant
    let database: APIDatabase
    let router: Router<BasicRequestContext>
    /// alpha's sessions by "<session id>/<port>", bravo's by "bravo".
    var sessions: [String: Int64] = [:]
    /// Receipt times (microseconds) of the packets logged for each session key.
    var received: [String: [Int64]] = [:]
    static let password = "correct horse battery"

    /// 2026-10-07T00:00:00Z
    static let october7 = 1_791_331_200 as Int64

    init() throws {
        (url, connection) = try TestDatabase.fresh()
        let tenants = TenantStore(connection: connection)
        a = try tenants.create(slug: "alpha", name: "Alpha ISP", currency: "EUR", timeZone: "UTC")
        b = try tenants.create(slug: "bravo", name: "Bravo ISP", currency: "EUR", timeZone: "Europe/Vienna")
        database = APIDatabase(url: url, threads: 4)
        let hash = try PasswordHasher.hash(Self.password)
        let users = ConsoleUserStore(connection: connection)
        for role in [TokenRole.billing, .operator, .readonly] {
            _ = try users.create(tenant: a, email: "\(role.rawValue)@alpha.example", role: role, passwordHash: hash)
        }
        _ = try users.create(tenant: b, email: "billing@bravo.example", role: .billing, passwordHash: hash)
        router = Router()
        try populateAlpha()
        try populateBravo()
        var logger = Logger(label: "console-billing-test")
        logger.logLevel = .critical
        let dictionary = try RADIUSDictionary(contentsOf: RealData.repositoryRoot + "/Dictionaries/dictionary")
        TollgateConsole(database: database, cipher: TestDatabase.cipher, logger: logger, dictionary: dictionary).register(on: router)
    }

    deinit {
        let database = self.database
        Task { try? await database.shutdown() }
    }

    static let nightPlan = """
        currency = "EUR"
        recurring_fee = "30"
        unit = "GB"
        included = "1"
        directions = "both"
        overage = "per_unit"
        price = "1.00"
        tax_rate = "0.2"

        [[windows]]
        name = "night"
        from = "00:00"
        to = "06:00"
        factor = "0.5"
        """

    private func populateAlpha() throws {
        let nas = try NASStore(connection: connection, cipher: TestDatabase.cipher).add(
            tenant: a, name: "alpha-bras", address: "10.1.0.1", secret: "alpha-secret")
        let t = Self.october7
        var items: [BatchItem] = []
        func event(
            _ status: AccountingStatus, _ session: String, _ user: String, port: UInt32, at time: Int64,
            up: UInt32? = nil, down: UInt32? = nil, key: String
        ) throws {
            items.append(try Self.item(tenant: a, nas: nas.id, status, session, user, port: port, at: time, up: up, down: down))
            received[key, default: []].append(time * 1_000_000)
        }
        try event(.start, "alpha-s1", "alpha-u1", port: 7, at: t + 10 * 3600, key: "alpha-s1/7")
        try event(.start, "alpha-s1", "alpha-u1", port: 9, at: t + 10 * 3600 + 900, key: "alpha-s1/9")
        try event(.interimUpdate, "alpha-s1", "alpha-u1", port: 7, at: t + 11 * 3600 + 1800, up: 300_000_000, down: 900_000_000, key: "alpha-s1/7")
        try event(.stop, "alpha-s1", "alpha-u1", port: 9, at: t + 10 * 3600 + 2700, up: 10_000_000, down: 20_000_000, key: "alpha-s1/9")
        try event(.stop, "alpha-s1", "alpha-u1", port: 7, at: t + 12 * 3600, up: 400_000_000, down: 1_200_000_000, key: "alpha-s1/7")
        try event(.start, "alpha-s2", "alpha-u1", port: 8, at: t + 86400 + 3600, key: "alpha-s2/8")
        try event(.stop, "alpha-s2", "alpha-u1", port: 8, at: t + 86400 + 3 * 3600, up: 100_000_000, down: 500_000_000, key: "alpha-s2/8")
        // Another subscriber online in the same hours: never part of alpha-u1's trail.
        try event(.start, "alpha-s3", "alpha-u2", port: 7, at: t + 10 * 3600, key: "alpha-s3/7")
        try event(.stop, "alpha-s3", "alpha-u2", port: 7, at: t + 11 * 3600, up: 5_000_000, down: 7_000_000, key: "alpha-s3/7")
        // Written one at a time, in event order, as the merger applies them.
        for item in items { try AccountingWriter(connection: connection).write([item]) }
        let rows = try connection.query("SELECT id, acct_session_id, nas_port FROM sessions WHERE tenant_id = $1", [String(a.id)]).rows
        for row in rows { sessions["\(row[1]!)/\(row[2]!)"] = Int64(row[0]!)! }

        let plans = PlanStore(connection: connection)
        let document = try PlanDocumentText.parse(Self.nightPlan)
        _ = try plans.createPlan(tenant: a, name: "alpha-plan", terms: document.terms, effectiveFrom: CivilDate("2026-01-01"))
        _ = try plans.addSubscriber(tenant: a, user: "alpha-u1", plan: "alpha-plan", from: CivilDate("2026-09-01")!)
        _ = try plans.addSubscriber(tenant: a, user: "alpha-u2", plan: "alpha-plan", from: CivilDate("2026-10-01")!)
        _ = try InvoiceStore(connection: connection).run(tenant: a, period: "2026-10")
    }

    private func populateBravo() throws {
        let nas = try NASStore(connection: connection, cipher: TestDatabase.cipher).add(
            tenant: b, name: "bravo-bras", address: "10.2.0.1", secret: "bravo-secret")
        let t = Self.october7
        for item in [
            try Self.item(tenant: b, nas: nas.id, .start, "bravo-s1", "bravo-u1", port: 1, at: t + 14 * 3600),
            try Self.item(tenant: b, nas: nas.id, .stop, "bravo-s1", "bravo-u1", port: 1, at: t + 15 * 3600, up: 50_000_000, down: 60_000_000),
        ] {
            try AccountingWriter(connection: connection).write([item])
        }
        sessions["bravo"] = Int64(try connection.query("SELECT id FROM sessions WHERE tenant_id = $1", [String(b.id)]).rows[0][0]!)!
        let plans = PlanStore(connection: connection)
        _ = try plans.createPlan(
            tenant: b, name: "bravo-plan", terms: PlanTerms(currency: "EUR", recurringFee: 20, included: 1, overage: .perUnit(price: 2)),
            effectiveFrom: CivilDate("2026-01-01"))
        _ = try plans.addSubscriber(tenant: b, user: "bravo-u1", plan: "bravo-plan", from: CivilDate("2026-09-01")!)
        _ = try InvoiceStore(connection: connection).run(tenant: b, period: "2026-10")
    }

    /// An Accounting-Request as a NAS sends it, and the record the collector reads from it.
    static func item(
        tenant: Tenant, nas: Int64, _ status: AccountingStatus, _ session: String, _ user: String, port: UInt32,
        at time: Int64, up: UInt32? = nil, down: UInt32? = nil
    ) throws -> BatchItem {
        var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: UInt8(truncatingIfNeeded: time))
        try builder.append(type: 1, text: user)
        builder.append(type: 40, uint32: status.rawValue)
        try builder.append(type: 44, text: session)
        builder.append(type: 5, uint32: port)
        builder.append(type: 55, uint32: UInt32(time))
        if let up { builder.append(type: 42, uint32: up) }
        if let down { builder.append(type: 43, uint32: down) }
        let packet = try builder.build()
        var record = AccountingRecord(
            tenantID: tenant.id, nasID: nas, status: status, sessionID: session, userName: user, nasPort: String(port),
            eventTime: time, receivedAt: time * 1_000_000)
        record.eventTimeFromNAS = true
        record.upload = up.map { CounterReading(octets: $0, gigawords: nil) }
        record.download = down.map { CounterReading(octets: $0, gigawords: nil) }
        return BatchItem(record: record, packet: packet.bytes)
    }

    /// Runs `body` with a browser signed in as `email` (nil: signed out).
    func withBrowser<T: Sendable>(_ email: String?, _ body: @Sendable (StaffBrowser) async throws -> T) async throws -> T {
        let app = Application(router: router)
        return try await app.test(.router) { client in
            var browser = StaffBrowser(client: client)
            if let email { try await browser.signInAsSession(email, Self.password) }
            return try await body(browser)
        }
    }

    func auditRows() throws -> [[String?]] {
        try connection.query("SELECT tenant_id, actor, action, object, detail FROM audit_log ORDER BY id").rows
    }
}
