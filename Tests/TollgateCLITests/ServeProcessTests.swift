import Foundation
import NASSimulator
import Storage
import TestSupport
import Testing

@Suite("tollgate serve as a process", .enabled(if: TestDatabase.available), .serialized)
struct ServeProcessTests {
    @Test("radclient: a NAS that reuses an Acct-Session-Id after Accounting-On gets two sessions, not a wrap")
    func reusedSessionIDOverRadclient() throws {
        let (url, _) = try prepareDatabase()
        let serve = try ServeProcess(databaseURL: url)
        let radclient = try #require(findExecutable("radclient"), "radclient missing: scripts/test installs freeradius-utils")
        let session = "User-Name = \"reuse\"\nAcct-Session-Id = \"S1\"\nNAS-Port = 7\n"
        // One radclient call per packet, in order, without Event-Timestamp: all within a second
        // or two of receipt, as an operator reproducing it by hand sends them.
        for packet in [
            session + "Acct-Status-Type = Start",
            session + "Acct-Status-Type = Stop\nAcct-Input-Octets = 3500000000\nAcct-Output-Octets = 1000\nAcct-Session-Time = 600",
            "Acct-Status-Type = Accounting-On\nAcct-Terminate-Cause = NAS-Reboot",
            session + "Acct-Status-Type = Start",
            session + "Acct-Status-Type = Stop\nAcct-Input-Octets = 100000000\nAcct-Output-Octets = 500\nAcct-Session-Time = 300",
        ] {
            let (status, output) = try run(radclient, ["-x", "-r", "3", "-t", "2", "127.0.0.1:\(serve.port)", "acct", "testing123"], input: packet)
            #expect(status == 0 && output.contains("Received Accounting-Response"), "\(output)")
        }
        let sessions = try runTollgate(["sessions", "--tenant", "acme", "--format", "json", "--database-url", url])
        let rows = try JSONSerialization.jsonObject(with: Data(sessions.output.utf8)) as? [[String: Any]] ?? []
        let summary = rows.map {
            [
                $0["generation"] as? Int ?? 0, $0["upload_bytes"] as? Int ?? 0, $0["download_bytes"] as? Int ?? 0,
                $0["session_seconds"] as? Int ?? 0,
            ]
        }.sorted { $0[0] < $1[0] }
        #expect(summary == [[1, 3_500_000_000, 1000, 600], [2, 100_000_000, 500, 300]], "\(sessions.output)")
        let usage = try runTollgate(["usage", "--tenant", "acme", "--format", "csv", "--database-url", url])
        #expect(usage.output.contains("reuse,,3600000000,1500,900"), "\(usage.output)")
        #expect(serve.terminate() == 0)
    }

