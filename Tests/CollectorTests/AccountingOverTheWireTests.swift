import Collector
import Foundation
import NASSimulator
import Storage
import TestSupport
import Testing

/// The accounting semantics, each checked with real packets through a running collector.
@Suite("Accounting semantics over the wire", .enabled(if: TestDatabase.available), .serialized)
struct AccountingOverTheWireTests {
    let options = RunOptions(window: 16, timeout: .milliseconds(400), retries: 6, timeLimit: .seconds(30))
    let hour0: UInt32 = 1_795_546_800 // 2026-11-24T19:00:00Z = 20:00 in Vienna

    private func run(_ harness: CollectorHarness, _ sessions: [SimulatedSession]) async throws {
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret")
        let report = try await nas.run(sessions: sessions, options: options)
        #expect(report.isComplete, "\(report)")
    }

    @Test("A NAS without Gigawords wrapping its 32-bit counters is counted in full")
    func wrap() async throws {
        let harness = try CollectorHarness()
        var session = SimulatedSession(
            userName: "wrap", sessionID: "W",
            events: [
                .start(at: .at(hour0)),
                .interim(upload: 3_000_000_000, download: 10, sessionTime: 600, at: .at(hour0 + 600)),
                .interim(upload: 5_000_000_000, download: 20, sessionTime: 1200, at: .at(hour0 + 1200)),
                .stop(upload: 8_000_000_000, download: 30, sessionTime: 1800, at: .at(hour0 + 1800)),
            ])
        session.gigawords = .never
        try await run(harness, [session])
        #expect(try harness.usage(user: "wrap") == (8_000_000_000, 30))
    }

    @Test("Without Event-Timestamp the event time is receipt minus Acct-Delay-Time")
    func delayTime() async throws {
        let harness = try CollectorHarness()
        let session = SimulatedSession(
            userName: "delay", sessionID: "D",
            events: [
                .start(at: .absent, delayTime: 7200),
                .interim(upload: 1, download: 1, sessionTime: 60, at: .absent, delayTime: 3600),
            ])
        let before = Int64(Date().timeIntervalSince1970)
        try await run(harness, [session])
        let lag = try harness.connection.query(
            """
            SELECT extract(epoch FROM now() - started_at)::bigint, extract(epoch FROM now() - last_event_at)::bigint FROM sessions
            """)
        let slack = Int64(Date().timeIntervalSince1970) - before + 5
        let started = Int64(lag.value(row: 0, column: 0) ?? "0") ?? 0
        let last = Int64(lag.value(row: 0, column: 1) ?? "0") ?? 0
        #expect(started >= 7200 && started <= 7200 + slack)
        #expect(last >= 3600 && last <= 3600 + slack)
    }

    @Test("Usage between two updates is spread over hourly buckets, cut in the tenant's time zone")
    func hourlyBuckets() async throws {
        let harness = try CollectorHarness()
        try await run(
            harness,
            [
                SimulatedSession(
                    userName: "split", sessionID: "H",
                    events: [
                        .start(at: .at(hour0 + 1800)),
                        .interim(upload: 3000, download: 6000, sessionTime: 5400, at: .at(hour0 + 7200)),
                    ])
            ])
        let rows = try ReportStore(connection: harness.connection).usage(tenant: harness.tenant, user: "split", by: .hour)
        #expect(rows.map(\.period) == ["2026-11-24 20:00", "2026-11-24 21:00"])
        #expect(rows.map(\.uploadBytes) == [1000, 2000])
        #expect(rows.map(\.downloadBytes) == [2000, 4000])
        let days = try ReportStore(connection: harness.connection).usage(tenant: harness.tenant, user: "split", by: .day)
        #expect(days.map(\.period) == ["2026-11-24"])
    }

    @Test("A Stop without counters keeps them; a late Interim after Stop adds nothing")
    func stopSemantics() async throws {
        let harness = try CollectorHarness()
        try await run(
            harness,
            [
                SimulatedSession(
                    userName: "bare", sessionID: "B",
                    events: [
                        .start(at: .at(hour0)),
                        .interim(upload: 500, download: 700, sessionTime: 300, at: .at(hour0 + 300)),
                        .stop(upload: nil, download: nil, at: .at(hour0 + 400)),
                    ]),
                SimulatedSession(
                    userName: "late", sessionID: "L",
                    events: [
                        .start(at: .at(hour0)),
                        .stop(upload: 900, download: 900, sessionTime: 600, at: .at(hour0 + 600)),
                        .interim(upload: 400, download: 400, sessionTime: 300, at: .at(hour0 + 300)),
                    ]),
            ])
        #expect(try harness.usage(user: "bare") == (500, 700))
        #expect(try harness.usage(user: "late") == (900, 900))
        let closed = try harness.connection.query("SELECT user_name, close_reason FROM sessions ORDER BY 1").rows
        #expect(closed == [["bare", "stop"], ["late", "stop"]])
    }
}
