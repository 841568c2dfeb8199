import Collector
import Foundation
import Logging
import NASSimulator
import RADIUS
import Storage
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

private let hour0: UInt32 = 1_795_546_800 // 2026-11-24T19:00:00Z

private let options = RunOptions(window: 64, timeout: .milliseconds(400), retries: 6, timeLimit: .seconds(60))

@Suite("Collector end to end (real UDP, real PostgreSQL)", .enabled(if: TestDatabase.available), .serialized)
struct EndToEndTests {
    @Test("Many sessions with duplicates and reordering: usage and sessions exact to the byte")
    func sessionsAreExact() async throws {
        let harness = try CollectorHarness()
        var sessions: [SimulatedSession] = []
        for s in 0..<40 {
            var session = SimulatedSession.regular(
                userName: "user\(s % 9)@isp.example", sessionID: "S\(s)", nasPort: UInt32(s), startTime: hour0 + UInt32(s * 7),
                interimInterval: 600, interims: 5, uploadPerInterval: UInt64(1_000_003 * (s + 1)), downloadPerInterval: UInt64(7_000_001 * (s + 1)))
            // Identical duplicates and re-queued copies with a new Identifier on some events.
            session.events[1] = session.events[1].duplicated(.identical)
            session.events[2] = session.events[2].duplicated(.newIdentifier(addedDelay: 5, immediately: true))
            session.events[6] = session.events[6].duplicated(.newIdentifier())
            if s % 4 == 0 {
                // Reordering: an older interim delivered after a newer one.
                session.events.swapAt(3, 4)
            }
            sessions.append(session)
        }
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret")
        let report = try await nas.run(sessions: sessions, options: options)
        #expect(report.isComplete, "\(report)")
        #expect(report.badResponses == 0)
        let stored = try harness.usage()
        #expect(UInt64(stored.upload) == report.expected.upload)
        #expect(UInt64(stored.download) == report.expected.download)
        for (user, totals) in report.expectedPerUser {
            let perUser = try harness.usage(user: user)
            #expect(UInt64(perUser.upload) == totals.upload, "\(user)")
            #expect(UInt64(perUser.download) == totals.download, "\(user)")
        }
        let rows = try ReportStore(connection: harness.connection).sessions(tenant: harness.tenant)
        #expect(rows.count == 40)
        #expect(rows.allSatisfy { $0.closeReason == "stop" })
        #expect(try harness.connection.query("SELECT count(*) FROM accounting_packets").value(row: 0, column: 0).flatMap { Int($0) } ?? 0 >= 40 * 7)
        #expect(harness.collector.metrics.answered.load(ordering: .relaxed) >= 40 * 7)
    }

    @Test("A burst beyond max_pending pauses reading instead of dropping: everything stored, nothing refused")
    func backpressure() async throws {
        let harness = try CollectorHarness(configure: { configuration in
            configuration.pipeline.maxPending = 128
            configuration.pipeline.maxBatch = 32
            configuration.pipeline.writers = 1
            configuration.receiveBufferBytes = 8 << 20
        })
        var sessions: [SimulatedSession] = []
        for s in 0..<300 {
            let start: UInt32 = hour0 + UInt32(s)
            sessions.append(
                SimulatedSession.regular(
                    userName: "burst\(s % 17)", sessionID: "B\(s)", nasPort: UInt32(s), startTime: start,
                    interimInterval: 600, interims: 1, uploadPerInterval: UInt64(1000 + s),
                    downloadPerInterval: UInt64(5000 + s)))
        }
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret")
        // 900 packets with 600 outstanding at once: far more than the 128 the pipeline holds.
        let report = try await nas.run(
            sessions: sessions, options: RunOptions(window: 600, timeout: .seconds(3), retries: 6, timeLimit: .seconds(90)))
        #expect(report.isComplete, "\(report)")
        let metrics = harness.collector.metrics
        #expect(metrics.droppedCount(.overloaded) == 0)
        #expect(metrics.listenerPauses.load(ordering: .relaxed) > 0)
        let stored = try harness.usage()
        #expect(UInt64(stored.upload) == report.expected.upload && UInt64(stored.download) == report.expected.download)
    }

