import Foundation
import Logging
import NASSimulator
import Storage
import TestSupport
import Testing

@testable import Collector

private let hour0: UInt32 = 1_795_546_800

/// A collector on loopback with a spool in `folder`, writing to the database at `url`
/// (unreachable while `outage` is on).
private func collector(url: String, folder: String, outage: OutageSwitch = OutageSwitch()) throws -> Collector {
    var configuration = CollectorConfiguration()
    configuration.listeners = [ListenerConfiguration(name: "default", address: try SocketAddress(parsing: "127.0.0.1:0"))]
    configuration.pipeline.maxDelay = .milliseconds(1)
    configuration.pipeline.commitTimeout = .milliseconds(2000)
    configuration.registryRefreshInterval = .milliseconds(200)
    configuration.receiveBufferBytes = 1 << 20
    configuration.spool = SpoolConfiguration(directory: folder)
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let collector = Collector(configuration: configuration, cipher: TestDatabase.cipher, logger: logger) { try outage.connect(url) }
    try collector.start()
    return collector
}

private let options = RunOptions(window: 32, timeout: .milliseconds(500), retries: 8, timeLimit: .seconds(60))
/// Few retries: for requests that are expected to go unanswered.
private let briefly = RunOptions(window: 8, timeout: .milliseconds(300), retries: 1, timeLimit: .seconds(20))

@Suite("Spool identity and availability with a real database", .enabled(if: TestDatabase.available), .serialized)
struct SpoolIdentityReplayTests {
    @Test("Two databases of one cluster: same system identifier, their own installation ids and names; a reconnect to the wrong one is refused")
    func identities() throws {
        let (urlA, connectionA) = try TestDatabase.fresh()
        let (urlB, connectionB) = try TestDatabase.fresh()
        let a = try DatabaseIdentity.read(connectionA)
        let b = try DatabaseIdentity.read(connectionB)
        #expect(a.systemIdentifier == b.systemIdentifier)
        #expect(a.installationID != b.installationID && a.databaseName != b.databaseName)
        #expect(a.databaseName == (try connectionA.query("SELECT current_database()").value(row: 0, column: 0)))
        #expect(try DatabaseIdentity.read(try PostgresConnection(url: urlA)) == a, "stable across connections")
        let toB = IngestPipeline.writerConnect({ try PostgresConnection(url: urlB) }, expecting: a, timeoutMilliseconds: 5000)
        do {
            _ = try toB()
            Issue.record("a connection to another database was accepted for writing")
        } catch let error as PostgresError {
            #expect(error.kind == .connection)
            #expect(error.message.contains("found \(b)") && error.message.contains("expected \(a)"))
        }
        let toA = IngestPipeline.writerConnect({ try PostgresConnection(url: urlA) }, expecting: a, timeoutMilliseconds: 5000)
        #expect(try toA().query("SELECT 1").value(row: 0, column: 0) == "1")
    }

    @Test("Writer connections commit durably although the database and then the role say synchronous_commit = off; remote_apply is kept")
    func durableCommits() throws {
        let (url, connection) = try TestDatabase.fresh()
        let name = try #require(try connection.query("SELECT current_database()").value(row: 0, column: 0))
        let writer = IngestPipeline.writerConnect({ try PostgresConnection(url: url) }, expecting: nil, timeoutMilliseconds: 5000)
        func setting(_ connection: PostgresConnection) throws -> String? { try connection.query("SHOW synchronous_commit").value(row: 0, column: 0) }
        try connection.execute("ALTER DATABASE \(name) SET synchronous_commit = off")
        #expect(try setting(try PostgresConnection(url: url)) == "off", "the database's setting reaches plain connections")
        #expect(try setting(try writer()) == "on")
        try connection.execute("ALTER DATABASE \(name) RESET synchronous_commit")
        try connection.execute("ALTER ROLE CURRENT_USER IN DATABASE \(name) SET synchronous_commit = local")
        #expect(try setting(try PostgresConnection(url: url)) == "local")
        #expect(try setting(try writer()) == "on")
        try connection.execute("ALTER ROLE CURRENT_USER IN DATABASE \(name) SET synchronous_commit = remote_apply")
        #expect(try setting(try writer()) == "remote_apply")
        try connection.execute("ALTER ROLE CURRENT_USER IN DATABASE \(name) RESET synchronous_commit")
    }

