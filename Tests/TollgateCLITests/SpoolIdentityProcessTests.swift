import Foundation
import NASSimulator
import Storage
import TestSupport
import Testing

/// Runs `tollgate` with the test key.
private func tollgate(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    try runTollgate(arguments, environment: ["TOLLGATE_SECRET_KEY": secretKey])
}

@Suite("A spool and the database it was written for (processes)", .enabled(if: TestDatabase.available), .serialized)
struct SpoolIdentityProcessTests {
    @Test(
        """
        A collector spools three packets while its database is down and is killed; started on the same data folder with \
        another ISP's database it keeps them untouched and says so (log, /healthz, metric, spool status); replay refuses \
        the wrong database, set-aside moves them away, and the set-aside folder replays exactly into its own database; \
        with the spool full and the database down, /healthz is 503 and Status-Server goes unanswered
        """)
    func foreignSpool() async throws {
        let cluster = try PrivateCluster()
        try registerAcme(url: cluster.url)
        let identityA = try DatabaseIdentity.read(try PostgresConnection(url: cluster.url))
        // Another ISP's database: its tenant 1 has the same NAS address and secret.
        let (urlB, connectionB) = try prepareDatabase()
        let identityB = try DatabaseIdentity.read(connectionB)
        #expect(try connectionB.query("SELECT id FROM tenants").rows == [["1"]])

        let first = try ServeProcess(databaseURL: cluster.url)
        let data = first.dataDirectory
        try cluster.stop()
        let session = SimulatedSession.regular(
            userName: "alice", sessionID: "A-1", nasPort: 1, startTime: 1_795_546_800, interimInterval: 300,
            interims: 1, uploadPerInterval: 123_457, downloadPerInterval: 987_653)
        let options = RunOptions(window: 8, timeout: .seconds(1), retries: 10, timeLimit: .seconds(60))
        let toFirst = SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: first.port)!, secret: "testing123")
        let report = try await toFirst.run(sessions: [session], options: options)
        #expect(report.isComplete && report.acknowledged == 3, "\(report)")
        #expect(try first.metrics()["tollgate_spool_packets_total"] == 3)
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()

        // Re-pointed at database B on the same data folder.
        let second = try ServeProcess(databaseURL: urlB, dataDirectory: data)
        let health = try httpGet(port: second.httpPort, path: "/healthz")
        #expect(health.contains("\"status\":\"degraded\""), "\(health)")
        #expect(health.contains("\"installation_id\":\"\(identityA.installationID.uuidString.lowercased())\""), "\(health)")
        #expect(health.contains("\"installation_id\":\"\(identityB.installationID.uuidString.lowercased())\""), "\(health)")
        #expect(try second.metrics()["tollgate_spool_foreign_segments"] == 1)
        let log = try String(contentsOf: second.log, encoding: .utf8)
        #expect(
            log.contains("spool holds batches written for another database") && log.contains("\(identityA)") && log.contains("\(identityB)"), "\(log)"
        )
        try await Task.sleep(for: .seconds(2))
        #expect(try count(PostgresConnection(url: urlB), "SELECT count(*) FROM accounting_packets") == 0)
        #expect(try count(PostgresConnection(url: urlB), "SELECT count(*) FROM usage_hourly") == 0)
        #expect(try second.metrics()["tollgate_spool_replayed_packets_total"] == 0)

        let status = try tollgate(["spool", "status", "--data-directory", data])
        #expect(status.status == 0, "\(status.error)")
        #expect(status.output.contains("in use by a running collector"), "\(status.output)")
        // Three packets in one to three batches (records), as the session's events came.
        let rows = status.output.split(separator: "\n").filter { $0.hasSuffix(".tgs") || $0.contains(".tgs ") }
        #expect(rows.count == 1, "\(status.output)")
        let columns = rows.first.map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) } ?? []
        #expect(
            columns.count == 9 && columns[1] == identityA.installationID.uuidString.lowercased() && columns[2] == String(identityA.systemIdentifier)
                && columns[3] == "postgres" && (1...3).contains(Int(columns[5]) ?? 0) && columns[6] == "3" && columns[8] == "0", "\(status.output)")
        let busy = try tollgate(["spool", "replay", "--database-url", urlB, "--data-directory", data])
        #expect(busy.status == 1 && busy.error.contains("in use"), "\(busy.error)")
        #expect(second.terminate() == 0)

        let wrong = try tollgate(["spool", "replay", "--database-url", urlB, "--data-directory", data])
        #expect(wrong.status == 1, "\(wrong.output)")
        #expect(
            wrong.error.contains("no segment in \(data)/spool was written for \(identityB)") && wrong.error.contains("written for \(identityA)"),
            "\(wrong.error)")
        #expect(try count(PostgresConnection(url: urlB), "SELECT count(*) FROM accounting_packets") == 0)

        let aside = try tollgate(["spool", "set-aside", "--database-url", urlB, "--data-directory", data])
        #expect(aside.status == 0, "\(aside.error)")
        #expect(aside.output.hasPrefix("set aside 1 segment(s) written for \(identityA) in \(data)/spool/set-aside/"), "\(aside.output)")
        let folder = String(aside.output.split(separator: " ").last!.trimmingCharacters(in: .whitespacesAndNewlines))
        let after = try tollgate(["spool", "status", "--data-directory", data])
        #expect(after.output.contains("(none)") && after.output.contains("set aside: set-aside/"), "\(after.output)")

        try cluster.start()
        let replay = try tollgate(["spool", "replay", "--database-url", cluster.url, "--spool-directory", folder])
        #expect(replay.status == 0, "\(replay.error)")
        #expect(replay.output == "replayed 3 packets into \(identityA)\n", "\(replay.output)")
        #expect(try count(PostgresConnection(url: cluster.url), "SELECT count(*) FROM accounting_packets") == 3)
        let totals = try PostgresConnection(url: cluster.url).query("SELECT sum(upload_bytes)::text, sum(download_bytes)::text FROM usage_hourly")
            .rows[0]
        #expect(totals == [String(report.expected.upload), String(report.expected.download)])
        #expect(totals == ["246914", "1975306"])
        #expect(try count(PostgresConnection(url: urlB), "SELECT count(*) FROM accounting_packets") == 0)

        // The database down and the spool at its limit: neither can take a batch.
        let config = temporaryPath("tollgate", suffix: ".toml")
        try "[collector]\nspool_max_bytes = 1\ncommit_timeout_ms = 2000\n".write(toFile: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let full = try ServeProcess(databaseURL: cluster.url, arguments: ["--config", config])
        #expect(try httpGet(port: full.httpPort, path: "/healthz").contains("\"status\":\"ok\""))
        try cluster.stop()
        let brief = RunOptions(window: 8, timeout: .milliseconds(500), retries: 2, timeLimit: .seconds(30))
        let toFull = SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: full.port)!, secret: "testing123")
        let refused = SimulatedSession.regular(
            userName: "bob", sessionID: "F-1", nasPort: 2, startTime: 1_795_546_800, interims: 0,
            uploadPerInterval: 1, downloadPerInterval: 1)
        #expect(try await toFull.run(sessions: [refused], options: brief).acknowledged == 0)
        let unavailable = try httpGet(port: full.httpPort, path: "/healthz", status: 503)
        #expect(unavailable.contains("\"status\":\"unavailable\"") && unavailable.contains("spool full"), "\(unavailable)")
        #expect(try await toFull.send(.statusServer, options: brief).acknowledged == 0)
        #expect(try full.metrics()["tollgate_packets_dropped_total{reason=\"spool_full\"}"] ?? 0 >= 1)
        #expect(full.terminate() == 0)
    }
}
