import Collector
import Enforcement
import Foundation
import NASSimulator
import RADIUS
import Rating
import Storage
import TestSupport
import Testing

@Suite("Quotas that act: accounting in over UDP, CoA and Disconnect out over UDP", .enabled(if: TestDatabase.available), .serialized)
struct EnforcementEndToEndTests {
    func text(_ value: AttributeValue?) -> String? {
        guard let value else { return nil }
        switch value {
        case .text(let s): return s
        default: return "\(value)"
        }
    }

    @Test(
        "a crossing Interim throttles every live session with the vendor's attributes within 5 s of its answer",
        arguments: [
            ("generic", "Filter-Id", "1M/1M"),
            ("mikrotik", "Mikrotik-Rate-Limit", "1M/1M"),
            ("huawei", "HW-Input-Committed-Information-Rate", nil),
            ("juniper", "ERX-Service-Activate", nil),
            ("cisco", "Cisco-AVPair", nil),
        ] as [(String, String, String?)])
    func crossing(vendor: String, attribute: String, value: String?) async throws {
        let harness = try EnforcementHarness(vendor: vendor)
        _ = try WebhookStore(connection: harness.connection, cipher: TestDatabase.cipher).create(
            tenant: harness.tenant, url: "http://127.0.0.1:9/hook", events: WebhookEvent.allCases.map(\.rawValue))
        // 25 GB: past 80 % (notify only); then 31 GB in all: past 100 %.
        let report = try await harness.send([EnforcementHarness.session("alice", "s-1", gigabytes: 25)])
        #expect(report.isComplete)
        #expect(harness.eventually { try harness.outbox("quota.crossed") == 1 })
        #expect(harness.peer.requests.isEmpty)
        _ = try await harness.send([EnforcementHarness.session("alice", "s-2", gigabytes: 6)])
        let answered = Date()
        // Within 5 s of the answer to the crossing packet.
        #expect(harness.eventually(5) { harness.peer.requests.count == 2 })
        #expect(Date().timeIntervalSince(answered) < 5)
        let requests = harness.peer.requests
        #expect(requests.count == 2)
        #expect(harness.peer.failures == [])
        #expect(Set(requests.map { text($0.value("Acct-Session-Id")) }) == ["s-1", "s-2"])
        for request in requests {
            #expect(request.packet.code == .coaRequest)
            #expect(text(request.value("User-Name")) == "alice")
            #expect(request.value(attribute) != nil, "\(vendor): \(request.attributes.map(\.name))")
            if let value { #expect(text(request.value(attribute)) == value) }
        }
        #expect(harness.eventually { try harness.log().filter { $0.status == .acked }.count == 2 })
        let log = try harness.log()
        #expect(log.map(\.request.action) == ["throttle", "throttle"])
        #expect(log.allSatisfy { $0.request.reason == "crossing" && $0.attempts == 1 })
        #expect(harness.eventually { try harness.outbox("enforcement.acked") == 2 })
        #expect(try harness.outbox("quota.crossed") == 2)
        #expect(sample(harness.enforcers[0].metrics.render(), #"tollgate_enforcement_requests_total{action="throttle",outcome="acked"}"#) == 2)
    }

    @Test("a NAK with Error-Cause 503 falls back to a Disconnect; the log has both outcomes")
    func nakFallsBack() async throws {
        var terms = EnforcementHarness.fairUsage
        terms.quotas[1].fallback = .disconnect
        let harness = try EnforcementHarness(terms: terms) { request in
            request.packet.code == .coaRequest ? .nak(errorCause: 503) : .ack
        }
        _ = try await harness.send([EnforcementHarness.session("alice", "s-1", gigabytes: 31)])
        #expect(harness.eventually { try harness.log().count == 2 && harness.log().allSatisfy { $0.status != .pending } })
        let log = try harness.log()
        #expect(log.map(\.request.action) == ["throttle", "disconnect"])
        #expect(log.map(\.status) == [.naked, .acked])
        #expect(log[0].errorCause == 503 && log[1].request.reason == "fallback")
        #expect(harness.peer.requests.map(\.packet.code) == [.coaRequest, .disconnectRequest])
        #expect(text(harness.request(1)?.value("Acct-Session-Id")) == "s-1")
    }

    @Test("a NAS that never answers: every transmission, then timeout recorded and enforcement.failed raised")
    func timeout() async throws {
        let harness = try EnforcementHarness { _ in .silence }
        _ = try WebhookStore(connection: harness.connection, cipher: TestDatabase.cipher).create(
            tenant: harness.tenant, url: "http://127.0.0.1:9/hook", events: ["enforcement.failed"])
        _ = try await harness.send([EnforcementHarness.session("alice", "s-1", gigabytes: 31)])
        #expect(harness.eventually { try harness.log().first?.status == .timeout })
        let record = try #require(try harness.log().first)
        #expect(record.attempts == 3)
        #expect(harness.peer.requests.count == 3)
        #expect(Set(harness.peer.requests.map(\.packet.identifier)).count == 3)
        #expect(try harness.outbox("enforcement.failed") == 1)
    }

    @Test("a throttled subscriber reconnects: the new session is throttled right after its Start")
    func reconnect() async throws {
        let harness = try EnforcementHarness()
        _ = try await harness.send([EnforcementHarness.session("alice", "s-1", gigabytes: 31)])
        #expect(harness.eventually { harness.peer.requests.count == 1 })
        // The subscriber reconnects: the session ends and a new one starts with nothing used.
        _ = try await harness.send([
            SimulatedSession(
                userName: "alice", sessionID: "s-1", nasPort: 1,
                events: [.stop(upload: 0, download: 31_000_000_000, sessionTime: 90)])
        ])
        // The Stop is merged on its own first: the Start alone (no usage yet) must bring the throttle back.
        #expect(
            harness.eventually {
                try harness.connection.query("SELECT count(*) FROM sessions WHERE stopped_at IS NOT NULL").int64(row: 0, column: 0) == 1
            })
        try await Task.sleep(for: .milliseconds(300))
        #expect(harness.peer.requests.count == 1)
        _ = try await harness.send([SimulatedSession(userName: "alice", sessionID: "s-2", nasPort: 2, events: [.start()])])
        #expect(harness.eventually { harness.peer.requests.count == 2 })
        let again = try #require(harness.request(1))
        #expect(text(again.value("Acct-Session-Id")) == "s-2" && text(again.value("Mikrotik-Rate-Limit")) == "1M/1M")
        #expect(harness.eventually { try harness.log().last?.request.reason == "reconnect" })
    }

