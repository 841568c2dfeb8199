@testable import Collector
import Foundation
import Logging
import NASSimulator
import Storage
import Testing
import TestSupport

private let hour0: UInt32 = 1_795_546_800

private func sessions(_ prefix: String, count: Int, interims: Int = 3) -> [SimulatedSession] {
    (0..<count).map { (s: Int) -> SimulatedSession in
        let start: UInt32 = hour0 + UInt32(s * 11)
        let upload = UInt64(10_007 * (s + 1))
        let download = UInt64(90_001 * (s + 1))
        return SimulatedSession.regular(userName: "\(prefix)\(s % 5)", sessionID: "\(prefix)-\(s)", nasPort: UInt32(s), startTime: start,
                                        interimInterval: 300, interims: interims, uploadPerInterval: upload, downloadPerInterval: download)
    }
}

private func spoolHarness(_ folder: String) throws -> CollectorHarness {
    try CollectorHarness(configure: { configuration in
        configuration.spool = SpoolConfiguration(directory: folder)
        configuration.pipeline.commitTimeoutMilliseconds = 2000
    })
}

private func count(_ connection: PostgresConnection, _ sql: String) throws -> Int {
    Int(try connection.query(sql).value(row: 0, column: 0) ?? "0") ?? 0
}

private func waitUntil(seconds: Double, _ condition: () throws -> Bool) throws -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}

private let options = RunOptions(window: 32, timeout: .milliseconds(500), retries: 8, timeLimit: .seconds(60))

@Suite("Spool with a real database: outage, replay, crash during replay", .enabled(if: TestDatabase.available), .serialized)
struct SpoolReplayTests {
    @Test("Database unreachable: batches are spooled and answered, then replayed in order once it is back; totals exact, each packet stored once")
    func outageIsSpooled() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let harness = try spoolHarness(folder)
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret")
        let before = try await nas.run(sessions: sessions("a", count: 20), options: options)
        #expect(before.isComplete)
        #expect(harness.collector.metrics.spoolPackets.load(ordering: .relaxed) == 0)

        try harness.outage.begin(harness.connection)
        let during = try await nas.run(sessions: sessions("b", count: 30), options: options)
        #expect(during.isComplete, "answered while the database was unreachable: \(during)")
        let spooled = harness.collector.metrics.spoolPackets.load(ordering: .relaxed)
        #expect(spooled == 30 * 5)
        #expect(harness.collector.isSpooling)
        #expect(harness.collector.isAccepting)
        #expect(try count(harness.connection, "SELECT count(*) FROM sessions WHERE acct_session_id LIKE 'b-%'") == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).contains { $0.hasSuffix(".tgs") })

        harness.outage.end()
        #expect(try waitUntil(seconds: 30) { !harness.collector.isSpooling })
        #expect(harness.collector.metrics.spoolReplayedPackets.load(ordering: .relaxed) == spooled)
        #expect(try count(harness.connection, "SELECT count(*) FROM sessions WHERE acct_session_id LIKE 'b-%' AND stopped_at IS NOT NULL") == 30)
        let after = try await nas.run(sessions: sessions("c", count: 10), options: options)
        #expect(after.isComplete)
        // A writer whose connection was cut finds out with its next batch, which it spools.
        #expect(try waitUntil(seconds: 30) { !harness.collector.isSpooling })

