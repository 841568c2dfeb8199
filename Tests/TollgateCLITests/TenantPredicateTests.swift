import Foundation
import NASSimulator
import RADIUS
import Storage
import TestSupport
import Testing

/// Every statement Tollgate runs against tenant data names its tenant, so that the data can be
/// distributed by tenant_id (each statement routed to the node of its tenant) or a tenant moved
/// to a cluster of its own. Checked on the plans PostgreSQL chose: every scan of a tenant table
/// carries a tenant_id condition (its own, or the join's that feeds it), except the statements
/// listed in `crossTenant`, which span tenants by design.
@Suite("Tenant predicates in every plan", .enabled(if: TestDatabase.available), .serialized)
struct TenantPredicateTests {
    /// Statements that read or change several tenants' rows at once, by a fragment of their text,
    /// with the reason. Under distribution each is a multi-node statement (or runs per node).
    static let crossTenant: [(fragment: String, reason: String)] = [
        // The packet log is the collectors' (streams of packets as they came, any tenant's);
        // distributed, it stays with the collectors' state on the coordinator.
        (
            "SELECT p.stream, p.seq, p.tenant_id, p.nas_id, p.received_at, p.packet FROM log_streams s",
            "the merger reads each stream's unmerged packets, whatever their tenants"
        ),
        ("SELECT count(*) FROM log_streams s JOIN accounting_packets p", "packets not merged yet, of every stream (metrics, tests)"),
        (
            "SELECT id FROM log_streams s WHERE retired_at IS NULL AND opened_at",
            "streams of stopped collectors with nothing left to merge are retired"
        ),
        ("SELECT s.id AS stream, coalesce(w.seq, 0) AS seq", "NAS activity (last packet per NAS) is read from the packet log's new packets"),
        // Platform work: every tenant's share of one collector.
        (
            "WITH stale AS ( SELECT tenant_id, id FROM sessions WHERE stopped_at IS NULL AND has_events AND last_received_at",
            "the merge leader's reaper closes stale sessions of every tenant"
        ),
        ("SELECT count(*) FROM sessions WHERE stopped_at IS NULL AND has_events", "the platform's /metrics gauge of open sessions"),
        ("DELETE FROM nas_drops WHERE hour < now()", "drop counts older than their retention go, every tenant's"),
        ("FROM nas_devices ORDER BY tenant_id, id", "the collector's registry holds every tenant's NAS"),
        (
            "WHERE n.listener = $1 AND n.address && $2::cidr",
            "a NAS address on a shared listener must not overlap another tenant's (the conflict check names no other tenant)"
        ),
        ("UPDATE enforcement_requests r SET lease_until", "a collector claims due CoA and Disconnect requests of any tenant"),
        (
            "FROM quota_states s JOIN tenants t ON t.id = s.tenant_id ORDER BY s.tenant_id, s.user_name",
            "the sweep finds every tenant's restrictions whose period ended (each is then lifted in its tenant's transaction)"
        ),
        ("SELECT d.tenant_id, d.id FROM webhook_deliveries d", "the dispatcher claims due webhook deliveries of any tenant"),
        ("WITH candidates AS ( SELECT a.tenant_id, a.nas_id, a.last_heard_at", "the silence watch looks for NAS of any tenant gone quiet"),
        ("SELECT event, count(*) AS pending FROM webhook_deliveries WHERE status = 'pending'", "the platform's /metrics gauge of pending deliveries"),
    ]

    /// Tables with tenant_id that belong to the platform, not to one tenant.
    static let platformTables: Set<String> = ["api_tokens", "console_users", "listeners"]

