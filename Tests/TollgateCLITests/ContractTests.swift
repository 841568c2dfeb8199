import Accounting
import Foundation
import Rating
import Storage
import TestSupport
import Testing

/// A tenant with something behind every path with an id, and at least two rows in every
/// listing: NAS devices, sessions and hourly usage, plans, subscribers and a rated month (and
/// a second tenant). Returns a token per role and the invoice ids.
func seedContractData(_ connection: PostgresConnection) throws -> (tokens: [String: String], invoiceIDs: [Int64]) {
    let cipher = try SecretCipher(hexKey: secretKey)
    let tenant = try TenantStore(connection: connection).create(slug: "alpha", name: "Alpha ISP", currency: "EUR", timeZone: "UTC")
    _ = try TenantStore(connection: connection).create(slug: "bravo", name: "Bravo ISP", currency: "EUR", timeZone: "UTC")
    let nas = try NASStore(connection: connection, cipher: cipher).add(
        tenant: tenant, name: "alpha-bras", address: "10.1.0.1", secret: "alpha-secret")
    _ = try NASStore(connection: connection, cipher: cipher).add(tenant: tenant, name: "alpha-edge", address: "10.1.0.2", secret: "alpha-secret-2")
    let october = 1_791_331_200 as Int64 // 2026-10-07T00:00:00Z
    var items: [BatchItem] = []
    for (i, user) in ["alpha-u1", "alpha-u2", "alpha-stranger", "alpha-visitor"].enumerated() {
        let start = AccountingRecord(
            tenantID: tenant.id, nasID: nas.id, status: .start, sessionID: "s\(i)", userName: user,
            eventTime: october + Int64(i) * 3600, receivedAt: (october + Int64(i) * 3600) * 1_000_000)
        var stop = AccountingRecord(
            tenantID: tenant.id, nasID: nas.id, status: .stop, sessionID: "s\(i)", userName: user,
            eventTime: october + Int64(i) * 3600 + 7200, receivedAt: (october + Int64(i) * 3600 + 7200) * 1_000_000)
        stop.upload = CounterReading(octets: UInt32(1_000_000 * (i + 1)), gigawords: nil)
        stop.download = CounterReading(octets: UInt32(20_000_000 * (i + 1)), gigawords: 1)
        stop.sessionTime = 7200
        items += [BatchItem(record: start, packet: nil), BatchItem(record: stop, packet: nil)]
    }
    try AccountingWriter(connection: connection).write(items)
    let plans = PlanStore(connection: connection)
    let terms = PlanTerms(currency: "EUR", recurringFee: 30, unit: .GB, included: 1, overage: .perUnit(price: 1), taxRate: DecimalText.parse("0.2")!)
    _ = try plans.createPlan(tenant: tenant, name: "alpha-plan", terms: terms, effectiveFrom: CivilDate("2026-01-01"))
    _ = try plans.createPlan(
        tenant: tenant, name: "alpha-basic", terms: PlanTerms(currency: "EUR", recurringFee: 5), effectiveFrom: CivilDate("2026-01-01"))
    _ = try plans.addSubscriber(tenant: tenant, user: "alpha-u1", plan: "alpha-plan", from: CivilDate("2026-09-01")!)
    _ = try plans.addSubscriber(tenant: tenant, user: "alpha-u2", plan: "alpha-plan", from: CivilDate("2026-10-15")!)
    _ = try InvoiceStore(connection: connection).run(tenant: tenant, period: "2026-10")
    let invoiceIDs = try InvoiceStore(connection: connection).list(tenant: tenant).map(\.id)
    // Endpoint 1 (the database is new) with two deliveries, which stay pending: serve runs
    // without the dispatcher here.
    let hooks = WebhookStore(connection: connection, cipher: cipher)
    _ = try hooks.create(tenant: tenant, url: "https://noc.example/hooks", events: ["nas.silent", "enforcement.failed"])
    _ = try hooks.create(tenant: tenant, url: "https://billing.example/hooks", events: ["invoice.finalized"])
    for _ in 0..<2 {
        _ = try connection.tenantTransaction(tenant.id) {
            try WebhookOutbox.enqueue($0, tenantID: tenant.id, event: .nasSilent, data: #"{"nas":{"name":"alpha-bras"}}"#)
        }
    }
    // Two enforcement requests, so the log has a second page and a real cursor.
    for i in 0..<2 {
        try connection.query(
            """
            INSERT INTO enforcement_requests (tenant_id, user_name, session_id, nas_id, acct_session_id, action, reason, decision_key, rate)
            VALUES ($1, 'alpha-u1', $2, 1, 'alpha-s0', 'throttle', 'crossing', $3, '1M/1M')
            """, [String(tenant.id), String(i + 1), "c\(i)"])
    }
    let tokenStore = TokenStore(connection: connection)
    var tokens = ["admin": try tokenStore.create(tenant: nil, role: .admin, name: "platform").secret]
    for role in [TokenRole.operator, .billing, .readonly] {
        tokens[role.rawValue] = try tokenStore.create(tenant: tenant, role: role, name: role.rawValue).secret
    }
    return (tokens, invoiceIDs)
}

/// The `next_cursor` of the first page (of one row) of each listing, read through the API:
/// cursors are sealed, so no made-up value is one.
func listingCursors(port: UInt16, tokens: [String: String]) throws -> [String: String] {
    let curl = try #require(findExecutable("curl"))
    let listings: [(String, String, String)] = [
        ("GET /v1/tenants", "/v1/tenants", "admin"), ("GET /v1/nas", "/v1/nas", "operator"), ("GET /v1/sessions", "/v1/sessions", "readonly"),
        ("GET /v1/usage", "/v1/usage", "readonly"), ("GET /v1/usage/totals", "/v1/usage/totals?by=hour", "readonly"),
        ("GET /v1/usage/top", "/v1/usage/top", "readonly"), ("GET /v1/usage/unassigned", "/v1/usage/unassigned?period=2026-10", "readonly"),
        ("GET /v1/plans", "/v1/plans", "billing"), ("GET /v1/subscribers", "/v1/subscribers", "billing"),
        ("GET /v1/webhooks", "/v1/webhooks", "readonly"), ("GET /v1/webhooks/{id}/deliveries", "/v1/webhooks/1/deliveries", "readonly"),
        ("GET /v1/enforcement", "/v1/enforcement", "readonly"), ("GET /v1/invoices", "/v1/invoices", "billing"),
        ("GET /v1/invoices/export", "/v1/invoices/export?period=2026-10&format=json", "billing"),
    ]
    var cursors: [String: String] = [:]
    for (operation, path, role) in listings {
        let url = "http://127.0.0.1:\(port)\(path)\(path.contains("?") ? "&" : "?")limit=1"
        let (status, body) = try run(curl, ["-sS", "-H", "Authorization: Bearer \(tokens[role]!)", url])
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        guard status == 0, let cursor = object?["next_cursor"] as? String else { throw SetUpError("\(operation): no next_cursor in \(body)") }
        cursors[operation] = cursor
    }
    return cursors
}

/// schemathesis's configuration: path parameters come half the time from the seeded objects
/// (so that requests reach real rows), half the time from the schema; a listing's cursor is
/// always a real one (see `listingCursors`).
func schemathesisConfiguration(invoiceIDs: [Int64], cursors: [String: String]) -> String {
    var operations = ""
    for (operation, cursor) in cursors.sorted(by: { $0.key < $1.key }) {
        operations += """
            [[operations]]
            include-name = "\(operation)"
            parameters = { "query.cursor" = "\(cursor)" }

            """
    }
    // No state kept between runs (failures replayed from earlier runs): each run is its seed's.
    return """
        [cache]
        enabled = false

        [dictionaries.names]
        values = ["alpha-bras", "alpha-plan"]
        [dictionaries.slugs]
        values = ["alpha"]
        [dictionaries.users]
        values = ["alpha-u1", "alpha-u2"]
        [dictionaries.invoices]
        values = [\(invoiceIDs.map(String.init).joined(separator: ", "))]
        [parameters]
        "path.name" = { dictionary = "names", probability = 0.5 }
        "path.slug" = { dictionary = "slugs", probability = 0.5 }
        "path.id" = { dictionary = "invoices", probability = 0.5 }
        "body.user" = { dictionary = "users", probability = 0.5 }
        "body.plan" = { dictionary = "names", probability = 0.5 }

        """ + operations
}

@Suite("API contract", .enabled(if: TestDatabase.available), .serialized)
struct ContractTests {
    /// Fixed, so that a run can be repeated exactly.
    static let seed = "20261128"
    /// Examples per operation in the fuzzing phase.
    static let examples = "15"

    @Test("schemathesis --checks all against a running serve finds no failure, for each role")
    func schemathesis() throws {
        let program = try #require(
            ProcessInfo.processInfo.environment["TOLLGATE_TEST_SCHEMATHESIS"] ?? findExecutable("schemathesis"),
            "schemathesis missing: scripts/test installs it (pip install 'schemathesis>=4,<5')")
        let (url, connection) = try TestDatabase.fresh()
        let seeded = try seedContractData(connection)
        // No deliveries to the URLs the fuzzer makes up: only loopback is reached from tests.
        let serve = try ServeProcess(databaseURL: url, configuration: "[webhooks]\nenabled = false\n")
        let configuration = FileManager.default.temporaryDirectory.appendingPathComponent("schemathesis-\(UUID().uuidString).toml")
        let cursors = try listingCursors(port: serve.httpPort, tokens: seeded.tokens)
        try schemathesisConfiguration(invoiceIDs: seeded.invoiceIDs, cursors: cursors).write(to: configuration, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: configuration) }
        for role in ["admin", "operator", "billing", "readonly"] {
            let (status, output) = try run(
                program,
                [
                    "--config-file", configuration.path, "--no-color", "run", "http://127.0.0.1:\(serve.httpPort)/openapi.yaml",
                    "--checks", "all", "--seed", Self.seed, "--max-examples", Self.examples, "--phases", "examples,coverage,fuzzing",
                    "--workers", "1", "--suppress-health-check", "all", "--generation-database", "none", "-H",
                    "Authorization: Bearer \(seeded.tokens[role]!)",
                ])
            // The summary of every role goes into the test log (operations, cases, failures).
            let summary = output.components(separatedBy: "\n").drop { !$0.contains("API Operations:") }
            print("schemathesis as \(role): exit \(status)\n" + summary.joined(separator: "\n"))
            #expect(status == 0, "schemathesis as \(role) reported failures:\n\(output)")
        }
    }
}
