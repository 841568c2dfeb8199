import Foundation
import NASSimulator
import RADIUS
import Storage
import TestSupport
import Testing

@Suite("Quotas from the command line, with tollgate serve acting on them", .enabled(if: TestDatabase.available), .serialized)
struct QuotaCLITests {
    func tollgate(_ arguments: [String], _ url: String) throws -> String {
        let result = try runTollgate(arguments + ["--database-url", url], environment: ["TOLLGATE_SECRET_KEY": secretKey])
        guard result.status == 0 else { throw SetUpError("tollgate \(arguments.joined(separator: " ")): \(result.error)") }
        return result.output
    }

    func json(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    @Test("serve throttles a subscriber crossing the example fair-usage plan; quota show, topup add and enforcement list tell the story")
    func serveActs() async throws {
        let (url, connection) = try prepareDatabase()
        let dictionary = try RADIUSDictionary(contentsOf: RealData.repositoryRoot + "/Dictionaries/dictionary")
        let peer = try DynamicAuthorizationPeer(secret: Array("testing123".utf8), dictionary: dictionary)
        defer { peer.stop() }
        _ = try tollgate(["nas", "update", "--tenant", "acme", "--name", "lo", "--coa-port", String(peer.port), "--vendor", "mikrotik"], url)
        _ = try tollgate(
            ["plan", "create", "--tenant", "acme", "--file", "\(RealData.repositoryRoot)/Config/plans/fair-usage.toml", "--from", "2020-01-01"], url)
        _ = try tollgate(["subscriber", "add", "--tenant", "acme", "--user", "dave", "--plan", "Fair 200", "--from", "2020-01-01"], url)

        let serve = try ServeProcess(
            databaseURL: url,
            configuration: """
                [enforcement]
                vendor_directory = "\(RealData.repositoryRoot)/Config/vendors"
                poll_ms = 100
                """)
        // 210 GB in one Interim: past 80 % (notify) and 100 % (throttle) of 200 GB, and the daily 20 GB notice.
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: serve.port)!, secret: "testing123")
        let session = SimulatedSession(
            userName: "dave", sessionID: "D-1", nasPort: 1, framedIPAddress: 0x0A00_0001,
            events: [.start(), .interim(upload: 10_000_000_000, download: 200_000_000_000, sessionTime: 60)])
        let report = try await nas.run(
            sessions: [session], options: RunOptions(window: 4, timeout: .milliseconds(500), retries: 6, timeLimit: .seconds(30)))
        #expect(report.isComplete)
        #expect(try waitUntil(seconds: 10) { peer.requests.count == 1 })
        #expect(peer.failures == [])
        let request = try #require(peer.requests.first)
        #expect(request.packet.code == .coaRequest)
        #expect(request.value("Mikrotik-Rate-Limit") == .text("1M/1M"))
        #expect(request.value("Acct-Session-Id") == .text("D-1"))

        let levels = try json(try tollgate(["quota", "show", "--tenant", "acme", "--user", "dave", "--format", "json"], url))
        #expect(levels.map { $0["at"] as? String } == ["80%", "100%", "20 GB"])
        #expect(levels.allSatisfy { $0["crossed"] as? Bool == true && $0["state"] as? String == "throttled" })
        #expect(
            try waitUntil(seconds: 10) {
                try json(try tollgate(["enforcement", "list", "--tenant", "acme", "--format", "json"], url)).first?["status"] as? String == "acked"
            })

        let topUp = try json(
            try tollgate(
                [
                    "topup", "add", "--tenant", "acme", "--user", "dave", "--amount", "50 GB", "--note", "=HYPERLINK(\"x\")",
                    "--format", "json",
                ], url))
        #expect(topUp.first?["bytes"] as? Int == 50_000_000_000 && topUp.first?["restores"] as? Int == 1)
        #expect(try waitUntil(seconds: 10) { peer.requests.count == 2 })
        #expect(peer.requests.last?.value("Mikrotik-Rate-Limit") == .text("100M/100M"))
        let log = try json(try tollgate(["enforcement", "list", "--tenant", "acme", "--user", "dave", "--format", "json"], url))
        #expect(log.map { $0["action"] as? String } == ["restore", "throttle"])
        #expect(log.map { $0["reason"] as? String } == ["top-up", "crossing"])
        let csv = try tollgate(["enforcement", "list", "--tenant", "acme", "--format", "csv"], url)
        #expect(csv.hasPrefix("id,decided_at,user,action,reason,status"))

        // Refusals name what is wrong; an unknown subscriber is exit status 2.
        let badAmount = try runTollgate(
            ["topup", "add", "--tenant", "acme", "--user", "dave", "--amount", "lots", "--database-url", url],
            environment: ["TOLLGATE_SECRET_KEY": secretKey])
        #expect(badAmount.status == 1 && badAmount.error.contains("--amount"))
        let unknown = try runTollgate(
            ["quota", "show", "--tenant", "acme", "--user", "nobody", "--database-url", url],
            environment: ["TOLLGATE_SECRET_KEY": secretKey])
        #expect(unknown.status == 2)
        #expect(try connection.query("SELECT count(*) FROM top_ups").int64(row: 0, column: 0) == 1)
        #expect(serve.terminate() == 0)
    }
}
