import Foundation
import Logging
import NASSimulator
import Storage
import TestSupport
import Testing

@testable import Collector

private let hour0: UInt32 = 1_795_546_800

private func sessions(_ prefix: String, count: Int, interims: Int = 3) -> [SimulatedSession] {
    (0..<count).map { (s: Int) -> SimulatedSession in
        let start: UInt32 = hour0 + UInt32(s * 11)
        let upload = UInt64(10_007 * (s + 1))
        let download = UInt64(90_001 * (s + 1))
        return SimulatedSession.regular(
            userName: "\(prefix)\(s % 5)", sessionID: "\(prefix)-\(s)", nasPort: UInt32(s), startTime: start,
            interimInterval: 300, interims: interims, uploadPerInterval: upload, downloadPerInterval: download)
    }
}

private func spoolHarness(_ folder: String) throws -> CollectorHarness {
    try CollectorHarness(configure: { configuration in
        configuration.spool = SpoolConfiguration(directory: folder)
        configuration.pipeline.commitTimeout = .milliseconds(2000)
    })
}

private let options = RunOptions(window: 32, timeout: .milliseconds(500), retries: 8, timeLimit: .seconds(60))

@Suite("Spool with a real database: outage, replay, crash during replay", .enabled(if: TestDatabase.available), .serialized)
struct SpoolReplayTests {
    @Test("Database unreachable: batches are spooled and answered, then replayed in order once it is back; totals exact, each packet stored once")
    func outageIsSpooled() async throws {
        let folder = temporaryPath("tollgate-spool")
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
        let folder = temporaryPath("tollgate-spool")
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
        #expect(try count(harness.direct, "SELECT count(*) FROM accounting_packets") == 0)

        var logger = Logger(label: "replay-test")
        logger.logLevel = .critical
        let url = harness.url
        for (round, limit) in [(1, 2), (2, 1), (3, nil as Int?)] {
            let metrics = CollectorMetrics()
            let spool = try Spool(
                configuration: SpoolConfiguration(directory: folder), claim: .collector(harness.collector.database!), metrics: metrics, logger: logger
            )
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
            let stored = try count(harness.direct, "SELECT count(*) FROM accounting_packets")
            if limit != nil { #expect(stored > 0 && stored < 40 * 5, "round \(round): \(stored)") }
        }
        try harness.mergeWithoutCollector()
        let usage = try harness.usage()
        #expect(usage.upload == Int64(report.expected.upload) && usage.download == Int64(report.expected.download))
        #expect(try count(harness.connection, "SELECT count(*) FROM accounting_packets") == 40 * 5)
        #expect(try count(harness.connection, "SELECT count(*) FROM sessions WHERE stopped_at IS NOT NULL") == 40)
    }

    @Test("A database that refuses writes for a while (read-only) delays the replay; nothing is set aside, nothing lost")
    func readOnlyDatabaseDelaysReplay() async throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let harness = try spoolHarness(folder)
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret")
        try harness.outage.begin(harness.direct)
        let report = try await nas.run(sessions: sessions("r", count: 20), options: options)
        #expect(report.isComplete)
        harness.collector.stop()
        harness.outage.end()
        // Connections made from now on may not write.
        let database = try #require(try harness.direct.query("SELECT current_database()").value(row: 0, column: 0))
        try harness.direct.execute("ALTER DATABASE \(database) SET default_transaction_read_only = on")
        var logger = Logger(label: "replay-test")
        logger.logLevel = .critical
        let url = harness.url
        let metrics = CollectorMetrics()
        let spool = try Spool(
            configuration: SpoolConfiguration(directory: folder), claim: .collector(harness.collector.database!), metrics: metrics, logger: logger)
        let replayer = SpoolReplayer(spool: spool, metrics: metrics, logger: logger) { try PostgresConnection(url: url) }
        replayer.start()
        try await Task.sleep(for: .seconds(2))
        #expect(spool.isActive && metrics.spoolQuarantined.load(ordering: .relaxed) == 0)
        #expect(metrics.spoolReplayedPackets.load(ordering: .relaxed) == 0)
        try harness.direct.execute("ALTER DATABASE \(database) SET default_transaction_read_only = off")
        #expect(try waitUntil(seconds: 30) { !spool.isActive })
        replayer.stop()
        spool.close()
        #expect(metrics.spoolQuarantined.load(ordering: .relaxed) == 0)
        try harness.mergeWithoutCollector()
        let usage = try harness.usage()
        #expect(usage.upload == Int64(report.expected.upload) && usage.download == Int64(report.expected.download))
        #expect(try count(harness.connection, "SELECT count(*) FROM accounting_packets") == 20 * 5)
    }

