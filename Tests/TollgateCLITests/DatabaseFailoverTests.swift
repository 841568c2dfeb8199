import Foundation
import NASSimulator
import Storage
import TestSupport
import Testing

/// How the primary goes away.
enum PrimaryLoss: String, CustomTestStringConvertible, Sendable {
    /// Killed with -9: an unplanned failover.
    case killed
    /// Stopped (fast shutdown, which sends the standby every WAL record first): a planned switchover.
    case stopped

    var testDescription: String { rawValue }
}

/// What a failover test's timeline measured.
struct FailoverTiming {
    /// Seconds from the loss until the failover's manager recorded the primary as failed, when
    /// one did.
    var detection: Double?
    /// Seconds from the loss (or the switchover's start) until a server took writes again.
    var writable: Double
}

@Suite("Database failover under load", .enabled(if: TestDatabase.available), .serialized)
struct DatabaseFailoverTests {
    @Test(
        """
        A primary with a synchronous standby, the collector given both in one libpq multi-host URL: the primary killed with \
        -9 (or stopped, a planned switchover) during sustained load and the standby promoted; every acknowledged packet is \
        on the new primary once, totals exact, the collector never restarted
        """, arguments: [PrimaryLoss.killed, .stopped])
    func failover(_ loss: PrimaryLoss) async throws {
        let primary = try PrivateCluster()
        let standby = try PrivateCluster(standbyOf: primary)
        // Both servers; libpq takes the one that accepts writes.
        let url =
            "postgresql:///postgres?host=\(primary.directory)/socket,\(standby.directory)/socket&user=postgres"
            + "&target_session_attrs=read-write&connect_timeout=2"
        // 5 s without a server that takes writes, at 100 packets/s: the collector must spool.
        try await failoverUnderLoad(url: url, label: "primary \(loss.rawValue), pg_ctl promote", spoolingCertain: true) {
            // The primary goes; its standby has every commit the collector saw.
            switch loss {
            case .killed:
                guard let pid = primary.postmasterPID else { throw SetUpError("no postmaster.pid") }
                kill(pid, SIGKILL)
            case .stopped:
                try primary.stop()
            }
            let lost = Date()
            Thread.sleep(forTimeInterval: 5)
            try standby.promote()
            return FailoverTiming(detection: nil, writable: Date().timeIntervalSince(lost))
        }
    }

    @Test(
        """
        pg_auto_failover (monitor and two nodes), the collector given both nodes in one multi-host URL: the primary's host \
        lost (keeper and postmaster killed with -9) during sustained load, the monitor promotes the secondary by itself; \
        every acknowledged packet is on the new primary once, totals exact, the collector never restarted
        """)
    func managedFailover() async throws {
        let formation = try AutoFailoverFormation()
        // The monitor notices a lost node only after node_considered_unhealthy_timeout (3 s)
        // without a report from its keeper: at 100 packets/s the collector must spool.
        try await failoverUnderLoad(url: formation.url, label: "primary host lost, pg_auto_failover", spoolingCertain: true) {
            guard let old = try formation.primary() else { throw SetUpError("the formation has no primary: \(try formation.states())") }
            let lost = Date()
            formation.loseHost(of: old)
            try formation.waitForPrimary(otherThan: old, seconds: 60)
            let writable = Date().timeIntervalSince(lost)
            return FailoverTiming(detection: try formation.unhealthySince(old, after: lost).map { $0.timeIntervalSince(lost) }, writable: writable)
        }
    }

    @Test(
        """
        pg_auto_failover (monitor and two nodes): `pg_autoctl perform switchover` during sustained load; every \
        acknowledged packet is on the new primary once, totals exact, the collector never restarted
        """)
    func managedSwitchover() async throws {
        let formation = try AutoFailoverFormation()
        try await failoverUnderLoad(url: formation.url, label: "pg_autoctl perform switchover", spoolingCertain: false) {
            guard let old = try formation.primary() else { throw SetUpError("the formation has no primary: \(try formation.states())") }
            let started = Date()
            try formation.performSwitchover()
            try formation.waitForPrimary(otherThan: old, seconds: 60)
            return FailoverTiming(detection: nil, writable: Date().timeIntervalSince(started))
        }
    }
}

/// The load and the checks every failover test shares. Through `url` (every server in one
/// multi-host URL): the schema, tenant "acme" and NAS 127.0.0.1 set up, then `tollgate serve`
/// given 4,000 packets of 800 sessions at 100/s; once 1,000 are stored, `failover` (on a thread
/// of its own) makes the database fail over while the load goes on. Then
/// every packet is answered, the spool drained with nothing quarantined, the collector the same
/// process throughout, and on the new primary the hourly usage equal to the simulator's totals,
/// 800 sessions closed and 4,000 distinct packets. `spoolingCertain`: the outage is long enough
/// that packets must have gone through the spool.
func failoverUnderLoad(
    url: String, label: String, spoolingCertain: Bool,
    failover: @escaping () throws -> FailoverTiming
) async throws {
    try registerAcme(url: url)
    let serve = try ServeProcess(databaseURL: url)
    // The load and the timeline that interrupts it run on threads of their own (see ThreadTask).
    let run = SteadyLoad(prefix: "F", users: 11, upload: 3000, download: 70_000).start(port: serve.port)
    let timing = try await ThreadTask { () throws -> FailoverTiming in
        do {
            let connection = try PostgresConnection(url: url)
            guard try waitUntil(seconds: 120, { try count(connection, "SELECT count(*) FROM accounting_packets") >= 1000 }) else {
                throw SetUpError("the load had not started after 120 s")
            }
        }
        return try failover()
    }.value
    let report = try await run.value
    #expect(report.isComplete, "\(report)")
    for _ in 0..<300 where try serve.metrics()["tollgate_spool_bytes"] != 0 { try await Task.sleep(for: .milliseconds(100)) }
    let metrics = try serve.metrics()
    #expect(metrics["tollgate_spool_bytes"] == 0)
    #expect(metrics["tollgate_spool_quarantined_total"] == 0)
    let spooled = metrics["tollgate_spool_packets_total"] ?? 0
    if spoolingCertain { #expect(spooled > 0, "the collector spooled nothing while no server took writes") }
    // The same process throughout.
    #expect(serve.process.isRunning)
    // The URL reaches the new primary: the one server that takes writes.
    let connection = try PostgresConnection(url: url)
    try waitForMerge(connection, seconds: 60)
    let totals = try connection.query("SELECT sum(upload_bytes)::text, sum(download_bytes)::text FROM usage_hourly").rows[0]
    #expect(totals == [String(report.expected.upload), String(report.expected.download)])
    #expect(try connection.query("SELECT count(*) FROM sessions WHERE stopped_at IS NOT NULL").rows == [["800"]])
    #expect(try connection.query("SELECT count(DISTINCT packet) FROM accounting_packets").rows == [["4000"]])
    let detection = timing.detection.map { String(format: "failure detected after %.1f s, ", $0) } ?? ""
    print(
        "failover (\(label)): 4000 packets, \(spooled) spooled, \(report.retransmissions) retransmissions, 0 lost; "
            + detection + String(format: "writes taken again after %.1f s", timing.writable))
    #expect(serve.terminate() == 0)
}
