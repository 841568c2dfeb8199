import Foundation
import NASSimulator
import Storage
import TestSupport
import Testing

@Suite("Database outage under load", .enabled(if: TestDatabase.available))
struct DatabaseOutageTests {
    @Test(
        """
        PostgreSQL stopped for 30 s during sustained load: packets are spooled and answered, the collector is killed \
        with -9 while spooling and restarted after the database is back; every answered packet is stored once, totals exact
        """)
    func outage() async throws {
        let cluster = try PrivateCluster()
        try registerAcme(url: cluster.url)
        let first = try ServeProcess(databaseURL: cluster.url)
        let run = SteadyLoad(prefix: "O", users: 13, upload: 2000, download: 50_000).start(port: first.port)
        // The outage's timeline runs on a thread of its own, so it holds while other tests keep
        // the concurrency pool busy.
        let (firstMetrics, health, second) = try await ThreadTask { () throws -> ([String: Int], String, ServeProcess) in
            // The outage begins once the load is flowing (its start, too, waits for the pool).
            do {
                let connection = try PostgresConnection(url: cluster.url)
                guard try waitUntil(seconds: 120, { try count(connection, "SELECT count(*) FROM accounting_packets") >= 300 }) else {
                    throw SetUpError("the load had not started after 120 s")
                }
            }
            try cluster.stop()
            Thread.sleep(forTimeInterval: 20)
            // Answered while the database is down: spooled.
            let metrics = try first.metrics()
            let health = try httpGet(port: first.httpPort, path: "/healthz")
            kill(first.process.processIdentifier, SIGKILL)
            first.process.waitUntilExit()
            Thread.sleep(forTimeInterval: 10)
            try cluster.start()
            // The new collector finds the spool of the killed one and replays it.
            return (metrics, health, try ServeProcess(databaseURL: cluster.url, port: first.port, dataDirectory: first.dataDirectory))
        }.value
        let spooled = firstMetrics["tollgate_spool_packets_total"] ?? 0
        let answered = firstMetrics["tollgate_packets_answered_total"] ?? 0
        #expect(spooled >= 1000, "\(spooled) packets spooled after 20 s of outage")
        #expect(health.contains("spooling") && health.contains("\"database\":\"down\""), "\(health)")
        let report = try await run.value
        #expect(report.isComplete, "\(report)")
        #expect(report.retransmissions > 0)
        for _ in 0..<300 where try second.metrics()["tollgate_spool_bytes"] != 0 { try await Task.sleep(for: .milliseconds(100)) }
        let after = try second.metrics()
        #expect(after["tollgate_spool_bytes"] == 0)
        #expect(after["tollgate_spool_replayed_packets_total"] ?? 0 >= spooled)
        #expect(after["tollgate_spool_quarantined_total"] == 0)
        let connection = try PostgresConnection(url: cluster.url)
        try waitForMerge(connection)
        let totals = try connection.query("SELECT sum(upload_bytes)::text, sum(download_bytes)::text FROM usage_hourly").rows[0]
        #expect(totals == [String(report.expected.upload), String(report.expected.download)])
        #expect(try connection.query("SELECT count(*) FROM sessions WHERE stopped_at IS NOT NULL").rows == [["800"]])
        // Every packet in the audit table. A packet made durable just before the kill and then
        // retransmitted to the new collector may be there twice (README, Reliability); usage
        // and sessions above are exact either way.
        #expect(try connection.query("SELECT count(DISTINCT packet) FROM accounting_packets").rows == [["4000"]])
        print(
            "outage: 4000 packets, \(answered) answered by the first collector (\(spooled) from the spool), "
                + "\(report.retransmissions) retransmissions, 4000 stored, 0 lost")
        #expect(second.terminate() == 0)
    }
}
