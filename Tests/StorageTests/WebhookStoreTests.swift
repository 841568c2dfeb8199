import Accounting
import Foundation
import Rating
import Storage
import Synchronization
import TestSupport
import Testing

@Suite("Webhook endpoints, outbox and NAS activity", .enabled(if: TestDatabase.available))
struct WebhookStoreTests {
    static func world() throws -> (connection: PostgresConnection, url: String, acme: Tenant, other: Tenant) {
        let (url, connection) = try TestDatabase.fresh()
        let tenants = TenantStore(connection: connection)
        return (connection, url, try tenants.create(slug: "acme", name: "ACME"), try tenants.create(slug: "other", name: "Other"))
    }

    @Test("Create shows the secret once; it is stored sealed; rotation replaces it")
    func secrets() throws {
        let (connection, _, acme, _) = try Self.world()
        let store = WebhookStore(connection: connection, cipher: TestDatabase.cipher)
        let created = try store.create(
            tenant: acme, url: "HTTPS://Billing.Example.com:8443/hooks?x=1", events: ["invoice.finalized", "nas.silent"],
            description: "billing")
        #expect(created.url == "https://billing.example.com:8443/hooks?x=1")
        #expect(created.events == ["nas.silent", "invoice.finalized"])
        let secret = try #require(created.secret)
        #expect(secret.hasPrefix("whsec_") && secret.count == 70)
        #expect(try store.find(tenant: acme, id: created.id).secret == nil)
        let sealed = try #require(try connection.query("SELECT encode(secret_sealed, 'hex') FROM webhook_endpoints").value(row: 0, column: 0))
        #expect(!sealed.contains(secret.dropFirst(6).prefix(16)))
        let rotated = try #require(try store.rotateSecret(tenant: acme, id: created.id).secret)
        #expect(rotated != secret && rotated.count == 70)
    }