    @Test(
        """
        A write transaction makes its own COMMIT durable whatever the session it runs in says (as another client of a \
        transaction pooler may have left it); remote_apply is kept; the session's setting is left as it was
        """)
    func durableCommitPerTransaction() throws {
        let (url, _) = try TestDatabase.fresh()
        let connection = try PostgresConnection(url: url)
        func inTransaction(_ session: String) throws -> [String?] {
            try connection.execute("SET synchronous_commit = \(session)")
            let results = try connection.pipeline([
                Statement("BEGIN"), PostgresConnection.durableCommit, Statement("SHOW synchronous_commit"), Statement("COMMIT"),
            ])
            return [results[2].value(row: 0, column: 0), try connection.query("SHOW synchronous_commit").value(row: 0, column: 0)]
        }
        #expect(try inTransaction("off") == ["on", "off"])
        #expect(try inTransaction("local") == ["on", "local"])
        #expect(try inTransaction("remote_write") == ["on", "remote_write"])
        #expect(try inTransaction("remote_apply") == ["remote_apply", "remote_apply"])
        // As the collector's writes run it: the setting COMMIT sees, kept by the transaction for the test to read.
        let writer = try AccountingWriter(connection: connection)
        try connection.execute("SET synchronous_commit = off")
        try writer.write(
            [],
            alsoRun: [
                PostgresConnection.durableCommit,
                Statement("SELECT set_config('tollgate_test.seen', current_setting('synchronous_commit'), false)"),
            ])
        #expect(try connection.query("SELECT current_setting('tollgate_test.seen'), current_setting('synchronous_commit')").rows == [["on", "off"]])
    }

    @Test(
        """
        Collector A spools three packets while its database is away and stops; a collector on another database (whose \
        tenant 1 has the same NAS) keeps the spool untouched and records none of them; pointed back at A's database, \
        the spool replays exactly
        """)
    func foreignSpoolIsNotReplayed() async throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Two ISPs' databases, each with tenant id 1 and NAS 127.0.0.1.
        let harnessA = try CollectorHarness(configure: { configuration in
            configuration.spool = SpoolConfiguration(directory: folder)
            configuration.pipeline.commitTimeout = .milliseconds(2000)
        })
        let (urlB, connectionB) = try TestDatabase.fresh()
        let tenantB = try TenantStore(connection: connectionB).create(slug: "other", name: "Other ISP", timeZone: "UTC")
        #expect(tenantB.id == harnessA.tenant.id)
        _ = try NASStore(connection: connectionB, cipher: TestDatabase.cipher).add(
            tenant: tenantB, name: "bras", address: "127.0.0.1", secret: "s3cret")

        try harnessA.outage.begin(harnessA.connection)
        let session = SimulatedSession.regular(
            userName: "alice", sessionID: "A-1", nasPort: 1, startTime: hour0, interimInterval: 300, interims: 1,
            uploadPerInterval: 123_457, downloadPerInterval: 987_653)
        let nasA = SimulatedNAS(localAddress: "127.0.0.1", target: harnessA.target(), secret: "s3cret")
        let report = try await nasA.run(sessions: [session], options: options)
        #expect(report.isComplete && report.acknowledged == 3, "\(report)")
        #expect(harnessA.collector.metrics.spoolPackets.load(ordering: .relaxed) == 3)
        harnessA.collector.stop()
        harnessA.outage.end()
        let identityA = try #require(harnessA.collector.database)