    @Test(
        """
        The database turns read-only under a running collector (its connections made anew): packets are answered from the \
        spool and the database counts as down, and once it takes writes again they are replayed; totals exact, each packet stored once
        """)
    func readOnlyDatabaseIsSpooled() async throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let harness = try spoolHarness(folder)
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret")
        let before = try await nas.run(sessions: sessions("w", count: 10), options: options)
        #expect(before.isComplete)
        #expect(harness.collector.metrics.spoolPackets.load(ordering: .relaxed) == 0)

        let database = try #require(try harness.connection.query("SELECT current_database()").value(row: 0, column: 0))
        try harness.connection.execute("ALTER DATABASE \(database) SET default_transaction_read_only = on")
        try harness.connection.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        let during = try await nas.run(sessions: sessions("x", count: 20), options: options)
        #expect(during.isComplete, "answered while the database refused writes: \(during)")
        #expect(harness.collector.metrics.spoolPackets.load(ordering: .relaxed) == 20 * 5)
        #expect(harness.collector.metrics.batchesFailed.load(ordering: .relaxed) == 0)
        #expect(try waitUntil(seconds: 5) { !harness.collector.isHealthy && harness.collector.isSpooling && harness.collector.isAccepting })
        #expect(try count(harness.connection, "SELECT count(*) FROM accounting_packets") == 10 * 5)

