import Enforcement
import Foundation
import Logging
import Storage
import Synchronization
import TestSupport
import Testing

/// The dispatcher against a real HTTP receiver on 127.0.0.1, and the silence watcher.
@Suite("Webhook delivery end to end", .enabled(if: TestDatabase.available), .serialized)
struct WebhookDeliveryTests {
    static let logger = Logger(label: "webhook-tests")

    static func configuration() -> WebhookConfiguration {
        var configuration = WebhookConfiguration()
        configuration.pollInterval = .milliseconds(50)
        configuration.timeout = .seconds(5)
        configuration.backoff = WebhookBackoff(initial: .milliseconds(200), maximum: .seconds(1), giveUpAfter: .seconds(600), maxAttempts: 5)
        return configuration
    }

    static func world(receiver: WebhookReceiver, events: [String] = ["nas.silent", "quota.crossed"])
        throws -> (connection: PostgresConnection, url: String, tenant: Tenant, endpoint: WebhookEndpoint)
    {
        let (url, connection) = try TestDatabase.fresh()
        let tenant = try TenantStore(connection: connection).create(slug: "acme", name: "ACME")
        let endpoint = try WebhookStore(connection: connection, cipher: TestDatabase.cipher)
            .create(tenant: tenant, url: "http://127.0.0.1:\(receiver.port)/hooks/tollgate", events: events)
        return (connection, url, tenant, endpoint)
    }

    static func dispatcher(_ url: String, _ configuration: WebhookConfiguration = configuration(), metrics: WebhookMetrics) -> WebhookDispatcher {
        WebhookDispatcher(configuration: configuration, cipher: TestDatabase.cipher, metrics: metrics, logger: logger) {
            try PostgresConnection(url: url)
        }
    }