        // Re-pointed at B's database, same spool folder.
        let onB = try collector(url: urlB, folder: folder)
        let identityB = try DatabaseIdentity.read(connectionB)
        #expect(onB.database == identityB)
        #expect(onB.foreignSpools.map(\.database) == [identityA])
        #expect(onB.foreignSpools.first?.segments == 1)
        #expect(onB.metrics.spoolForeignSegments.load(ordering: .relaxed) == 1)
        #expect(!onB.isSpooling)
        try await Task.sleep(for: .seconds(2))
        #expect(try count(connectionB, "SELECT count(*) FROM accounting_packets") == 0)
        #expect(try count(connectionB, "SELECT count(*) FROM sessions") == 0)
        #expect(try count(connectionB, "SELECT count(*) FROM usage_hourly") == 0)
        #expect(onB.metrics.spoolReplayedPackets.load(ordering: .relaxed) == 0)
        // B's own traffic is recorded as usual meanwhile.
        let nasB = SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: onB.listeners[0].boundPort)!, secret: "s3cret")
        let own = SimulatedSession.regular(
            userName: "bob", sessionID: "B-1", nasPort: 2, startTime: hour0, interimInterval: 300, interims: 1,
            uploadPerInterval: 1000, downloadPerInterval: 2000)
        #expect(try await nasB.run(sessions: [own], options: options).isComplete)
        #expect(try count(connectionB, "SELECT count(*) FROM accounting_packets") == 3)
        try waitForMerge(connectionB)
        #expect(try connectionB.query("SELECT sum(upload_bytes)::text FROM usage_hourly").value(row: 0, column: 0) == "2000")
        onB.stop()
        #expect(try count(harnessA.connection, "SELECT count(*) FROM accounting_packets") == 0)

        // Pointed back at its own database: replayed exactly once.
        let back = try collector(url: harnessA.url, folder: folder)
        #expect(back.foreignSpools.isEmpty)
        #expect(try waitUntil(seconds: 30) { !back.isSpooling })
        #expect(back.metrics.spoolReplayedPackets.load(ordering: .relaxed) == 3)
        #expect(try count(harnessA.connection, "SELECT count(*) FROM accounting_packets") == 3)
        let usage = try harnessA.usage()
        #expect(usage.upload == 2 * 123_457 && usage.download == 2 * 987_653)
        #expect(Int64(report.expected.upload) == usage.upload && Int64(report.expected.download) == usage.download)
        #expect(try count(harnessA.connection, "SELECT count(*) FROM sessions WHERE stopped_at IS NOT NULL AND acct_session_id = 'A-1'") == 1)
        back.stop()
        #expect(try connectionB.query("SELECT sum(upload_bytes)::text FROM usage_hourly").value(row: 0, column: 0) == "2000", "B untouched")
        #expect(try SpoolSurvey.segments(in: folder).isEmpty)
    }

    @Test(
        """
        A set-aside spool replays exactly into its database although that database has since replayed a later spool written \
        in the same folder (each start writes under its own spool id)
        """)
    func setAsideReplaysAfterLaterSpool() async throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let harness = try CollectorHarness(configure: { configuration in
            configuration.spool = SpoolConfiguration(directory: folder)
            configuration.pipeline.commitTimeout = .milliseconds(2000)
        })
        let identityA = try #require(harness.collector.database)
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret")
        try harness.outage.begin(harness.connection)
        let early = SimulatedSession.regular(
            userName: "alice", sessionID: "A-1", nasPort: 1, startTime: hour0, interimInterval: 300, interims: 1,
            uploadPerInterval: 123_457, downloadPerInterval: 987_653)
        #expect(try await nas.run(sessions: [early], options: options).acknowledged == 3)
        harness.collector.stop()
        harness.outage.end()

        // Re-pointed at another database, which spools a batch of its own; the first database's segment is set aside.
        let (_, connectionB) = try TestDatabase.fresh()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let onB = try Spool(
            configuration: SpoolConfiguration(directory: folder), claim: .collector(try DatabaseIdentity.read(connectionB)),
            metrics: CollectorMetrics(), logger: logger)
        #expect(onB.foreign.map(\.database) == [identityA])
        let datagram = [UInt8](repeating: 7, count: 40)
        guard case .appended = onB.append([SpooledPacket(tenantID: 1, nasID: 1, receivedAt: 0, keepRaw: false, datagram: datagram)]) else {
            Issue.record("append failed")
            return
        }
        let aside = try #require(try onB.setAsideForeign())
        onB.close()

        // Back on the first database: a later outage spools, and that spool is replayed.
        let outage = OutageSwitch()
        let back = try collector(url: harness.url, folder: folder, outage: outage)
        try outage.begin(harness.connection)
        let later = SimulatedSession.regular(
            userName: "bob", sessionID: "A-2", nasPort: 2, startTime: hour0, interimInterval: 300, interims: 1,
            uploadPerInterval: 1_001, downloadPerInterval: 2_003)
        let nasBack = SimulatedNAS(
            localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: back.listeners[0].boundPort)!, secret: "s3cret")
        #expect(try await nasBack.run(sessions: [later], options: options).acknowledged == 3)
        #expect(back.metrics.spoolPackets.load(ordering: .relaxed) == 3)
        outage.end()
        #expect(try waitUntil(seconds: 30) { !back.isSpooling })
        back.stop()
        #expect(try count(harness.direct, "SELECT count(*) FROM accounting_packets") == 3)

        // The set-aside segment, replayed as `tollgate spool replay --spool-directory` does.
        let metrics = CollectorMetrics()
        let replaying = try Spool(
            configuration: SpoolConfiguration(directory: aside), claim: .replay(into: identityA, allowCopies: false),
            metrics: metrics, logger: logger)
        #expect(replaying.isActive)
        let url = harness.url
        let replayer = SpoolReplayer(
            spool: replaying, metrics: metrics, logger: logger,
            connect: IngestPipeline.writerConnect({ try PostgresConnection(url: url) }, expecting: identityA, timeoutMilliseconds: 5000))
        replayer.start()
        #expect(try waitUntil(seconds: 30) { !replaying.isActive })
        replayer.stop()
        replaying.close()
        #expect(metrics.spoolReplayedPackets.load(ordering: .relaxed) == 3)
        #expect(metrics.spoolSkippedRecords.load(ordering: .relaxed) == 0)
        #expect(try count(harness.direct, "SELECT count(*) FROM accounting_packets") == 6)
        try harness.mergeWithoutCollector()
        let usage = try harness.usage()
        #expect(usage.upload == 2 * 123_457 + 2 * 1_001 && usage.download == 2 * 987_653 + 2 * 2_003)
        #expect(try count(harness.connection, "SELECT count(DISTINCT spool_id) FROM spool_progress") == 2)
    }

    @Test("A spool's replay position never moves back")
    func positionNeverMovesBack() throws {
        let (_, connection) = try TestDatabase.fresh()
        let id = UUID().uuidString.lowercased()
        // Each step: the position asked for, then the one stored after it.
        let steps: [((Int64, Int), (Int64, Int))] = [
            ((10, 5), (10, 5)), ((9, 9), (10, 5)), ((10, 3), (10, 5)), ((10, 7), (10, 7)), ((11, 0), (11, 0)),
        ]
        for (asked, stored) in steps {
            let advance = SpoolProgress.advance(spoolID: id, to: SpoolPosition(record: asked.0, items: asked.1))
            try connection.query(advance.sql, advance.parameters)
            #expect(try SpoolProgress.position(connection, spoolID: id) == SpoolPosition(record: stored.0, items: stored.1), "after \(asked)")
        }
    }

    @Test("Database down and the spool at its size limit: Status-Server goes unanswered; answered again once the database is back")
    func statusServerWhenSpoolFull() async throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let harness = try CollectorHarness(configure: { configuration in
            var spool = SpoolConfiguration(directory: folder)
            spool.maxBytes = 1
            configuration.spool = spool
            configuration.pipeline.commitTimeout = .milliseconds(2000)
        })
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret")
        try harness.outage.begin(harness.connection)
        #expect(try await nas.send(.statusServer, options: briefly).acknowledged == 1, "no batch refused yet")
        let session = SimulatedSession.regular(
            userName: "full", sessionID: "F-1", nasPort: 1, startTime: hour0, interims: 0,
            uploadPerInterval: 10, downloadPerInterval: 10)
        let refused = try await nas.run(sessions: [session], options: briefly)
        #expect(refused.acknowledged == 0)
        #expect(harness.collector.metrics.droppedCount(.spoolFull) >= 1)
        #expect(!harness.collector.isAccepting)
        #expect(harness.collector.spoolRefusal == "spool full")
        let dropsBefore = harness.collector.metrics.droppedCount(.storageUnavailable)
        #expect(try await nas.send(.statusServer, options: briefly).acknowledged == 0)
        #expect(harness.collector.metrics.droppedCount(.storageUnavailable) > dropsBefore, "dropped as storage unavailable")
        harness.outage.end()
        #expect(try waitUntil(seconds: 30) { harness.collector.isHealthy })
        #expect(try await nas.send(.statusServer, options: briefly).acknowledged == 1)
    }

    @Test(
        "Database down and the spool folder replaced: Status-Server goes unanswered within the probe interval; answered again once the folder is back"
    )
    func statusServerWhenSpoolFolderGone() async throws {
        let folder = temporaryPath("tollgate-spool")
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: folder + ".moved")
        }
        let harness = try CollectorHarness(configure: { configuration in
            configuration.spool = SpoolConfiguration(directory: folder)
            configuration.pipeline.commitTimeout = .milliseconds(2000)
        })
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: harness.target(), secret: "s3cret")
        try harness.outage.begin(harness.connection)
        #expect(try await nas.send(.statusServer, options: briefly).acknowledged == 1)
        #expect(rename(folder, folder + ".moved") == 0)
        FileManager.default.createFile(atPath: folder, contents: Data("not a folder".utf8))
        #expect(try waitUntil(seconds: 5) { !harness.collector.isAccepting }, "noticed without traffic")
        #expect(try await nas.send(.statusServer, options: briefly).acknowledged == 0)
        let session = SimulatedSession.regular(
            userName: "gone", sessionID: "G-1", nasPort: 1, startTime: hour0, interims: 0,
            uploadPerInterval: 10, downloadPerInterval: 10)
        #expect(try await nas.run(sessions: [session], options: briefly).acknowledged == 0, "nothing answered that is not durable")
        try FileManager.default.removeItem(atPath: folder)
        #expect(rename(folder + ".moved", folder) == 0)
        #expect(try waitUntil(seconds: 5) { harness.collector.isAccepting })
        #expect(try await nas.send(.statusServer, options: briefly).acknowledged == 1)
        let report = try await nas.run(sessions: [session], options: options)
        #expect(report.isComplete, "spooled once the folder is back: \(report)")
        harness.outage.end()
        #expect(try waitUntil(seconds: 30) { !harness.collector.isSpooling })
        #expect(try count(harness.connection, "SELECT count(*) FROM accounting_packets") == 2)
    }
}