        try harness.connection.execute("ALTER DATABASE \(database) SET default_transaction_read_only = off")
        #expect(try waitUntil(seconds: 30) { !harness.collector.isSpooling && harness.collector.isHealthy })
        let after = try await nas.run(sessions: sessions("y", count: 5), options: options)
        #expect(after.isComplete)
        #expect(try waitUntil(seconds: 30) { !harness.collector.isSpooling })
        let usage = try harness.usage()
        #expect(usage.upload == Int64(before.expected.upload + during.expected.upload + after.expected.upload))
        #expect(usage.download == Int64(before.expected.download + during.expected.download + after.expected.download))
        #expect(try count(harness.connection, "SELECT count(*) FROM accounting_packets") == 35 * 5, "every packet stored exactly once")
        #expect(try count(harness.connection, "SELECT count(*) FROM sessions WHERE stopped_at IS NOT NULL") == 35)
        #expect(harness.collector.metrics.spoolQuarantined.load(ordering: .relaxed) == 0)
        #expect(
            harness.collector.metrics.spoolReplayedPackets.load(ordering: .relaxed) == harness.collector.metrics.spoolPackets.load(ordering: .relaxed)
        )
    }

    @Test(
        """
        Live connections whose writes fail for the database's state (disk full 53100, then read-only 25006): the batches are \
        spooled and answered, none left unanswered, and replayed once writes succeed; totals exact, each packet stored once
        """)
    func stateRefusalsAreSpooled() async throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let harness = try spoolHarness(folder)
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret")
        var expected = try await nas.run(sessions: sessions("p", count: 10), options: options).expected
        var total = 10
        for (round, state) in ["53100", "25006"].enumerated() {
            // As a full disk or a server turned read-only answers the collector's open sessions.
            // The trigger locks every partition of the log: it may lose a deadlock with the
            // collector's own statements, and is then simply made again.
            try retryingDeadlocks {
                try harness.connection.execute(
                    """
                    CREATE FUNCTION refuse_writes() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = '\(state)'; END $$;
                    CREATE TRIGGER refuse_writes BEFORE INSERT ON accounting_packets FOR EACH ROW EXECUTE FUNCTION refuse_writes();
                    """)
            }
            let during = try await nas.run(sessions: sessions("s\(round)-", count: 15), options: options)
            #expect(during.isComplete, "\(state): answered from the spool: \(during)")
            #expect(harness.collector.metrics.batchesFailed.load(ordering: .relaxed) == 0, "\(state)")
            #expect(
                try waitUntil(seconds: 5) { !harness.collector.isHealthy && harness.collector.isSpooling && harness.collector.isAccepting },
                "\(state)")
            try retryingDeadlocks {
                try harness.connection.execute("DROP TRIGGER refuse_writes ON accounting_packets; DROP FUNCTION refuse_writes()")
            }
            #expect(try waitUntil(seconds: 30) { !harness.collector.isSpooling && harness.collector.isHealthy }, "\(state)")
            expected.upload += during.expected.upload
            expected.download += during.expected.download
            total += 15
        }
        #expect(harness.collector.metrics.spoolPackets.load(ordering: .relaxed) == 30 * 5)
        #expect(harness.collector.metrics.spoolReplayedPackets.load(ordering: .relaxed) == 30 * 5)
        let usage = try harness.usage()
        #expect(usage.upload == Int64(expected.upload) && usage.download == Int64(expected.download))
        #expect(try count(harness.connection, "SELECT count(*) FROM accounting_packets") == total * 5, "every packet stored exactly once")
        #expect(try count(harness.connection, "SELECT count(*) FROM sessions WHERE stopped_at IS NOT NULL") == total)
        #expect(harness.collector.metrics.spoolQuarantined.load(ordering: .relaxed) == 0)
    }

    @Test("A session that may not write (as on a standby or with default_transaction_read_only) fails the writability check; a normal one passes")
    func writabilityCheck() throws {
        let (url, _) = try TestDatabase.fresh()
        try PostgresConnection(url: url).requireWritable()
        let readOnly = try PostgresConnection(url: url)
        try readOnly.execute("SET default_transaction_read_only = on")
        do {
            try readOnly.requireWritable()
            Issue.record("a read-only session passed")
        } catch let error as PostgresError {
            #expect(error.sqlState == "25006" && WriteFailure(error) == .databaseUnavailable)
        }
    }

    @Test("Write failures are classified once: unavailable, transient, refused data, other")
    func failureClasses() {
        let table: [(String, WriteFailure)] = [
            ("25006", .databaseUnavailable), ("53100", .databaseUnavailable), ("53200", .databaseUnavailable),
            ("53300", .databaseUnavailable), ("57P01", .databaseUnavailable), ("57P02", .databaseUnavailable),
            ("57P03", .databaseUnavailable), ("57014", .databaseUnavailable),
            ("40P01", .transient), ("40001", .transient),
            ("23505", .dataRefused), ("23502", .dataRefused), ("22P02", .dataRefused), ("22021", .dataRefused), ("22003", .dataRefused),
            ("42P01", .other), ("25P02", .other), ("42703", .other), ("XX000", .other),
        ]
        for (state, expected) in table {
            #expect(WriteFailure(PostgresError(.statement, sqlState: state, message: "")) == expected, "\(state)")
        }
        #expect(WriteFailure(PostgresError(.connection, message: "server closed the connection unexpectedly")) == .databaseUnavailable)
        #expect(WriteFailure(PostgresError(.connection, sqlState: "23505", message: "lost while committing")) == .databaseUnavailable)
        #expect(WriteFailure(PostgresError(.statement, message: "no SQLSTATE")) == .other)
        #expect(WriteFailure(PostgresError(.result, message: "unexpected shape")) == .other)
        #expect(WriteFailure(Spool.SpoolError.io("disk")) == .other)
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
        let pipelined = try fresh.pipeline([Statement("SELECT 2"), Statement("SELECT 3")])
        #expect(pipelined.map { $0.value(row: 0, column: 0) } == ["2", "3"])
    }
}

/// Runs a test's own DDL again when it lost a deadlock (40P01) with the collector.
private func retryingDeadlocks(_ body: () throws -> Void) throws {
    for attempt in 1...5 {
        do {
            return try body()
        } catch let error as PostgresError where error.sqlState == SQLState.deadlockDetected && attempt < 5 {
            usleep(100_000)
        }
    }
}