    @Test("Hostile datagrams are dropped and counted by reason; real accounting still stored")
    func hostileInput() async throws {
        let harness = try CollectorHarness(configure: { $0.dropsFlushInterval = .milliseconds(200) })
        let target = harness.target()
        // Wrong secret, and a NAS that is not registered.
        let wrong = SimulatedNAS(localAddress: "127.0.0.1", target: target, secret: "wrong")
        let stranger = SimulatedNAS(localAddress: "127.0.0.9", target: target, secret: "s3cret")
        let one = [
            SimulatedSession.regular(
                userName: "mallory", sessionID: "M", startTime: hour0, interims: 1,
                uploadPerInterval: 1, downloadPerInterval: 1)
        ]
        let quick = RunOptions(window: 8, timeout: .milliseconds(100), retries: 1, timeLimit: .seconds(10))
        #expect(try await wrong.run(sessions: one, options: quick).acknowledged == 0)
        #expect(try await stranger.run(sessions: one, options: quick).acknowledged == 0)

        // Raw garbage from the registered address.
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var destination = loopbackAddress("127.0.0.1", port: harness.collector.listeners[0].boundPort)
        func send(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { raw in
                withUnsafePointer(to: &destination) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }
        send([4, 1, 0]) // too short
        send([4, 1, 0, 40] + [UInt8](repeating: 0, count: 20)) // Length above datagram
        send([4, 1, 0, 24] + [UInt8](repeating: 0, count: 16) + [1, 0, 0, 0]) // attribute length 0
        send([99, 1, 0, 20] + [UInt8](repeating: 0, count: 16)) // unknown code
        send([2, 1, 0, 20] + [UInt8](repeating: 0, count: 16)) // a response, not a request
        send([UInt8](repeating: 0x41, count: 5000)) // oversized
        var sql = RADIUSPacketBuilder(code: .accountingRequest, identifier: 3)
        try sql.append(type: 1, text: "'; DROP TABLE sessions; --")
        send(try sql.build().bytes) // unsigned: bad authenticator

        // Real accounting still goes through, SQL in every string field included.
        var evil = SimulatedSession.regular(
            userName: "'; DROP TABLE sessions; --", sessionID: "x'); DELETE FROM usage_hourly; --",
            nasPortID: "\\x00\t\n", startTime: hour0, interims: 2, uploadPerInterval: 10, downloadPerInterval: 20)
        evil.callingStationID = "\"quoted\" ü ✓"
        let good = SimulatedNAS(localAddress: "127.0.0.1", target: target, secret: "s3cret")
        let report = try await good.run(sessions: [evil], options: options)
        #expect(report.isComplete)
        #expect(try harness.usage(user: "'; DROP TABLE sessions; --") == (30, 60))
        let metrics = harness.collector.metrics
        #expect(metrics.droppedCount(.badAuthenticator) >= 3)
        #expect(metrics.droppedCount(.unknownNAS) >= 2)
        #expect(metrics.droppedCount(.tooShort) == 1)
        #expect(metrics.droppedCount(.truncated) == 1)
        #expect(metrics.droppedCount(.malformedAttribute) == 1)
        #expect(metrics.droppedCount(.unsupportedCode) == 1)
        #expect(metrics.droppedCount(.unexpectedCode) == 1)
        #expect(metrics.droppedCount(.oversized) == 1)
        #expect(metrics.render().contains("tollgate_packets_dropped_total{reason=\"unknown_nas\"}"))

        // What came from the registered address reaches its tenant's NAS health, by reason,
        // exactly as counted (most first); the unregistered sender belongs to no tenant.
        let attributed: [DropReason] = [.badAuthenticator, .tooShort, .truncated, .malformedAttribute, .unsupportedCode, .unexpectedCode, .oversized]
        let counted: [NASDropTotal] = attributed.map { (reason: DropReason) -> NASDropTotal in
            NASDropTotal(reason: reason.rawValue, datagrams: Int64(metrics.droppedCount(reason)))
        }
        let expected: [NASDropTotal] = counted.sorted { (a: NASDropTotal, b: NASDropTotal) -> Bool in
            a.datagrams != b.datagrams ? a.datagrams > b.datagrams : a.reason < b.reason
        }
        let expectedSum: Int64 = expected.reduce(0) { $0 + $1.datagrams }
        var health: [NASHealthRow] = []
        let written = try waitUntil(seconds: 30) {
            health = try ConsoleUsageStore(connection: harness.direct).nasHealth(tenant: harness.tenant)
            let stored: Int64 = (health.first?.drops ?? []).reduce(0) { $0 + $1.datagrams }
            return stored == expectedSum
        }
        #expect(written)
        #expect(health.map(\.name) == ["bras"])
        #expect(health.first?.drops == expected)
        #expect(try count(harness.direct, "SELECT count(*) FROM nas_drops WHERE reason = 'unknown_nas'") == 0)
    }

    @Test("Status-Server is answered with a signed response; Accounting-On closes the NAS's sessions")
    func statusServerAndAccountingOn() async throws {
        let harness = try CollectorHarness()
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret")
        #expect(try await nas.send(.statusServer, options: options).acknowledged == 1)
        var open: [SimulatedSession] = []
        for s in 0..<5 {
            var session = SimulatedSession.regular(
                userName: "u\(s)", sessionID: "open\(s)", startTime: hour0, interims: 1,
                uploadPerInterval: 100, downloadPerInterval: 100)
            session.events.removeLast() // no Stop
            open.append(session)
        }
        #expect(try await nas.run(sessions: open, options: options).isComplete)
        #expect(try ReportStore(connection: harness.connection).sessions(tenant: harness.tenant, activeOnly: true).count == 5)
        #expect(try await nas.send(.accountingOn(at: .at(hour0 + 3600)), options: options).acknowledged == 1)
        #expect(try ReportStore(connection: harness.connection).sessions(tenant: harness.tenant, activeOnly: true).isEmpty)
        let causes = try harness.connection.query("SELECT DISTINCT close_reason, terminate_cause FROM sessions").rows
        #expect(causes == [["nas-reboot", "11"]])
    }

    @Test("Two tenants use the same NAS address on dedicated listeners")
    func dedicatedListeners() async throws {
        let harness = try CollectorHarness(
            listeners: [
                ListenerConfiguration(name: "acme", address: try SocketAddress(parsing: "127.0.0.1:0"), tenant: "acme"),
                ListenerConfiguration(name: "beta", address: try SocketAddress(parsing: "127.0.0.1:0"), tenant: "beta"),
            ],
            register: { c, acme in
                let nas = NASStore(connection: c, cipher: TestDatabase.cipher)
                try nas.syncListeners([("acme", "acme")])
                _ = try nas.add(tenant: acme, name: "a", address: "127.0.0.1", secret: "alpha", listener: "acme")
                let beta = try TenantStore(connection: c).create(slug: "beta", name: "Beta")
                try nas.syncListeners([("beta", "beta")])
                _ = try nas.add(tenant: beta, name: "b", address: "127.0.0.1", secret: "bravo", listener: "beta")
            })
        let session = [
            SimulatedSession.regular(
                userName: "same-user", sessionID: "same", startTime: hour0, interims: 1,
                uploadPerInterval: 5, downloadPerInterval: 7)
        ]
        let toAcme = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(0), secret: "alpha")
        let toBeta = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(1), secret: "bravo")
        #expect(try await toAcme.run(sessions: session, options: options).isComplete)
        #expect(try await toBeta.run(sessions: session, options: options).isComplete)
        // Each tenant sees exactly one session of its own.
        let beta = try TenantStore(connection: harness.connection).require(slug: "beta")
        #expect(try ReportStore(connection: harness.connection).sessions(tenant: harness.tenant).count == 1)
        #expect(try ReportStore(connection: harness.connection).sessions(tenant: beta).count == 1)
        // acme's secret on beta's listener is refused.
        let crossed = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(1), secret: "alpha")
        let quick = RunOptions(window: 8, timeout: .milliseconds(100), retries: 1, timeLimit: .seconds(10))
        #expect(try await crossed.run(sessions: session, options: quick).acknowledged == 0)
    }

    @Test(
        "A packet whose effect the database refuses is answered (it is in the log), set aside by the merger with the reason, and holds up no other packet"
    )
    func poisonPacket() async throws {
        let harness = try CollectorHarness()
        // Stand-in for any value the database might refuse.
        try harness.connection.execute(
            """
            CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.user_name = 'poison' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION refuse_poison();
            """)
        var sessions = (0..<30).map {
            SimulatedSession.regular(
                userName: "good\($0)", sessionID: "G\($0)", startTime: hour0, interims: 1,
                uploadPerInterval: 10, downloadPerInterval: 10)
        }
        sessions.insert(
            SimulatedSession.regular(
                userName: "poison", sessionID: "P", startTime: hour0, interims: 1,
                uploadPerInterval: 1, downloadPerInterval: 1), at: 15)
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret")
        let quick = RunOptions(window: 64, timeout: .milliseconds(300), retries: 2, timeLimit: .seconds(30))
        let report = try await nas.run(sessions: sessions, options: quick)
        #expect(report.isComplete, "\(report)")
        #expect(try count(harness.connection, "SELECT count(*) FROM accounting_packets WHERE user_name = 'poison'") == 3)
        #expect(
            try harness.connection.query(
                """
                SELECT p.status_type::text, r.error LIKE '%refused%' FROM log_refusals r
                JOIN accounting_packets p ON p.stream = r.stream AND p.seq = r.seq ORDER BY p.status_type
                """
            ).rows == [["1", "t"], ["2", "t"], ["3", "t"]])
        #expect(harness.collector.metrics.mergeRefused.load(ordering: .relaxed) == 3)
        #expect(try count(harness.connection, "SELECT count(*) FROM sessions WHERE user_name <> 'poison' AND close_reason = 'stop'") == 30)
        #expect(try harness.usage() == (30 * 20, 30 * 20))
        // Values a NAS may send that exceed a signed 32-bit integer are stored as they are.
        var large = SimulatedSession.regular(
            userName: "large", sessionID: "X", startTime: hour0, interims: 1,
            uploadPerInterval: 1, downloadPerInterval: 1, terminateCause: UInt32.max)
        large.events[0].additionalAttributes = [85, 6, 0xff, 0xff, 0xff, 0xff] // Acct-Interim-Interval 2^32-1
        #expect(try await nas.run(sessions: [large], options: quick).isComplete)
        #expect(
            try harness.connection.query("SELECT terminate_cause::text, interim_interval::text FROM sessions WHERE user_name = 'large'").rows
                == [["4294967295", "4294967295"]])
    }

    @Test("IPv6: a dual-stack listener and a NAS registered by its IPv6 address")
    func ipv6() async throws {
        let harness = try CollectorHarness(
            listeners: [ListenerConfiguration(name: "default", address: try SocketAddress(parsing: "[::1]:0"))],
            register: { c, t in
                _ = try NASStore(connection: c, cipher: TestDatabase.cipher).add(tenant: t, name: "v6", address: "::1", secret: "six")
            })
        let nas = SimulatedNAS(localAddress: "::1", target: UDPAddress(host: "::1", port: harness.collector.listeners[0].boundPort)!, secret: "six")
        let session = [
            SimulatedSession.regular(
                userName: "v6-user", sessionID: "V6", startTime: hour0, interims: 2,
                uploadPerInterval: 11, downloadPerInterval: 13)
        ]
        #expect(try await nas.run(sessions: session, options: options).isComplete)
        #expect(try harness.usage(user: "v6-user") == (33, 39))
    }

    @Test("A NAS registered while the collector runs is accepted without a restart")
    func registryRefresh() async throws {
        let harness = try CollectorHarness(register: { _, _ in })
        let nas = SimulatedNAS(localAddress: "127.0.0.5", target: harness.target(), secret: "later")
        let session = [
            SimulatedSession.regular(
                userName: "late", sessionID: "L", startTime: hour0, interims: 1,
                uploadPerInterval: 1, downloadPerInterval: 1)
        ]
        let quick = RunOptions(window: 8, timeout: .milliseconds(100), retries: 1, timeLimit: .seconds(10))
        #expect(try await nas.run(sessions: session, options: quick).acknowledged == 0)
        _ = try NASStore(connection: harness.connection, cipher: TestDatabase.cipher)
            .add(tenant: harness.tenant, name: "late", address: "127.0.0.5", secret: "later")
        try await Task.sleep(for: .milliseconds(800))
        #expect(try await nas.run(sessions: session, options: options).isComplete)
    }
}