        let expectedUpload = before.expected.upload + during.expected.upload + after.expected.upload
        let expectedDownload = before.expected.download + during.expected.download + after.expected.download
        let usage = try harness.usage()
        #expect(usage.upload == Int64(expectedUpload) && usage.download == Int64(expectedDownload))
        #expect(try count(harness.connection, "SELECT count(*) FROM sessions WHERE stopped_at IS NOT NULL") == 60)
        #expect(try count(harness.connection, "SELECT count(*) FROM accounting_packets") == 60 * 5, "every packet stored exactly once")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tgs") }.isEmpty)
        #expect(harness.collector.metrics.spoolQuarantined.load(ordering: .relaxed) == 0)
        let metrics = harness.collector.metrics
        #expect(metrics.spoolReplayedPackets.load(ordering: .relaxed) == metrics.spoolPackets.load(ordering: .relaxed))
    }

    @Test("A replay stopped part-way (as by a crash) resumes where its last commit left it: nothing repeated, nothing lost")
    func crashDuringReplay() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let harness = try spoolHarness(folder)
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret")
        try harness.outage.begin(harness.connection)
        let report = try await nas.run(sessions: sessions("d", count: 40), options: options)
        #expect(report.isComplete)
        let records = harness.collector.metrics.spoolRecords.load(ordering: .relaxed)
        #expect(records >= 4, "several spool records to replay (\(records))")
        // The collector stops with everything still spooled; the database comes back.
        harness.collector.stop()
        harness.outage.end()
        #expect(try count(harness.connection, "SELECT count(*) FROM accounting_packets") == 0)

        var logger = Logger(label: "replay-test")
        logger.logLevel = .critical
        let url = harness.url
        for (round, limit) in [(1, 2), (2, 1), (3, nil as Int?)] {
            let metrics = CollectorMetrics()
            let spool = try Spool(configuration: SpoolConfiguration(directory: folder), claim: .collector(harness.collector.database!), metrics: metrics, logger: logger)
            let replayer = SpoolReplayer(spool: spool, metrics: metrics, logger: logger) { try PostgresConnection(url: url) }
            replayer.stopAfterRecords = limit
            replayer.start()
            if limit != nil {
                #expect(try waitUntil(seconds: 30) { !replayer.isRunning }, "round \(round)")
            } else {
                #expect(try waitUntil(seconds: 30) { !spool.isActive }, "round \(round)")
                replayer.stop()
            }
            spool.close()
            let stored = try count(harness.connection, "SELECT count(*) FROM accounting_packets")
            if limit != nil { #expect(stored > 0 && stored < 40 * 5, "round \(round): \(stored)") }
        }
        let usage = try harness.usage()
        #expect(usage.upload == Int64(report.expected.upload) && usage.download == Int64(report.expected.download))
        #expect(try count(harness.connection, "SELECT count(*) FROM accounting_packets") == 40 * 5)
        #expect(try count(harness.connection, "SELECT count(*) FROM sessions WHERE stopped_at IS NOT NULL") == 40)
    }

    @Test("A database that refuses writes for a while (read-only) delays the replay; nothing is set aside, nothing lost")
    func readOnlyDatabaseDelaysReplay() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let harness = try spoolHarness(folder)
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret")
        try harness.outage.begin(harness.connection)
        let report = try await nas.run(sessions: sessions("r", count: 20), options: options)
        #expect(report.isComplete)
        harness.collector.stop()
        harness.outage.end()
        // Connections made from now on may not write.
        let database = try #require(try harness.connection.query("SELECT current_database()").value(row: 0, column: 0))
        try harness.connection.execute("ALTER DATABASE \(database) SET default_transaction_read_only = on")
        var logger = Logger(label: "replay-test")
        logger.logLevel = .critical
        let url = harness.url
        let metrics = CollectorMetrics()
        let spool = try Spool(configuration: SpoolConfiguration(directory: folder), claim: .collector(harness.collector.database!), metrics: metrics, logger: logger)
        let replayer = SpoolReplayer(spool: spool, metrics: metrics, logger: logger) { try PostgresConnection(url: url) }
        replayer.start()
        try await Task.sleep(for: .seconds(2))
        #expect(spool.isActive && metrics.spoolQuarantined.load(ordering: .relaxed) == 0)
        #expect(metrics.spoolReplayedPackets.load(ordering: .relaxed) == 0)
        try harness.connection.execute("ALTER DATABASE \(database) SET default_transaction_read_only = off")
        #expect(try waitUntil(seconds: 30) { !spool.isActive })
        replayer.stop()
        spool.close()
        #expect(metrics.spoolQuarantined.load(ordering: .relaxed) == 0)
        let usage = try harness.usage()
        #expect(usage.upload == Int64(report.expected.upload) && usage.download == Int64(report.expected.download))
        #expect(try count(harness.connection, "SELECT count(*) FROM accounting_packets") == 20 * 5)
    }

    @Test("The database answers nothing within the timeout: the connection is given up, not waited on forever")
    func responseTimeout() throws {
        let connection = try TestDatabase.connect()
        connection.responseTimeoutMilliseconds = 200
        let started = Date()
        do {
            try connection.query("SELECT pg_sleep(5)")
            Issue.record("the query was not cut short")
        } catch let error as PostgresError {
            #expect(error.kind == .connection)
            #expect(error.message.contains("200 ms"))
        }
        #expect(Date().timeIntervalSince(started) < 4.5)
        #expect(!connection.isConnected)
        let fresh = try TestDatabase.connect()
        fresh.responseTimeoutMilliseconds = 2000
        #expect(try fresh.query("SELECT 1 + 1").value(row: 0, column: 0) == "2")
        let pipelined = try fresh.pipeline([("SELECT 2", []), ("SELECT 3", [])])
        #expect(pipelined.map { $0.value(row: 0, column: 0) } == ["2", "3"])
    }
}
