import Foundation
import NASSimulator
import Storage
import Testing
import TestSupport

/// How the primary goes away.
enum PrimaryLoss: String, CustomTestStringConvertible, Sendable {
    /// Killed with -9: an unplanned failover.
    case killed
    /// Stopped (fast shutdown, which sends the standby every WAL record first): a planned switchover.
    case stopped

    var testDescription: String { rawValue }
}

@Suite("Database failover under load", .enabled(if: TestDatabase.available), .serialized)
struct DatabaseFailoverTests {
    @Test("""
        A primary with a synchronous standby, the collector given both in one libpq multi-host URL: the primary killed with \
        -9 (or stopped, a planned switchover) during sustained load and the standby promoted; every acknowledged packet is \
        on the new primary once, totals exact, the collector never restarted
        """, arguments: [PrimaryLoss.killed, .stopped])
    func failover(_ loss: PrimaryLoss) async throws {
        let primary = try PrivateCluster()
        let standby = try PrivateCluster(standbyOf: primary)
        // Both servers; libpq takes the one that accepts writes.
        let url = "postgresql:///postgres?host=\(primary.directory)/socket,\(standby.directory)/socket&user=postgres"
            + "&target_session_attrs=read-write&connect_timeout=2"
        let env = ["TOLLGATE_SECRET_KEY": secretKey]
        for arguments in [["migrate"], ["tenant", "create", "acme", "--name", "ACME"],
                          ["nas", "add", "--tenant", "acme", "--name", "lo", "--address", "127.0.0.1", "--secret", "testing123"]] {
            let result = try runTollgate(arguments + ["--database-url", url], environment: env)
            guard result.status == 0 else { throw CLIError(result.error) }
        }
        let serve = try ServeProcess(databaseURL: url)
        var sessions: [SimulatedSession] = []
        for s in 0..<800 {
            sessions.append(SimulatedSession.regular(userName: "f\(s % 11)", sessionID: "F\(s)", nasPort: UInt32(s), startTime: 1_795_546_800 + UInt32(s),
                                                     interimInterval: 300, interims: 3, uploadPerInterval: UInt64(3000 + s),
                                                     downloadPerInterval: UInt64(70_000 + s)))
        }
        // 4,000 packets at 100/s, before, during and after the failover.
        var options = RunOptions(window: 64, timeout: .seconds(1), retries: 60, timeLimit: .seconds(150))
        options.rate = 100
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: serve.port)!, secret: "testing123")
        let run = ThreadTask { try NASSimulator(options: options).runBlocking([NASWorkload(nas: nas, sessions: sessions)]) }
        let spooled = try await ThreadTask { () throws -> Int in
            do {
                let connection = try PostgresConnection(url: primary.url)
                guard try waitUntil(seconds: 120, { try count(connection, "SELECT count(*) FROM accounting_packets") >= 1000 }) else {
                    throw CLIError("the load had not started after 120 s")
                }
            }
            // The primary goes; its standby has every commit the collector saw.
            switch loss {
            case .killed:
                guard let pid = primary.postmasterPID else { throw CLIError("no postmaster.pid") }
                kill(pid, SIGKILL)
            case .stopped:
                try primary.stop()
            }
            Thread.sleep(forTimeInterval: 5)
            let spooled = try serve.metrics()["tollgate_spool_packets_total"] ?? 0
            try standby.promote()
            return spooled
        }.value
        #expect(spooled > 0, "the collector spooled nothing while no server took writes")
        let report = try await run.value
        #expect(report.isComplete, "\(report)")
        for _ in 0..<300 where try serve.metrics()["tollgate_spool_bytes"] != 0 { try await Task.sleep(for: .milliseconds(100)) }
        let metrics = try serve.metrics()
        #expect(metrics["tollgate_spool_bytes"] == 0)
        #expect(metrics["tollgate_spool_quarantined_total"] == 0)
        // The same process throughout.
        #expect(serve.process.isRunning)
        let connection = try PostgresConnection(url: standby.url)
        try waitForMerge(connection, seconds: 60)
        let totals = try connection.query("SELECT sum(upload_bytes)::text, sum(download_bytes)::text FROM usage_hourly").rows[0]
        #expect(totals == [String(report.expected.upload), String(report.expected.download)])
        #expect(try connection.query("SELECT count(*) FROM sessions WHERE stopped_at IS NOT NULL").rows == [["800"]])
        #expect(try connection.query("SELECT count(DISTINCT packet) FROM accounting_packets").rows == [["4000"]])
        print("failover (primary \(loss.rawValue)): 4000 packets, \(spooled) spooled while no server took writes, \(report.retransmissions) retransmissions, 0 lost")
        #expect(serve.terminate() == 0)
    }
}