    @Test(
        """
        A day of the product (accounting in, a quota acting through CoA, the API's, the console's and the CLI's reads, an \
        invoice run) \
        under auto_explain: no scan of a tenant table without a tenant_id condition, except the listed cross-tenant work
        """)
    func everyPlanNamesItsTenant() async throws {
        let cluster = try PrivateCluster()
        // The schema first: migrations span tenants by nature.
        let migrated = try runTollgate(["migrate", "--database-url", cluster.url])
        guard migrated.status == 0 else { throw SetUpError(migrated.error) }
        let setup = try PostgresConnection(url: cluster.url)
        // Loaded here first so that ALTER SYSTEM knows its settings.
        try setup.execute("LOAD 'auto_explain'")
        for setting in [
            "session_preload_libraries = 'auto_explain'", "auto_explain.log_min_duration = 0", "auto_explain.log_format = 'json'",
            "auto_explain.log_nested_statements = on", "log_line_prefix = '@@%d@@ '",
        ] {
            try setup.execute("ALTER SYSTEM SET \(setting)")
        }
        _ = try setup.query("SELECT pg_reload_conf()")
        let url = cluster.url
        func tollgate(_ arguments: [String]) throws -> String {
            let result = try runTollgate(arguments + ["--database-url", url], environment: ["TOLLGATE_SECRET_KEY": secretKey])
            guard result.status == 0 else { throw SetUpError("tollgate \(arguments.joined(separator: " ")): \(result.error)") }
            return result.output
        }
        let dictionary = try RADIUSDictionary(contentsOf: RealData.repositoryRoot + "/Dictionaries/dictionary")
        let peer = try DynamicAuthorizationPeer(secret: Array("testing123".utf8), dictionary: dictionary)
        defer { peer.stop() }
        for slug in ["acme", "globex"] { _ = try tollgate(["tenant", "create", slug, "--name", slug.capitalized]) }
        _ = try tollgate([
            "nas", "add", "--tenant", "acme", "--name", "lo", "--address", "127.0.0.1", "--secret", "testing123",
            "--coa-port", String(peer.port), "--vendor", "mikrotik",
        ])
        _ = try tollgate(["nas", "add", "--tenant", "globex", "--name", "edge", "--address", "127.0.0.9", "--secret", "globex-secret"])
        _ = try tollgate([
            "plan", "create", "--tenant", "acme", "--file", "\(RealData.repositoryRoot)/Config/plans/fair-usage.toml", "--from", "2020-01-01",
        ])
        _ = try tollgate(["subscriber", "add", "--tenant", "acme", "--user", "dave", "--plan", "Fair 200", "--from", "2020-01-01"])
        // Housekeeping every second (retention, the reaper, the open-sessions gauge), so that
        // it runs during the test whatever its pace.
        let serve = try ServeProcess(
            databaseURL: url,
            configuration: """
                [collector]
                maintenance_seconds = 1

                [enforcement]
                vendor_directory = "\(RealData.repositoryRoot)/Config/vendors"
                poll_ms = 100
                """)
        var sessions = [
            SimulatedSession(
                userName: "dave", sessionID: "D-1", nasPort: 1, framedIPAddress: 0x0A00_0001,
                events: [.start(), .interim(upload: 10_000_000_000, download: 200_000_000_000, sessionTime: 60)])
        ]
        for s in 0..<20 {
            sessions.append(
                .regular(
                    userName: "u\(s % 7)", sessionID: "S\(s)", nasPort: UInt32(10 + s), startTime: 1_795_546_800,
                    interimInterval: 300, interims: 2, uploadPerInterval: 1000, downloadPerInterval: 9000))
        }
        let options = RunOptions(window: 8, timeout: .milliseconds(500), retries: 6, timeLimit: .seconds(30))
        let acme = SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: serve.port)!, secret: "testing123")
        let globex = SimulatedNAS(localAddress: "127.0.0.9", target: UDPAddress(host: "127.0.0.1", port: serve.port)!, secret: "globex-secret")
        #expect(try await acme.run(sessions: sessions, options: options).isComplete)
        #expect(try await globex.run(sessions: Array(sessions.dropFirst()), options: options).isComplete)
        #expect(try waitUntil(seconds: 15) { peer.requests.count == 1 })
        try waitForMerge(setup)

        // The API's reads and writes, as a tenant's scripts use them.
        let billing = try tollgate(["token", "create", "--tenant", "acme", "--role", "billing", "--name", "b"]).trimmingCharacters(
            in: .whitespacesAndNewlines)
        let operatorToken = try tollgate(["token", "create", "--tenant", "acme", "--role", "operator", "--name", "o"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for path in [
            "/v1/usage?user=dave&by=day", "/v1/usage/totals", "/v1/usage/top?limit=5", "/v1/usage/unassigned?period=2026-11",
            "/v1/sessions?state=all", "/v1/subscribers", "/v1/subscribers/dave/quota", "/v1/subscribers/dave/top-ups",
            "/v1/enforcement", "/v1/plans", "/v1/invoices?period=2026-11", "/v1/webhooks",
        ] {
            _ = try httpGet(port: serve.httpPort, path: path, token: billing)
        }
        for path in ["/v1/nas", "/v1/nas/lo", "/v1/sessions?state=active"] {
            _ = try httpGet(port: serve.httpPort, path: path, token: operatorToken)
        }
        // The console's pages, signed in as the tenant's billing staff.
        let added = try runTollgate(
            [
                "user", "add", "--tenant", "acme", "--email", "billing@acme.example", "--role", "billing", "--password-stdin",
                "--database-url", url,
            ], environment: ["TOLLGATE_SECRET_KEY": secretKey], input: "console-password-1\n")
        guard added.status == 0 else { throw SetUpError(added.error) }
        let python = ProcessInfo.processInfo.environment["TOLLGATE_TEST_PYTHON"] ?? findExecutable("python3") ?? "/usr/bin/python3"
        let (pagesStatus, pages) = try run(
            python,
            [
                RealData.repositoryRoot + "/Benchmarks/console-pages.py", "127.0.0.1", String(serve.httpPort), "billing@acme.example", "1",
                "/console/", "/console/subscribers", "/console/subscribers/dave?period=2026-11", "/console/sessions",
                "/console/top-users?period=2026-11", "/console/invoices", "/console/plans", "/console/audit",
            ],
            input: "console-password-1\n")
        #expect(pagesStatus == 0 && pages.components(separatedBy: "bad=0").count == 9, "\(pages)")
        // The CLI's.
        _ = try tollgate(["invoice", "run", "--tenant", "acme", "--period", "2026-11"])
        _ = try tollgate(["usage", "--tenant", "acme"])
        _ = try tollgate(["sessions", "--tenant", "acme"])
        _ = try tollgate(["quota", "show", "--tenant", "acme", "--user", "dave"])
        _ = try tollgate(["topup", "add", "--tenant", "acme", "--user", "dave", "--amount", "50 GB"])
        #expect(try waitUntil(seconds: 15) { peer.requests.count == 2 })
        // Another round of housekeeping with every session in the database.
        try await Task.sleep(for: .seconds(2.5))
        #expect(serve.terminate() == 0)

        let plans = try PlanLog(path: cluster.directory + "/postgres.log", database: "postgres")
        let tenantTables = Set(
            try setup.query(
                """
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
                  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
                """
            ).rows.compactMap { $0[0] }
        ).subtracting(Self.platformTables)
        #expect(plans.statements.count > 200, "auto_explain logged \(plans.statements.count) plans")
        var offending: [String: Set<String>] = [:]
        var planOf: [String: [String: Any]] = [:]
        for statement in plans.statements {
            let unscoped = statement.unscopedScans(of: tenantTables)
            guard !unscoped.isEmpty else { continue }
            // One line, single spaces: the fragments below match however the SQL is laid out.
            let text = statement.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            offending[text, default: []].formUnion(unscoped)
            planOf[text] = statement.plan
        }
        let listed = offending.filter { text, _ in Self.crossTenant.contains { text.contains($0.fragment) } }
        let unlisted = offending.filter { listed[$0.key] == nil }
        for (text, tables) in unlisted.sorted(by: { $0.key < $1.key }) {
            print("unscoped [\(tables.sorted().joined(separator: ", "))]: \(text.prefix(300))")
            if let plan = planOf[text], let json = try? JSONSerialization.data(withJSONObject: plan, options: [.sortedKeys]) {
                print("  its plan: \(String(decoding: json, as: UTF8.self))")
            }
        }
        #expect(unlisted.isEmpty, "\(unlisted.count) statements scan tenant tables without a tenant_id condition")
        let distinct = Set(plans.statements.map { $0.text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }).count
        print("tenant predicates: \(plans.statements.count) plans of \(distinct) statements checked, \(listed.count) cross-tenant by design")
        let unused = Self.crossTenant.filter { entry in !offending.keys.contains { $0.contains(entry.fragment) } }
        #expect(unused.isEmpty, "listed cross-tenant statements no longer seen: \(unused.map(\.fragment))")
    }
}

