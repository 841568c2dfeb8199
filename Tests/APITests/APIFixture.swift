import Accounting
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Rating
import Storage
import TestSupport

@testable import API

/// Two tenants with data of every kind, tokens of every role, and the API's router.
///
/// Tenant A ("alpha") and tenant B ("bravo") each have a NAS, sessions, hourly usage, a plan,
/// subscribers and a rated month of invoices. Every name of B starts with "bravo", so a test
/// can check that nothing of B appears in what A's tokens get back.
final class APIWorld: @unchecked Sendable {
    let url: String
    let connection: PostgresConnection
    let a: Tenant
    let b: Tenant
    /// "admin", "alpha.operator", "alpha.billing", "alpha.readonly", "bravo.operator", ...
    var tokens: [String: String] = [:]
    var invoiceIDs: [String: [Int64]] = [:]
    var sessionIDs: [String: [Int64]] = [:]
    let database: APIDatabase
    let api: TollgateAPI
    let router: Router<BasicRequestContext>

    static let october = 1_791_331_200 as Int64 // 2026-10-07T00:00:00Z

    init() throws {
        (url, connection) = try TestDatabase.fresh()
        let tenants = TenantStore(connection: connection)
        a = try tenants.create(slug: "alpha", name: "Alpha ISP", currency: "EUR", timeZone: "Europe/Vienna")
        b = try tenants.create(slug: "bravo", name: "bravo ISP", currency: "EUR", timeZone: "Europe/Vienna")
        database = APIDatabase(url: url, threads: 4)
        var logger = Logger(label: "api-test")
        logger.logLevel = .critical
        api = TollgateAPI(database: database, cipher: TestDatabase.cipher, logger: logger)
        router = Router()
        let tokenStore = TokenStore(connection: connection)
        tokens["admin"] = try tokenStore.create(tenant: nil, role: .admin, name: "platform").secret
        for tenant in [a, b] {
            for role in [TokenRole.operator, .billing, .readonly] {
                tokens["\(tenant.slug).\(role.rawValue)"] = try tokenStore.create(tenant: tenant, role: role, name: "\(tenant.slug) \(role.rawValue)")
                    .secret
            }
            try populate(tenant, octet: tenant.slug == "alpha" ? 1 : 2)
        }
        api.register(on: router)
    }

    deinit {
        let database = self.database
        Task { try? await database.shutdown() }
    }

    /// A NAS, 3 users with a session each (Start/Stop), usage, a plan, 2 subscribers, a rated October.
    private func populate(_ tenant: Tenant, octet: Int) throws {
        let p = tenant.slug
        let nas = try NASStore(connection: connection, cipher: TestDatabase.cipher).add(
            tenant: tenant, name: "\(p)-bras",
            address: "10.\(octet).0.1", secret: "\(p)-secret")
        var items: [BatchItem] = []
        for (i, user) in ["\(p)-u1", "\(p)-u2", "\(p)-stranger"].enumerated() {
            var start = AccountingRecord(
                tenantID: tenant.id, nasID: nas.id, status: .start, sessionID: "\(p)-s\(i)", userName: user,
                eventTime: Self.october + Int64(i) * 3600, receivedAt: (Self.october + Int64(i) * 3600) * 1_000_000)
            start.framedIPAddress = "100.64.\(octet).\(i + 1)"
            var stop = AccountingRecord(
                tenantID: tenant.id, nasID: nas.id, status: .stop, sessionID: "\(p)-s\(i)", userName: user,
                eventTime: Self.october + Int64(i) * 3600 + 7200, receivedAt: (Self.october + Int64(i) * 3600 + 7200) * 1_000_000)
            stop.upload = CounterReading(octets: UInt32(1_000_000 * (i + 1) * octet), gigawords: nil)
            stop.download = CounterReading(octets: UInt32(20_000_000 * (i + 1) * octet), gigawords: 1)
            stop.sessionTime = 7200
            items += [BatchItem(record: start, packet: nil), BatchItem(record: stop, packet: nil)]
        }
        // One session still open.
        items.append(
            BatchItem(
                record: AccountingRecord(
                    tenantID: tenant.id, nasID: nas.id, status: .start, sessionID: "\(p)-open", userName: "\(p)-u1",
                    eventTime: Self.october + 86400, receivedAt: (Self.october + 86400) * 1_000_000), packet: nil))
        try AccountingWriter(connection: connection).write(items)
        sessionIDs[p] = try connection.query("SELECT id FROM sessions WHERE tenant_id = $1 ORDER BY id", [String(tenant.id)]).rows.map {
            Int64($0[0]!)!
        }

        let plans = PlanStore(connection: connection)
        let terms = PlanTerms(
            currency: "EUR", recurringFee: 30, unit: .GB, included: 1, overage: .perUnit(price: 1), taxRate: DecimalText.parse("0.2")!)
        _ = try plans.createPlan(tenant: tenant, name: "\(p)-plan", terms: terms, effectiveFrom: CivilDate("2026-01-01"))
        _ = try plans.addSubscriber(tenant: tenant, user: "\(p)-u1", plan: "\(p)-plan", from: CivilDate("2026-09-01")!)
        _ = try plans.addSubscriber(tenant: tenant, user: "\(p)-u2", plan: "\(p)-plan", from: CivilDate("2026-10-15")!)
        _ = try InvoiceStore(connection: connection).run(tenant: tenant, period: "2026-10")
        invoiceIDs[p] = try InvoiceStore(connection: connection).list(tenant: tenant).map(\.id)
    }

    func token(_ key: String) -> String { tokens[key]! }

    /// Runs `body` with a client of the API (in-process, through the router).
    func withClient<T: Sendable>(_ body: @Sendable (APIClient) async throws -> T) async throws -> T {
        let app = Application(router: router)
        return try await app.test(.router) { client in try await body(APIClient(client: client)) }
    }
}

/// A response as the tests read it.
struct APIResponse: Sendable {
    var status: Int
    var body: String
    var headers: HTTPFields

    /// The body as Foundation values (integers as Int). Read with JSONDecoder: JSONSerialization
    /// drops a byte order mark at the start of a string.
    var json: Any? { (try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)))?.foundationObject }
    var items: [[String: Any]] { ((json as? [String: Any])?["items"] as? [[String: Any]]) ?? [] }
    var object: [String: Any] { (json as? [String: Any]) ?? [:] }
    var errorMessage: String { ((object["error"] as? [String: Any])?["message"] as? String) ?? "" }
}

struct APIClient: Sendable {
    let client: any TestClientProtocol

    func send(_ method: HTTPRequest.Method, _ path: String, token: String?, body: String? = nil) async throws -> APIResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return APIResponse(status: Int(response.status.code), body: String(buffer: response.body), headers: response.headers)
    }

    func send(_ method: HTTPRequest.Method, _ path: String, token: String?, json: [String: Any]) async throws -> APIResponse {
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        return try await send(method, path, token: token, body: String(decoding: data, as: UTF8.self))
    }
}

/// Percent-encodes a path segment or query value.
func encoded(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}
