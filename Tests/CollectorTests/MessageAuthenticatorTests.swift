import Collector
import Foundation
import NASSimulator
import RADIUS
import Storage
import TestSupport
import Testing

/// Per-NAS `require_message_authenticator` (BlastRADIUS, CVE-2024-3596), with real UDP
/// packets through a running collector.
@Suite("Message-Authenticator required per NAS", .enabled(if: TestDatabase.available), .serialized)
struct MessageAuthenticatorTests {
    let hour0: UInt32 = 1_795_546_800
    let once = RunOptions(window: 4, timeout: .milliseconds(300), retries: 0, timeLimit: .seconds(10))
    let patient = RunOptions(window: 4, timeout: .milliseconds(400), retries: 6, timeLimit: .seconds(20))

    func session(_ id: String, signed: Bool) -> SimulatedSession {
        var session = SimulatedSession(userName: "ma-\(id)", sessionID: id, events: [.start(at: .at(hour0))])
        // A zeroed Message-Authenticator is filled in when the request is signed.
        if signed { session.additionalAttributes = [RADIUSPacket.messageAuthenticatorType, 18] + [UInt8](repeating: 0, count: 16) }
        return session
    }

    func storedSessions(_ harness: CollectorHarness) throws -> [String] {
        try harness.connection.query("SELECT acct_session_id FROM sessions ORDER BY 1").rows.compactMap { $0[0] }
    }

    @Test("Required: unsigned Accounting-Requests are dropped and counted, signed ones stored; turned off, unsigned ones are stored again")
    func required() async throws {
        let harness = try CollectorHarness(register: { c, t in
            _ = try NASStore(connection: c, cipher: TestDatabase.cipher).add(
                tenant: t, name: "strict", address: "127.0.0.1", secret: "s3cret-strict",
                requireMessageAuthenticator: true)
            _ = try NASStore(connection: c, cipher: TestDatabase.cipher).add(tenant: t, name: "lax", address: "127.0.0.2", secret: "s3cret-lax")
        })
        let strict = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret-strict")
        let lax = SimulatedNAS(localAddress: "127.0.0.2", target: harness.target(), secret: "s3cret-lax")
        let metrics = harness.collector.metrics

        let unsigned = try await strict.run(sessions: [session("U1", signed: false), session("U2", signed: false)], options: once)
        #expect(unsigned.acknowledged == 0 && unsigned.unanswered == 2, "\(unsigned)")
        #expect(metrics.droppedCount(.missingMessageAuthenticator) == 2)
        #expect(metrics.render().contains("reason=\"missing_message_authenticator\"} 2"))

        let signed = try await strict.run(sessions: [session("S1", signed: true)], options: patient)
        #expect(signed.acknowledged == 1, "\(signed)")
        // Another NAS without the setting is not affected.
        let other = try await lax.run(sessions: [session("L1", signed: false)], options: patient)
        #expect(other.acknowledged == 1, "\(other)")
        #expect(try storedSessions(harness) == ["L1", "S1"])
        #expect(metrics.droppedCount(.missingMessageAuthenticator) == 2)
        #expect(metrics.droppedCount(.badMessageAuthenticator) == 0)

        // Turned off: picked up with the registry and unsigned requests are stored again.
        let updated = try NASStore(connection: harness.connection, cipher: TestDatabase.cipher)
            .update(tenant: harness.tenant, name: "strict", requireMessageAuthenticator: false)
        #expect(updated.requireMessageAuthenticator == false)
        try await Task.sleep(for: .seconds(1))
        let afterwards = try await strict.run(sessions: [session("U3", signed: false)], options: patient)
        #expect(afterwards.acknowledged == 1, "\(afterwards)")
        #expect(try storedSessions(harness) == ["L1", "S1", "U3"])
        #expect(metrics.droppedCount(.missingMessageAuthenticator) == 2)
    }
}