    @Test("radclient and pyrad get valid Accounting-Responses and their sessions are stored")
    func interoperability() throws {
        let (url, _) = try prepareDatabase()
        let serve = try ServeProcess(databaseURL: url)
        let radclient = try #require(findExecutable("radclient"), "radclient missing: scripts/test installs freeradius-utils")
        let packets = """
            User-Name = "rc-user"
            Acct-Session-Id = "rc-1"
            Acct-Status-Type = Start
            NAS-Port = 1
            Event-Timestamp = 1795548000

            User-Name = "rc-user"
            Acct-Session-Id = "rc-1"
            Acct-Status-Type = Stop
            NAS-Port = 1
            Acct-Input-Octets = 1000
            Acct-Output-Octets = 5000
            Acct-Input-Gigawords = 1
            Acct-Session-Time = 600
            Event-Timestamp = 1795548600
            """
        let (status, output) = try run(radclient, ["-x", "-r", "3", "-t", "2", "127.0.0.1:\(serve.port)", "acct", "testing123"], input: packets)
        #expect(status == 0, "\(output)")
        #expect(output.components(separatedBy: "Received Accounting-Response").count == 3, "\(output)")

        // The interpreter scripts/test installed pyrad for.
        let python = try #require(ProcessInfo.processInfo.environment["TOLLGATE_TEST_PYTHON"] ?? findExecutable("python3"))
        let dictionary = FileManager.default.temporaryDirectory.appendingPathComponent("pyrad-\(UUID().uuidString).dict")
        try """
        ATTRIBUTE User-Name 1 string
        ATTRIBUTE NAS-Port 5 integer
        ATTRIBUTE Acct-Status-Type 40 integer
        ATTRIBUTE Acct-Input-Octets 42 integer
        ATTRIBUTE Acct-Output-Octets 43 integer
        ATTRIBUTE Acct-Session-Id 44 string
        ATTRIBUTE Acct-Session-Time 46 integer
        ATTRIBUTE Event-Timestamp 55 integer
        """.write(to: dictionary, atomically: true, encoding: .utf8)
        let script = """
            import sys
            from pyrad.client import Client
            from pyrad.dictionary import Dictionary
            import pyrad.packet
            client = Client(server="127.0.0.1", acctport=\(serve.port), secret=b"testing123", dict=Dictionary("\(dictionary.path)"))
            client.timeout = 2
            client.retries = 3
            for status, up, down, t in [(1, None, None, 1795548000), (3, 700, 900, 1795548300), (2, 1500, 2500, 1795548600)]:
                req = client.CreateAcctPacket(User_Name="py-user")
                req["Acct-Session-Id"] = "py-1"
                req["Acct-Status-Type"] = status
                req["NAS-Port"] = 2
                req["Event-Timestamp"] = t
                if up is not None:
                    req["Acct-Input-Octets"] = up
                    req["Acct-Output-Octets"] = down
                    req["Acct-Session-Time"] = t - 1795548000
                reply = client.SendPacket(req)
                if reply.code != pyrad.packet.AccountingResponse or not req.VerifyReply(reply):
                    sys.exit("bad reply")
            print("pyrad ok")
            """
        let (pyStatus, pyOutput) = try run(python, ["-c", script])
        #expect(pyStatus == 0, "\(pyOutput)")
        #expect(pyOutput.contains("pyrad ok"))

        // Answered means logged; sessions and usage show once the log is merged.
        try waitForMerge(url: url)
        let sessions = try runTollgate(["sessions", "--tenant", "acme", "--format", "json", "--database-url", url])
        let rows = try JSONSerialization.jsonObject(with: Data(sessions.output.utf8)) as? [[String: Any]] ?? []
        let byUser = Dictionary(uniqueKeysWithValues: rows.map { ($0["user"] as? String ?? "", $0) })
        #expect(byUser["rc-user"]?["upload_bytes"] as? Int == 4_294_968_296)
        #expect(byUser["rc-user"]?["download_bytes"] as? Int == 5000)
        #expect(byUser["py-user"]?["upload_bytes"] as? Int == 1500)
        #expect(byUser["py-user"]?["close_reason"] as? String == "stop")
        let usage = try runTollgate(["usage", "--tenant", "acme", "--format", "csv", "--database-url", url])
        // The columns of GET /v1/usage?format=csv: the period is empty when usage is not grouped.
        #expect(usage.output.contains("subscriber,period,upload_bytes,download_bytes,session_seconds"))
        #expect(usage.output.contains("py-user,,1500,2500,600"))
        #expect(serve.terminate() == 0)
        let log = try String(contentsOf: serve.log, encoding: .utf8)
        #expect(log.contains("collector stopped"))
        #expect(!log.contains("testing123"), "the secret must never be logged")
    }