/// The plans auto_explain wrote (JSON format) to a server log whose lines begin with
/// `@@database@@ `.
struct PlanLog {
    struct Statement {
        let text: String
        let plan: [String: Any]

        /// Tenant tables this plan scans without their tenants fixed: by a condition of the scan
        /// that compares tenant_id with a constant, a parameter or the session's tenant, or by
        /// tenant_id joined to rows whose tenants are fixed (a tenants row chosen by a
        /// condition, an explicit list of keys from `unnest` of parameters, a scan fixed itself).
        func unscopedScans(of tenantTables: Set<String>) -> Set<String> {
            var found: Set<String> = []
            var ctes: [String: Bool] = [:]
            _ = Self.walk(plan, scope: .none, tenantTables: tenantTables, into: &found, ctes: &ctes)
            return found
        }

        /// What the plan above a node fixes of its rows' tenants.
        private enum Scope: Int, Comparable {
            case none
            /// A nested loop's outer rows, or a subplan's parent row, have fixed tenants: a scan
            /// is scoped when its own condition takes tenant_id from them.
            case parameter
            /// A hash or merge join on tenant_id with a side of fixed tenants.
            case joined

            static func < (a: Scope, b: Scope) -> Bool { a.rawValue < b.rawValue }
        }

        private static let conditionKeys = ["Index Cond", "Filter", "Recheck Cond", "TID Cond"]
        private static let joinKeys = ["Hash Cond", "Merge Cond", "Join Filter"]
        /// tenant_id compared with a parameter, a literal or the session's tenant, either way round.
        private static let fixedTenant = try! NSRegularExpression(
            pattern: #"""
                tenant_id\)?\s*=\s*(\$\d|'|\d|\(current_setting|ANY\s*\(\$|ANY\s*\(')|(\$\d+|'[^']*'(::\w+)?|\b\d+)\s*=\s*\(?(\w+\.)?tenant_id
                """#)

        private static func conditions(_ node: [String: Any], _ keys: [String]) -> [String] {
            keys.compactMap { node[$0] as? String }
        }

        private static func fixes(_ condition: String) -> Bool {
            fixedTenant.firstMatch(in: condition, range: NSRange(condition.startIndex..., in: condition)) != nil
        }

        /// Walks a node with what is fixed above it; whether its rows' tenants are fixed. `ctes`:
        /// whether each common table expression's rows are.
        private static func walk(
            _ node: [String: Any], scope: Scope, tenantTables: Set<String>, into found: inout Set<String>,
            ctes: inout [String: Bool]
        ) -> Bool {
            let children = node["Plans"] as? [[String: Any]] ?? []
            let relationship = { (child: [String: Any]) in child["Parent Relationship"] as? String ?? "" }
            let regular = children.filter { !["SubPlan", "InitPlan"].contains(relationship($0)) }
            // Init plans (CTEs among them) first: the scans of a CTE come after it.
            for child in children where relationship(child) == "InitPlan" {
                let fixed = walk(child, scope: scope, tenantTables: tenantTables, into: &found, ctes: &ctes)
                if let name = child["Subplan Name"] as? String, name.hasPrefix("CTE ") { ctes[String(name.dropFirst(4))] = fixed }
            }
            var pinned = false
            switch node["Node Type"] as? String ?? "" {
            case "Function Scan":
                // unnest of parameters: the statement lists its keys (tenant_id among them).
                pinned = true
            case "CTE Scan":
                pinned = (node["CTE Name"] as? String).flatMap { ctes[$0] } ?? false
            default:
                break
            }
            if let relation = node["Relation Name"] as? String, node["Operation"] == nil {
                // A bitmap heap scan's conditions sit on the bitmap index scans below it.
                var own = conditions(node, conditionKeys)
                for child in regular {
                    own += conditions(child, conditionKeys)
                    for grandchild in child["Plans"] as? [[String: Any]] ?? [] { own += conditions(grandchild, conditionKeys) }
                }
                let scoped = own.contains(where: fixes) || scope == .joined || (scope == .parameter && own.contains { $0.contains("tenant_id") })
                if relation == "tenants" {
                    pinned = !own.isEmpty || scope == .joined
                } else if tenantTables.contains(relation) {
                    if !scoped { found.insert(relation) }
                    pinned = scoped
                }
            }
            switch node["Node Type"] as? String ?? "" {
            case "Nested Loop" where regular.count == 2:
                let outer = walk(regular[0], scope: scope, tenantTables: tenantTables, into: &found, ctes: &ctes)
                let inner = walk(regular[1], scope: max(scope, outer ? .parameter : .none), tenantTables: tenantTables, into: &found, ctes: &ctes)
                pinned = pinned || outer || inner
            case "Hash Join",
                "Merge Join" where regular.count == 2:
                let onTenant = conditions(node, joinKeys).contains { $0.contains("tenant_id") }
                var sides: [(pinned: Bool, found: Set<String>)] = regular.map { child in
                    var own: Set<String> = []
                    return (walk(child, scope: scope, tenantTables: tenantTables, into: &own, ctes: &ctes), own)
                }
                if onTenant {
                    for (index, other) in [(0, 1), (1, 0)] where sides[other].pinned && !sides[index].pinned {
                        var own: Set<String> = []
                        sides[index] = (walk(regular[index], scope: .joined, tenantTables: tenantTables, into: &own, ctes: &ctes), own)
                    }
                }
                for side in sides { found.formUnion(side.found) }
                pinned = pinned || sides.contains { $0.pinned }
            default:
                for child in regular { pinned = walk(child, scope: scope, tenantTables: tenantTables, into: &found, ctes: &ctes) || pinned }
            }
            // A correlated subplan runs per row of this node, with its parameters.
            for child in children where relationship(child) == "SubPlan" {
                _ = walk(child, scope: max(scope, pinned ? .parameter : .none), tenantTables: tenantTables, into: &found, ctes: &ctes)
            }
            return pinned
        }
    }

    let statements: [Statement]

    init(path: String, database: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var statements: [Statement] = []
        var current: [Substring]?
        func finish() {
            guard let lines = current else { return }
            current = nil
            let json = lines.joined(separator: "\n")
            guard let data = json.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let plan = object["Plan"] as? [String: Any]
            else { return }
            statements.append(Statement(text: object["Query Text"] as? String ?? "", plan: plan))
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("@@") {
                finish()
                if line.hasPrefix("@@\(database)@@ LOG:  duration:") && line.hasSuffix("plan:") { current = [] }
            } else if current != nil {
                current!.append(line.hasPrefix("\t") ? line.dropFirst() : line)
            }
        }
        finish()
        self.statements = statements
    }
}