    @Test("a top-up restores the plan's rate at once; a new cycle does too")
    func topUpAndNewCycle() async throws {
        let harness = try EnforcementHarness()
        _ = try await harness.send([EnforcementHarness.session("alice", "s-1", gigabytes: 31)])
        #expect(harness.eventually { harness.peer.requests.count == 1 })
        let (_, restores) = try QuotaStore(connection: harness.connection).addTopUp(
            tenant: harness.tenant, user: "alice", bytes: 10_000_000_000,
            note: nil, now: Int64(Date().timeIntervalSince1970))
        #expect(restores == 1)
        #expect(harness.eventually { harness.peer.requests.count == 2 })
        #expect(text(harness.request(1)?.value("Mikrotik-Rate-Limit")) == "100M/100M")
        #expect(harness.eventually { try harness.log().last?.status == .acked })
        #expect(try harness.log().last?.request.reason == "top-up")

        // Over the topped-up allowance: throttled again; then the next cycle lifts it.
        _ = try await harness.send([
            SimulatedSession(
                userName: "alice", sessionID: "s-1", nasPort: 1, framedIPAddress: 0x0A00_0009,
                events: [.interim(upload: 0, download: 41_000_000_000, sessionTime: 120)])
        ])
        #expect(harness.eventually { harness.peer.requests.count == 3 })
        #expect(text(harness.request(2)?.value("Mikrotik-Rate-Limit")) == "1M/1M")
        harness.shift.seconds.store(40 * 86_400, ordering: .relaxed)
        #expect(harness.eventually { harness.peer.requests.count == 4 })
        #expect(text(harness.request(3)?.value("Mikrotik-Rate-Limit")) == "100M/100M")
        #expect(harness.eventually { try harness.log().last?.request.reason == "new-period" })
        #expect(harness.peer.failures == [])
    }

    @Test("two collectors evaluating the same usage send one request per session")
    func twoCollectors() async throws {
        let harness = try EnforcementHarness(enforcerCount: 2)
        _ = try await harness.send((0..<4).map { EnforcementHarness.session("alice", "s-\($0)", gigabytes: $0 == 0 ? 31 : 0) })
        #expect(harness.eventually { harness.peer.requests.count >= 4 })
        try await Task.sleep(for: .seconds(1))
        #expect(harness.peer.requests.count == 4)
        #expect(Set(harness.peer.requests.map { text($0.value("Acct-Session-Id")) }).count == 4)
        #expect(try harness.connection.query("SELECT count(*) FROM quota_crossings").int64(row: 0, column: 0) == 2)
    }

    @Test("tenant A's policies never act on tenant B's sessions of the same User-Name")
    func isolation() async throws {
        let harness = try EnforcementHarness()
        // Tenant B: the same User-Name on its own listener-less NAS address, no quota.
        let other = try TenantStore(connection: harness.connection).create(slug: "other", name: "Other", timeZone: "Europe/Vienna")
        try harness.connection.query(
            """
            INSERT INTO sessions (tenant_id, nas_id, acct_session_id, user_name, nas_port) VALUES ($1, 1, 's-1', 'alice', '1')
            """, [String(other.id)])
        _ = try await harness.send([EnforcementHarness.session("alice", "s-1", gigabytes: 31)])
        #expect(harness.eventually { try harness.log().first?.status == .acked })
        try await Task.sleep(for: .milliseconds(500))
        #expect(harness.peer.requests.count == 1)
        #expect(
            try harness.connection.query("SELECT count(*) FROM enforcement_requests WHERE tenant_id = $1", [String(other.id)]).int64(
                row: 0, column: 0) == 0)
    }
}
