import Accounting
@testable import API
@testable import Console
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import RADIUS
import Rating
import Storage
import TestSupport

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
        let nas = try NASStore(connection: connection, cipher: TestDatabase.cipher).add(tenant: a, name: "alpha-bras", address: "10.1.0.1", secret: "alpha-secret")
        let t = Self.october7
        var items: [BatchItem] = []
        func event(_ status: AccountingStatus, _ session: String, _ user: String, port: UInt32, at time: Int64,
                   up: UInt32? = nil, down: UInt32? = nil, key: String) throws {
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
        let nas = try NASStore(connection: connection, cipher: TestDatabase.cipher).add(tenant: b, name: "bravo-bras", address: "10.2.0.1", secret: "bravo-secret")
        let t = Self.october7
        for item in [try Self.item(tenant: b, nas: nas.id, .start, "bravo-s1", "bravo-u1", port: 1, at: t + 14 * 3600),
                     try Self.item(tenant: b, nas: nas.id, .stop, "bravo-s1", "bravo-u1", port: 1, at: t + 15 * 3600, up: 50_000_000, down: 60_000_000)] {
            try AccountingWriter(connection: connection).write([item])
        }
        sessions["bravo"] = Int64(try connection.query("SELECT id FROM sessions WHERE tenant_id = $1", [String(b.id)]).rows[0][0]!)!
        let plans = PlanStore(connection: connection)
        _ = try plans.createPlan(tenant: b, name: "bravo-plan", terms: PlanTerms(currency: "EUR", recurringFee: 20, included: 1, overage: .perUnit(price: 2)),
                                 effectiveFrom: CivilDate("2026-01-01"))
        _ = try plans.addSubscriber(tenant: b, user: "bravo-u1", plan: "bravo-plan", from: CivilDate("2026-09-01")!)
        _ = try InvoiceStore(connection: connection).run(tenant: b, period: "2026-10")
    }

    /// An Accounting-Request as a NAS sends it, and the record the collector reads from it.
    static func item(tenant: Tenant, nas: Int64, _ status: AccountingStatus, _ session: String, _ user: String, port: UInt32,
                     at time: Int64, up: UInt32? = nil, down: UInt32? = nil) throws -> BatchItem {
        var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: UInt8(truncatingIfNeeded: time))
        try builder.append(type: 1, text: user)
        builder.append(type: 40, uint32: status.rawValue)
        try builder.append(type: 44, text: session)
        builder.append(type: 5, uint32: port)
        builder.append(type: 55, uint32: UInt32(time))
        if let up { builder.append(type: 42, uint32: up) }
        if let down { builder.append(type: 43, uint32: down) }
        let packet = try builder.build()
        var record = AccountingRecord(tenantID: tenant.id, nasID: nas, status: status, sessionID: session, userName: user, nasPort: String(port),
                                      eventTime: time, receivedAt: time * 1_000_000)
        record.eventTimeFromNAS = true
        record.upload = up.map { CounterReading(octets: $0, gigawords: nil) }
        record.download = down.map { CounterReading(octets: $0, gigawords: nil) }
        return BatchItem(record: record, packet: packet.bytes)
    }

    /// Runs `body` with a browser signed in as `email` (nil: signed out).
    func withBrowser<T: Sendable>(_ email: String?, _ body: @Sendable (BillingBrowser) async throws -> T) async throws -> T {
        let app = Application(router: router)
        return try await app.test(.router) { client in
            var browser = BillingBrowser(client: client)
            if let email { try await browser.signIn(email, password: Self.password) }
            return try await body(browser)
        }
    }

    func auditRows() throws -> [[String?]] {
        try connection.query("SELECT tenant_id, actor, action, object, detail FROM audit_log ORDER BY id").rows
    }
}

/// A response as a page test reads it.
struct BillingPage: Sendable {
    var status: Int
    var body: String
    var headers: HTTPFields

    var location: String? { headers[.location] }

    /// The CSRF token the page's forms carry.
    var csrf: String? { Self.first(in: body, after: "name=\"csrf\" value=\"", until: "\"") }

    /// Every value of `attribute` in elements whose opening tag contains `marker`.
    func values(_ attribute: String, where marker: String) -> [String] {
        var found: [String] = []
        var rest = body[...]
        while let tag = rest.range(of: "<") {
            guard let end = rest[tag.upperBound...].range(of: ">") else { break }
            let text = rest[tag.upperBound..<end.lowerBound]
            if text.contains(marker), let value = Self.first(in: String(text), after: " \(attribute)=\"", until: "\"") { found.append(value) }
            rest = rest[end.upperBound...]
        }
        return found
    }

    /// The text between the first `start` and the next `end`.
    static func first(in text: String, after start: String, until end: String) -> String? {
        guard let a = text.range(of: start), let b = text[a.upperBound...].range(of: end) else { return nil }
        return String(text[a.upperBound..<b.lowerBound])
    }

    /// The part of the page from `start` to the next `end` (e.g. one table).
    func section(from start: String, to end: String) -> String {
        guard let a = body.range(of: start), let b = body[a.lowerBound...].range(of: end) else { return "" }
        return String(body[a.lowerBound..<b.upperBound])
    }
}

/// A browser as far as the console needs: cookies and forms.
struct BillingBrowser: Sendable {
    let client: any TestClientProtocol
    var session: String?

    init(client: any TestClientProtocol) {
        self.client = client
    }

    mutating func signIn(_ email: String, password: String) async throws {
        let login = try await client.execute(uri: "/console/login", method: .get, headers: [:], body: nil)
        let cookie = login.headers[values: .setCookie].first { $0.hasPrefix("tollgate_login=") }!
        let token = String(cookie.dropFirst("tollgate_login=".count).prefix { $0 != ";" })
        let csrf = BillingPage.first(in: String(buffer: login.body), after: "name=\"csrf\" value=\"", until: "\"")!
        let body = "csrf=\(csrf)&email=\(Self.encode(email))&password=\(Self.encode(password))&next="
        let response = try await client.execute(uri: "/console/login", method: .post,
                                                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "tollgate_login=\(token)"],
                                                body: ByteBuffer(string: body))
        guard let set = response.headers[values: .setCookie].first(where: { $0.hasPrefix("tollgate_session=") }) else {
            throw BillingTestError("sign-in as \(email) failed: \(response.status)")
        }
        session = String(set.dropFirst("tollgate_session=".count).prefix { $0 != ";" })
    }

    func get(_ path: String) async throws -> BillingPage {
        var headers: HTTPFields = [:]
        if let session { headers[.cookie] = "tollgate_session=\(session)" }
        let response = try await client.execute(uri: path, method: .get, headers: headers, body: nil)
        return BillingPage(status: Int(response.status.code), body: String(buffer: response.body), headers: response.headers)
    }

    /// Posts a form; `csrf` is added unless nil.
    func post(_ path: String, _ fields: [(String, String)], csrf: String?) async throws -> BillingPage {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let session { headers[.cookie] = "tollgate_session=\(session)" }
        let all = (csrf.map { [("csrf", $0)] } ?? []) + fields
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        return BillingPage(status: Int(response.status.code), body: String(buffer: response.body), headers: response.headers)
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

struct BillingTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