    @Test("Two collectors sharing one database, the same packets sent to both: totals exact")
    func twoCollectors() async throws {
        let (url, connection) = try prepareDatabase()
        let a = try ServeProcess(databaseURL: url)
        let b = try ServeProcess(databaseURL: url)
        var sessions: [SimulatedSession] = []
        for s in 0..<60 {
            sessions.append(
                SimulatedSession.regular(
                    userName: "u\(s % 11)", sessionID: "D\(s)", nasPort: UInt32(s), startTime: 1_795_546_800,
                    interimInterval: 300, interims: 4, uploadPerInterval: UInt64(1000 + s),
                    downloadPerInterval: UInt64(9000 + s)))
        }
        let options = RunOptions(window: 32, timeout: .milliseconds(500), retries: 6, timeLimit: .seconds(60))
        let toA = SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: a.port)!, secret: "testing123")
        let toB = SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: b.port)!, secret: "testing123")
        async let first = toA.run(sessions: sessions, options: options)
        async let second = toB.run(sessions: sessions.reversed(), options: options)
        let (reportA, reportB) = try await (first, second)
        #expect(reportA.isComplete && reportB.isComplete)
        try waitForMerge(connection)
        let totals = try connection.query("SELECT sum(upload_bytes)::text, sum(download_bytes)::text FROM usage_hourly").rows[0]
        #expect(totals == [String(reportA.expected.upload), String(reportA.expected.download)])
        #expect(try connection.query("SELECT count(*) FROM sessions").rows == [["60"]])
        #expect(a.terminate() == 0)
        #expect(b.terminate() == 0)
    }

    @Test("kill -9 of the collector under load, then a restart on the same port: totals exact, nothing counted twice")
    func killAndRestart() async throws {
        let (url, connection) = try prepareDatabase()
        let first = try ServeProcess(databaseURL: url)
        let port = first.port
        var sessions: [SimulatedSession] = []
        for s in 0..<1500 {
            sessions.append(
                SimulatedSession.regular(
                    userName: "k\(s % 23)", sessionID: "K\(s)", nasPort: UInt32(s), startTime: 1_795_546_800 + UInt32(s),
                    interimInterval: 300, interims: 2, uploadPerInterval: UInt64(3000 + s),
                    downloadPerInterval: UInt64(70_000 + s)))
        }
        // Retransmissions cover the gap while no collector listens, as a NAS's would: for up
        // to 30 s, as the restart takes more than 12 s while the whole suite shares the machine.
        // Paced (about 6 s of load), so the kill lands mid-load.
        var options = RunOptions(window: 128, timeout: .milliseconds(300), retries: 100, timeLimit: .seconds(120))
        options.rate = 1000
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: port)!, secret: "testing123")
        // The load and the steps that interrupt it run on threads of their own (see ThreadTask).
        let run = ThreadTask { try NASSimulator(options: options).runBlocking([NASWorkload(nas: nas, sessions: sessions)]) }
        // Kill it once a good part of the load is stored.
        let storedAtKill = try await ThreadTask {
            _ = try waitUntil(seconds: 60) { try count(connection, "SELECT count(*) FROM accounting_packets") >= 1000 }
            kill(first.process.processIdentifier, SIGKILL)
            first.process.waitUntilExit()
            return try count(connection, "SELECT count(*) FROM accounting_packets")
        }.value
        #expect(first.process.terminationReason == .uncaughtSignal)
        #expect(storedAtKill >= 1000 && storedAtKill < 6000)
        try await Task.sleep(for: .milliseconds(500))
        let second = try ServeProcess(databaseURL: url, port: port, dataDirectory: first.dataDirectory)
        let report = try await run.value
        #expect(report.isComplete, "\(report)")
        #expect(report.retransmissions > 0)
        // Answered means logged; sessions and usage follow once the restarted collector merged the log.
        try waitForMerge(connection)
        let totals = try connection.query("SELECT sum(upload_bytes)::text, sum(download_bytes)::text FROM usage_hourly").rows[0]
        #expect(totals == [String(report.expected.upload), String(report.expected.download)])
        #expect(try connection.query("SELECT count(*) FROM sessions WHERE stopped_at IS NOT NULL").rows == [["1500"]])
        #expect(second.terminate() == 0)
    }
}