    @Test("Hostile input: schemes, credentials, fragments, lengths, unknown events and control characters are refused")
    func hostile() throws {
        let (connection, _, acme, _) = try Self.world()
        let store = WebhookStore(connection: connection, cipher: TestDatabase.cipher)
        let refusedURLs = [
            "file:///etc/passwd", "javascript:alert(1)", "ftp://h/x", "http://user:pw@h/x", "http://@h", "https://h/x#frag", "http:/h",
            "http://", "http://h:0/", "http://h:65536/", "http://h:080/", "http://h:/", "http://h x/", "http://h/\u{7f}", "http://hé/",
            "http://-h/", "http://[::1/", "http://[zz]/", "http://h\n/", "gopher://h", "http://" + String(repeating: "a", count: 2048),
            "=HYPERLINK(\"http://evil\")", "http://h/'; DROP TABLE webhook_endpoints; --x y",
        ]
        for url in refusedURLs {
            #expect(throws: StoreError.self, "\(url)") { try store.create(tenant: acme, url: url, events: ["nas.silent"]) }
        }
        for events in [[], ["nas.silent", "nas.louder"], ["'; DROP TABLE x; --"]] {
            #expect(throws: StoreError.self) { try store.create(tenant: acme, url: "http://h/", events: events) }
        }
        #expect(throws: StoreError.self) { try store.create(tenant: acme, url: "http://h/", events: ["nas.silent"], description: "a\u{1}b") }
        #expect(throws: StoreError.self) {
            try store.create(tenant: acme, url: "http://h/", events: ["nas.silent"], description: String(repeating: "d", count: 201))
        }
        // Accepted as written: a formula or SQL in the description is text, and so is a query string.
        let stored = try store.create(
            tenant: acme, url: "http://[::1]:65535/a?q='1'%20OR%201=1", events: ["nas.silent"],
            description: "=cmd|' /C calc'!A0; DROP TABLE webhook_endpoints")
        #expect(try store.find(tenant: acme, id: stored.id).description == "=cmd|' /C calc'!A0; DROP TABLE webhook_endpoints")
        #expect(stored.url == "http://[::1]:65535/a?q='1'%20OR%201=1")
        #expect(try count(connection, "SELECT count(*) FROM webhook_endpoints") == 1)
        // Enqueued data must be one JSON object.
        for data in ["[1]", "not json", "{\"a\":", "\"text\""] {
            #expect(throws: StoreError.self, "\(data)") {
                try connection.tenantTransaction(acme.id) { try WebhookOutbox.enqueue($0, tenantID: acme.id, event: .nasSilent, data: data) }
            }
        }
    }

    @Test("Enqueue reaches only the tenant's enabled endpoints subscribed to the event, and commits or rolls back with its transaction")
    func enqueue() throws {
        let (connection, _, acme, other) = try Self.world()
        let store = WebhookStore(connection: connection, cipher: TestDatabase.cipher)
        let both = try store.create(tenant: acme, url: "http://a/1", events: ["quota.crossed", "nas.silent"])
        _ = try store.create(tenant: acme, url: "http://a/2", events: ["invoice.finalized"])
        let disabled = try store.create(tenant: acme, url: "http://a/3", events: ["quota.crossed"], enabled: false)
        let foreign = try store.create(tenant: other, url: "http://b/1", events: ["quota.crossed"])
        let added = try connection.tenantTransaction(acme.id) {
            try WebhookOutbox.enqueue($0, tenantID: acme.id, event: .quotaCrossed, data: #"{"subscriber":"alice","threshold":"80%"}"#)
        }
        #expect(added == 1)
        #expect(
            try connection.query("SELECT tenant_id, endpoint_id, event, payload::text, status, attempts FROM webhook_deliveries").rows == [
                [String(acme.id), String(both.id), "quota.crossed", #"{"subscriber":"alice","threshold":"80%"}"#, "pending", "0"]
            ])
        // Rolled back with its transaction: no delivery.
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try connection.tenantTransaction(acme.id) { connection in
                try WebhookOutbox.enqueue(connection, tenantID: acme.id, event: .quotaCrossed, data: "{}")
                throw Abort()
            }
        }
        #expect(try count(connection, "SELECT count(*) FROM webhook_deliveries") == 1)
        // Another tenant's transaction cannot enqueue for acme: row-level security hides acme's endpoints.
        #expect(
            try connection.tenantTransaction(other.id) { try WebhookOutbox.enqueue($0, tenantID: acme.id, event: .quotaCrossed, data: "{}") } == 0)
        #expect(try count(connection, "SELECT count(*) FROM webhook_deliveries") == 1)
        #expect(try connection.tenantTransaction(other.id) { try WebhookOutbox.enqueue($0, tenantID: other.id, event: .nasSilent, data: "{}") } == 0)
        _ = (disabled, foreign)
    }

    @Test("Row-level security: a tenant never sees or changes another's endpoints or deliveries")
    func isolation() throws {
        let (connection, _, acme, other) = try Self.world()
        let store = WebhookStore(connection: connection, cipher: TestDatabase.cipher)
        let mine = try store.create(tenant: acme, url: "http://a/1", events: ["nas.silent"])
        let theirs = try store.create(tenant: other, url: "http://b/1", events: ["nas.silent"])
        _ = try connection.tenantTransaction(acme.id) { try WebhookOutbox.enqueue($0, tenantID: acme.id, event: .nasSilent, data: "{}") }
        _ = try connection.tenantTransaction(other.id) { try WebhookOutbox.enqueue($0, tenantID: other.id, event: .nasSilent, data: "{}") }
        #expect(try store.page(tenant: acme, after: nil, limit: 10).rows.map(\.id) == [mine.id])
        #expect(throws: StoreError(.notFound, "no webhook endpoint \(theirs.id)")) { try store.find(tenant: acme, id: theirs.id) }
        #expect(throws: StoreError.self) { try store.update(tenant: acme, id: theirs.id, enabled: false) }
        #expect(throws: StoreError.self) { try store.remove(tenant: acme, id: theirs.id) }
        #expect(throws: StoreError.self) { try store.rotateSecret(tenant: acme, id: theirs.id) }
        #expect(throws: StoreError.self) { try store.deliveries(tenant: acme, endpointID: theirs.id, after: nil, limit: 10) }
        #expect(try store.deliveries(tenant: other, endpointID: theirs.id, after: nil, limit: 10).rows.count == 1)
        // Even a query that forgets its filter sees one tenant's rows only.
        for table in ["webhook_endpoints", "webhook_deliveries", "webhook_attempts", "nas_activity"] {
            let tenants = try connection.tenantTransaction(acme.id) { try $0.query("SELECT DISTINCT tenant_id FROM \(table)").rows }
            #expect(tenants.allSatisfy { $0 == [String(acme.id)] }, "\(table)")
        }
        #expect(try store.find(tenant: other, id: theirs.id).enabled)
    }

    @Test("Two dispatchers claiming at once never get the same delivery; a claim is a lease")
    func claims() throws {
        let (connection, url, acme, other) = try Self.world()
        let store = WebhookStore(connection: connection, cipher: TestDatabase.cipher)
        _ = try store.create(tenant: acme, url: "http://a/1", events: ["nas.silent"])
        _ = try store.create(tenant: other, url: "http://b/1", events: ["nas.silent"])
        for tenant in [acme, other] {
            for i in 0..<100 {
                _ = try connection.tenantTransaction(tenant.id) {
                    try WebhookOutbox.enqueue($0, tenantID: tenant.id, event: .nasSilent, data: #"{"i":\#(i)}"#)
                }
            }
        }
        // Two connections claim concurrently, in rounds of up to 30, until nothing is due.
        final class Claims: Sendable { let ids = Mutex<[[Int64]]>([[], []]) }
        let results = Claims()
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            guard let own = try? PostgresConnection(url: url) else { return }
            let claimer = WebhookStore(connection: own, cipher: TestDatabase.cipher)
            while let claimed = try? claimer.claimDue(limit: 30, leaseSeconds: 60), !claimed.isEmpty {
                results.ids.withLock { $0[worker] += claimed.map(\.deliveryID) }
            }
        }
        let all = results.ids.withLock { $0 }
        #expect(all[0].count + all[1].count == 200)
        #expect(Set(all[0]).isDisjoint(with: Set(all[1])))
        #expect(Set(all[0] + all[1]).count == 200)
        // Leased: nothing is due again until the lease ends.
        #expect(try store.claimDue(limit: 500, leaseSeconds: 60).isEmpty)
        try connection.query(
            "UPDATE webhook_deliveries SET next_attempt_at = now() - interval '1 second' WHERE id IN (SELECT min(id) FROM webhook_deliveries)")
        let again = try store.claimDue(limit: 500, leaseSeconds: 60)
        #expect(again.count == 1)
        #expect(again.first?.attempt == 1)
        #expect(again.first?.url == "http://a/1" || again.first?.url == "http://b/1")

        // The same with the first claim still uncommitted: the second claimer skips its rows.
        try connection.query("UPDATE webhook_deliveries SET next_attempt_at = now() - interval '1 second', claim = NULL")
        let second = try PostgresConnection(url: url)
        try connection.execute("BEGIN")
        let held = try store.claimDue(limit: 30, leaseSeconds: 60)
        let rest = try WebhookStore(connection: second, cipher: TestDatabase.cipher).claimDue(limit: 500, leaseSeconds: 60)
        try connection.execute("COMMIT")
        #expect(held.count == 30 && rest.count == 170)
        #expect(Set(held.map(\.deliveryID)).isDisjoint(with: Set(rest.map(\.deliveryID))))
        #expect(try WebhookStore(connection: second, cipher: TestDatabase.cipher).claimDue(limit: 500, leaseSeconds: 60).isEmpty)
    }

    @Test("Attempts: only the lease holder records; retry, delivered and failed move the delivery and log each attempt")
    func attempts() throws {
        let (connection, _, acme, _) = try Self.world()
        let store = WebhookStore(connection: connection, cipher: TestDatabase.cipher)
        let endpoint = try store.create(tenant: acme, url: "http://a/1", events: ["nas.silent", "quota.crossed"])
        _ = try connection.tenantTransaction(acme.id) { try WebhookOutbox.enqueue($0, tenantID: acme.id, event: .nasSilent, data: #"{"n":1}"#) }
        _ = try connection.tenantTransaction(acme.id) { try WebhookOutbox.enqueue($0, tenantID: acme.id, event: .quotaCrossed, data: #"{"n":2}"#) }
        let first = try store.claimDue(limit: 10, leaseSeconds: 60)
        #expect(first.map(\.event) == ["nas.silent", "quota.crossed"])
        #expect(first[0].secret == Array(try #require(endpoint.secret).utf8))
        var stale = first[0]
        stale.claim = "00000000-0000-0000-0000-000000000000"
        #expect(try store.record(stale, startedAt: 1_795_867_200, statusCode: 200, error: nil, durationMilliseconds: 5, result: .delivered) == false)
        #expect(
            try store.record(
                first[0], startedAt: 1_795_867_200, statusCode: 500, error: "HTTP 500", durationMilliseconds: 12,
                result: .retry(afterSeconds: 0)) == true)
        #expect(
            try store.record(
                first[1], startedAt: 1_795_867_200, statusCode: nil, error: "timed out", durationMilliseconds: 10_000,
                result: .failed))
        // Recorded once only: the lease is gone with the record.
        #expect(
            try store.record(first[0], startedAt: 1_795_867_200, statusCode: 200, error: nil, durationMilliseconds: 5, result: .delivered) == false)
        let second = try store.claimDue(limit: 10, leaseSeconds: 60)
        #expect(second.map(\.deliveryID) == [first[0].deliveryID])
        #expect(second[0].attempt == 2 && second[0].idempotencyKey == first[0].idempotencyKey && second[0].data == #"{"n":1}"#)
        #expect(try store.record(second[0], startedAt: 1_795_867_260, statusCode: 204, error: nil, durationMilliseconds: 7, result: .delivered))
        #expect(try store.claimDue(limit: 10, leaseSeconds: 60).isEmpty)
        let deliveries = try store.deliveries(tenant: acme, endpointID: endpoint.id, after: nil, limit: 10).rows
        #expect(deliveries.map(\.status) == ["failed", "delivered"])
        #expect(deliveries.map(\.attempts) == [1, 2])
        #expect(deliveries.map(\.lastStatusCode) == [nil, 204])
        #expect(deliveries.map(\.lastError) == ["timed out", nil])
        #expect(deliveries[1].deliveredAt != nil && deliveries[1].nextAttemptAt == nil)
        let log = try store.attempts(tenant: acme, deliveryID: first[0].deliveryID)
        #expect(log.map(\.attempt) == [1, 2])
        #expect(log.map(\.statusCode) == [500, 204])
        #expect(log.map(\.error) == ["HTTP 500", nil])
        #expect(log.map(\.durationMilliseconds) == [12, 7])
        #expect(log.map(\.startedAt) == ["2026-11-28T12:00:00.000Z", "2026-11-28T12:01:00.000Z"])
        // Paging: newest first, by cursor; a status filter.
        let page1 = try store.deliveries(tenant: acme, endpointID: endpoint.id, after: nil, limit: 1)
        let page2 = try store.deliveries(tenant: acme, endpointID: endpoint.id, after: page1.next, limit: 1)
        #expect(page1.rows.map(\.event) + page2.rows.map(\.event) == ["quota.crossed", "nas.silent"])
        #expect(page2.next == nil)
        #expect(
            try store.deliveries(tenant: acme, endpointID: endpoint.id, status: "delivered", after: nil, limit: 10).rows.map(\.event) == [
                "nas.silent"
            ])
        #expect(throws: StoreError.self) { try store.deliveries(tenant: acme, endpointID: endpoint.id, status: "lost", after: nil, limit: 10) }
        #expect(throws: StoreError.self) { try store.deliveries(tenant: acme, endpointID: endpoint.id, after: ["x"], limit: 10) }
        // Removing the endpoint removes its deliveries and their attempts.
        try store.remove(tenant: acme, id: endpoint.id)
        #expect(try count(connection, "SELECT count(*) FROM webhook_deliveries") == 0)
        #expect(try count(connection, "SELECT count(*) FROM webhook_attempts") == 0)
    }

    @Test("Finalizing a run enqueues one invoice.finalized per invoice, in the run's transaction, with exact amounts")
    func invoiceFinalized() throws {
        let (connection, _, acme, _) = try Self.world()
        let store = WebhookStore(connection: connection, cipher: TestDatabase.cipher)
        let billing = try store.create(tenant: acme, url: "http://billing/1", events: ["invoice.finalized"])
        _ = try store.create(tenant: acme, url: "http://ops/1", events: ["nas.silent"])
        let plans = PlanStore(connection: connection)
        _ = try plans.createPlan(
            tenant: acme, name: "home",
            terms: PlanTerms(
                currency: "EUR", recurringFee: DecimalText.parse("30.10")!,
                taxRate: DecimalText.parse("0.2")!),
            effectiveFrom: CivilDate("2026-01-01"))
        _ = try plans.addSubscriber(tenant: acme, user: "alice", plan: "home", from: CivilDate("2026-01-01")!)
        _ = try plans.addSubscriber(tenant: acme, user: "bob", plan: "home", from: CivilDate("2026-01-01")!)
        let invoices = InvoiceStore(connection: connection)
        _ = try invoices.run(tenant: acme, period: "2026-10")
        #expect(try count(connection, "SELECT count(*) FROM webhook_deliveries") == 0)
        let result = try invoices.run(tenant: acme, period: "2026-10", finalize: true)
        #expect(result.finalized == 2)
        let rows = try connection.query(
            """
            SELECT endpoint_id, event, payload->'invoice'->>'user', payload->'invoice'->>'subtotal', payload->'invoice'->>'tax',
                   payload->'invoice'->>'total', payload->'invoice'->>'currency', payload->'invoice'->>'period', payload->'invoice'->>'status',
                   (payload->'invoice'->>'id')::bigint = (SELECT i.id FROM invoices i JOIN subscribers s ON s.id = i.subscriber_id
                                                          WHERE s.user_name = payload->'invoice'->>'user'),
                   payload->'invoice'->>'finalized_at' ~ '^2[0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
            FROM webhook_deliveries ORDER BY 3
            """
        ).rows
        #expect(
            rows == [
                [String(billing.id), "invoice.finalized", "alice", "30.10", "6.02", "36.12", "EUR", "2026-10", "final", "t", "t"],
                [String(billing.id), "invoice.finalized", "bob", "30.10", "6.02", "36.12", "EUR", "2026-10", "final", "t", "t"],
            ])
        // Nothing more when the period is run again (already final): no draft became final.
        _ = try? invoices.run(tenant: acme, period: "2026-10", finalize: true)
        #expect(try count(connection, "SELECT count(*) FROM webhook_deliveries") == 2)
    }

    @Test("NAS activity: heard from the packet log, silent after 3 interim intervals, reported once, again after it was heard again")
    func silence() throws {
        let (connection, _, acme, other) = try Self.world()
        let nasStore = NASStore(connection: connection, cipher: TestDatabase.cipher)
        let bras = try nasStore.add(tenant: acme, name: "bras-1", address: "10.0.0.1", secret: "a-long-secret", identifier: "bras-1'; --")
        let edge = try nasStore.add(tenant: acme, name: "edge", address: "10.0.0.2", secret: "a-long-secret")
        let never = try nasStore.add(tenant: other, name: "never-heard", address: "10.9.0.1", secret: "a-long-secret")
        let hooks = try WebhookStore(connection: connection, cipher: TestDatabase.cipher).create(
            tenant: acme, url: "http://ops/1", events: ["nas.silent"])
        let t0 = 1_795_867_200.0 // 2026-11-28T12:00:00Z
        let stream = try #require(try connection.query("INSERT INTO log_streams DEFAULT VALUES RETURNING id").value(row: 0, column: 0))
        var seq = 0
        func packet(_ nas: NASDevice, at time: Double) throws {
            seq += 1
            try connection.query(
                """
                INSERT INTO accounting_packets (tenant_id, received_at, nas_id, packet, stream, seq) VALUES ($1, to_timestamp($2), $3, '\\x00', $4, $5)
                """, [String(nas.tenantID), String(time), String(nas.id), stream, String(seq)])
        }
        // bras-1 states a 60 s interim interval in an open session; edge states none (600 s default).
        try connection.query(
            """
            INSERT INTO sessions (tenant_id, nas_id, acct_session_id, user_name, nas_port, has_events, interim_interval)
            VALUES ($1, $2, 's1', 'u', '1', true, 60)
            """, [String(acme.id), String(bras.id)])
        try packet(bras, at: t0)
        try packet(edge, at: t0 - 100)
        try packet(edge, at: t0)
        #expect(try NASActivity.observe(connection) == 3)
        #expect(try NASActivity.observe(connection) == 0)
        #expect(
            try connection.query("SELECT nas_id, extract(epoch FROM last_heard_at)::bigint FROM nas_activity ORDER BY nas_id").rows
                == [[String(bras.id), String(Int(t0))], [String(edge.id), String(Int(t0))]])
        // bras-1: silent 180 s after its last packet; edge: 1800 s.
        #expect(try NASActivity.reportSilent(connection, now: t0 + 179).isEmpty)
        let first = try NASActivity.reportSilent(connection, now: t0 + 181)
        #expect(
            first == [
                SilentNAS(
                    tenantID: acme.id, nasID: bras.id, name: "bras-1", lastHeardAt: "2026-11-28T12:00:00Z", intervalSeconds: 60,
                    thresholdSeconds: 180, deliveries: 1)
            ])
        #expect(try NASActivity.reportSilent(connection, now: t0 + 1000).isEmpty)
        let second = try NASActivity.reportSilent(connection, now: t0 + 1801)
        #expect(second.map(\.name) == ["edge"] && second.map(\.thresholdSeconds) == [1800])
        #expect(try NASActivity.reportSilent(connection, now: t0 + 10_000).isEmpty)
        let payload = try connection.query(
            "SELECT payload::text FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY id LIMIT 1",
            [String(hooks.id)]
        ).value(row: 0, column: 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data((payload ?? "").utf8)) as? [String: Any])
        #expect(object["silent_since"] as? String == "2026-11-28T12:00:00Z")
        #expect(object["interval_seconds"] as? Int == 60)
        #expect(object["interval_source"] as? String == "sessions")
        #expect(object["threshold_seconds"] as? Int == 180)
        let nas = try #require(object["nas"] as? [String: Any])
        #expect(nas["name"] as? String == "bras-1" && nas["address"] as? String == "10.0.0.1/32" && nas["identifier"] as? String == "bras-1'; --")
        // A replayed old packet is not being heard again; a new one is, and the next silence is reported again.
        try packet(bras, at: t0 - 50)
        try NASActivity.observe(connection)
        #expect(try NASActivity.reportSilent(connection, now: t0 + 20_000).isEmpty)
        try packet(bras, at: t0 + 20_000)
        try NASActivity.observe(connection)
        #expect(try NASActivity.reportSilent(connection, now: t0 + 20_100).isEmpty)
        #expect(try NASActivity.reportSilent(connection, now: t0 + 20_181).map(\.name) == ["bras-1"])
        #expect(try count(connection, "SELECT count(*) FROM webhook_deliveries WHERE event = 'nas.silent'") == 3)
        // Never heard from: never silent.
        #expect(try count(connection, "SELECT count(*) FROM nas_activity WHERE nas_id = \(never.id)") == 0)
    }
}