    /// Checks a request's signature the way a receiver does: t and v1 from the header, the
    /// HMAC over "<t>.<raw body>".
    static func verified(_ request: WebhookReceiver.Request, secret: String) -> Bool {
        guard let header = request.headers["tollgate-signature"] else { return false }
        var parts: [String: String] = [:]
        for item in header.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { parts[String(pair[0])] = String(pair[1]) }
        }
        guard let t = parts["t"].flatMap({ Int64($0) }), let v1 = parts["v1"] else { return false }
        return WebhookSigner.signature(secret: Array(secret.utf8), timestamp: t, body: request.body) == v1
            && abs(Double(t) - Date().timeIntervalSince1970) < 300
    }

    @Test("One event: delivered once, signed, with the documented body and headers")
    func deliveredOnce() throws {
        let receiver = try WebhookReceiver()
        defer { receiver.shutdown() }
        let (connection, url, tenant, endpoint) = try Self.world(receiver: receiver)
        _ = try connection.tenantTransaction(tenant.id) {
            try WebhookOutbox.enqueue($0, tenantID: tenant.id, event: .quotaCrossed, data: #"{"subscriber":"alice","percent":80}"#)
        }
        let metrics = WebhookMetrics()
        let dispatcher = Self.dispatcher(url, metrics: metrics)
        dispatcher.start()
        let store = WebhookStore(connection: connection, cipher: TestDatabase.cipher)
        #expect(
            try waitUntil(seconds: 10) {
                try store.deliveries(tenant: tenant, endpointID: endpoint.id, after: nil, limit: 10).rows.first?.status == "delivered"
            })
        Thread.sleep(forTimeInterval: 0.5)
        dispatcher.stop()
        let requests = receiver.requests
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.method == "POST" && request.path == "/hooks/tollgate")
        #expect(Self.verified(request, secret: try #require(endpoint.secret)))
        #expect(!Self.verified(request, secret: try #require(endpoint.secret) + "x"))
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["tollgate-event"] == "quota.crossed")
        #expect(request.headers["tollgate-delivery-attempt"] == "1")
        let delivery = try #require(try store.deliveries(tenant: tenant, endpointID: endpoint.id, after: nil, limit: 10).rows.first)
        #expect(request.headers["tollgate-idempotency-key"] == delivery.idempotencyKey)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        #expect(Set(body.keys) == ["id", "event", "tenant", "created_at", "data"])
        #expect(body["id"] as? String == delivery.idempotencyKey)
        #expect(body["event"] as? String == "quota.crossed")
        #expect(body["tenant"] as? String == "acme")
        #expect(body["created_at"] as? String == delivery.createdAt)
        let data = try #require(body["data"] as? [String: Any])
        #expect(data["subscriber"] as? String == "alice" && data["percent"] as? Int == 80)
        #expect(delivery.attempts == 1 && delivery.lastStatusCode == 200)
        #expect(sample(metrics.render(), #"tollgate_webhook_attempts_total{event="quota.crossed",outcome="delivered"}"#) == 1)
        #expect(sample(metrics.render(), #"tollgate_webhook_attempts_total{event="quota.crossed",outcome="retry"}"#) == 0)
        #expect(metrics.render().contains(#"tollgate_webhook_attempts_total{event="quota.crossed",outcome="delivered"} 1"#))
    }

    @Test("A failing receiver: retried with the same key and body until 2xx, delivered once, every attempt logged")
    func retried() throws {
        let receiver = try WebhookReceiver(statuses: [500, 503])
        defer { receiver.shutdown() }
        let (connection, url, tenant, endpoint) = try Self.world(receiver: receiver)
        _ = try connection.tenantTransaction(tenant.id) { try WebhookOutbox.enqueue($0, tenantID: tenant.id, event: .nasSilent, data: #"{"n":1}"#) }
        let metrics = WebhookMetrics()
        let dispatcher = Self.dispatcher(url, metrics: metrics)
        dispatcher.start()
        let store = WebhookStore(connection: connection, cipher: TestDatabase.cipher)
        #expect(
            try waitUntil(seconds: 15) {
                try store.deliveries(tenant: tenant, endpointID: endpoint.id, after: nil, limit: 10).rows.first?.status == "delivered"
            })
        Thread.sleep(forTimeInterval: 0.5)
        dispatcher.stop()
        let requests = receiver.requests
        #expect(requests.map(\.answered) == [500, 503, 200])
        #expect(Set(requests.compactMap { $0.headers["tollgate-idempotency-key"] }).count == 1)
        #expect(Set(requests.map(\.body)).count == 1)
        #expect(requests.map { $0.headers["tollgate-delivery-attempt"] } == ["1", "2", "3"])
        #expect(requests.allSatisfy { Self.verified($0, secret: endpoint.secret ?? "") })
        let delivery = try #require(try store.deliveries(tenant: tenant, endpointID: endpoint.id, after: nil, limit: 10).rows.first)
        #expect(delivery.attempts == 3 && delivery.status == "delivered" && delivery.lastStatusCode == 200)
        let log = try store.attempts(tenant: tenant, deliveryID: delivery.id)
        #expect(log.map(\.statusCode) == [500, 503, 200])
        #expect(log.map(\.error) == ["HTTP 500", "HTTP 503", nil])
        #expect(sample(metrics.render(), #"tollgate_webhook_attempts_total{event="nas.silent",outcome="retry"}"#) == 2)
        #expect(sample(metrics.render(), #"tollgate_webhook_attempts_total{event="nas.silent",outcome="delivered"}"#) == 1)
    }

    @Test("Given up after the attempt limit; an unreachable endpoint records the error without a status")
    func givenUp() throws {
        let receiver = try WebhookReceiver(statuses: Array(repeating: 500, count: 10))
        defer { receiver.shutdown() }
        let (connection, url, tenant, endpoint) = try Self.world(receiver: receiver)
        // A port nothing listens on: a receiver started and stopped.
        let gone = try WebhookReceiver()
        let gonePort = gone.port
        gone.shutdown()
        let store = WebhookStore(connection: connection, cipher: TestDatabase.cipher)
        let unreachable = try store.create(tenant: tenant, url: "http://127.0.0.1:\(gonePort)/x", events: ["nas.silent"])
        _ = try connection.tenantTransaction(tenant.id) { try WebhookOutbox.enqueue($0, tenantID: tenant.id, event: .nasSilent, data: "{}") }
        var configuration = Self.configuration()
        configuration.backoff.maxAttempts = 2
        let metrics = WebhookMetrics()
        let dispatcher = Self.dispatcher(url, configuration, metrics: metrics)
        dispatcher.start()
        #expect(
            try waitUntil(seconds: 15) {
                try count(connection, "SELECT count(*) FROM webhook_deliveries WHERE status = 'failed'") == 2
            })
        dispatcher.stop()
        #expect(receiver.requests.map(\.answered) == [500, 500])
        let failed = try #require(try store.deliveries(tenant: tenant, endpointID: endpoint.id, after: nil, limit: 10).rows.first)
        #expect(failed.status == "failed" && failed.attempts == 2 && failed.lastStatusCode == 500 && failed.lastError == "HTTP 500")
        let refused = try #require(try store.deliveries(tenant: tenant, endpointID: unreachable.id, after: nil, limit: 10).rows.first)
        #expect(refused.status == "failed" && refused.attempts == 2 && refused.lastStatusCode == nil)
        #expect((refused.lastError ?? "").isEmpty == false)
        #expect(sample(metrics.render(), #"tollgate_webhook_attempts_total{event="nas.silent",outcome="failed"}"#) == 2)
        #expect(sample(metrics.render(), #"tollgate_webhook_attempts_total{event="nas.silent",outcome="retry"}"#) == 2)
    }

    @Test("nas.silent: a NAS that stops sending is reported once, through the dispatcher, and again after it was heard again")
    func silentNAS() throws {
        let receiver = try WebhookReceiver()
        defer { receiver.shutdown() }
        let (connection, url, tenant, _) = try Self.world(receiver: receiver, events: ["nas.silent"])
        let nas = try NASStore(connection: connection, cipher: TestDatabase.cipher).add(
            tenant: tenant, name: "bras-7", address: "10.7.0.1",
            secret: "a-long-secret")
        let stream = try #require(try connection.query("INSERT INTO log_streams DEFAULT VALUES RETURNING id").value(row: 0, column: 0))
        var seq = 0
        func send() throws {
            seq += 1
            try connection.query(
                """
                INSERT INTO accounting_packets (tenant_id, received_at, nas_id, packet, stream, seq) VALUES ($1, clock_timestamp(), $2, '\\x00', $3, $4)
                """, [String(tenant.id), String(nas.id), stream, String(seq)])
        }
        var configuration = Self.configuration()
        configuration.silenceCheckInterval = .milliseconds(100)
        configuration.silenceDefaultInterval = .seconds(1)
        configuration.silenceIntervals = 2
        let metrics = WebhookMetrics()
        let connect: @Sendable () throws -> PostgresConnection = { try PostgresConnection(url: url) }
        let watcher = NASSilenceWatcher(configuration: configuration, metrics: metrics, logger: Self.logger, connect: connect)
        let dispatcher = Self.dispatcher(url, configuration, metrics: metrics)
        watcher.start()
        dispatcher.start()
        // Sending every 0.3 s for 3 s: never 2 s without a packet, never silent.
        for _ in 0..<10 {
            try send()
            Thread.sleep(forTimeInterval: 0.3)
        }
        #expect(receiver.requests.isEmpty)
        // Stops sending: reported after 2 s, once.
        #expect(try waitUntil(seconds: 6) { receiver.requests.count == 1 })
        Thread.sleep(forTimeInterval: 2.5)
        #expect(receiver.requests.count == 1)
        // Heard again, then silent again: reported again.
        try send()
        #expect(try waitUntil(seconds: 6) { receiver.requests.count == 2 })
        watcher.stop()
        dispatcher.stop()
        let bodies = try receiver.requests.map { try #require(try JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any]) }
        #expect(bodies.map { $0["event"] as? String } == ["nas.silent", "nas.silent"])
        let data = try #require(bodies[0]["data"] as? [String: Any])
        #expect((data["nas"] as? [String: Any])?["name"] as? String == "bras-7")
        #expect(data["threshold_seconds"] as? Int == 2 && data["interval_source"] as? String == "default")
        #expect(sample(metrics.render(), "tollgate_nas_silent_total") == 2)
        #expect(Set(receiver.requests.compactMap { $0.headers["tollgate-idempotency-key"] }).count == 2)
    }
}
