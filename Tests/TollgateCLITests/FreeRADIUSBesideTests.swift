import Foundation
import Storage
import TestSupport
import Testing

/// Tollgate beside an existing FreeRADIUS 3.2 during a cut-over: the NAS devices keep
/// sending to FreeRADIUS, which answers them and forwards a copy of every accounting packet
/// through its detail spool (Config/freeradius) to Tollgate.
@Suite("Tollgate beside FreeRADIUS 3.2", .enabled(if: TestDatabase.available), .serialized)
struct FreeRADIUSBesideTests {
    static let nasSecret = "nas-to-freeradius-secret"
    static let tollgateSecret = "freeradius-to-tollgate-secret"

    /// One accounting request as radclient reads it, from the real NAS 10.0.0.`nas` (which,
    /// like many, sends NAS-IP-Address and no NAS-Identifier). Octet counts above 2^32 go
    /// into the Gigawords attributes, as a NAS sends them.
    static func request(
        nas: Int, user: String, session: String, status: String, upload: UInt64 = 0, download: UInt64 = 0,
        seconds: Int = 0
    ) -> String {
        var lines = [
            "User-Name = \"\(user)\"", "Acct-Session-Id = \"\(session)\"", "Acct-Status-Type = \(status)",
            "NAS-IP-Address = 10.0.0.\(nas)", "NAS-Port = 7",
        ]
        if status != "Start" {
            lines += [
                "Acct-Input-Octets = \(upload & 0xffff_ffff)", "Acct-Output-Octets = \(download & 0xffff_ffff)",
                "Acct-Session-Time = \(seconds)",
            ]
            if upload >> 32 > 0 { lines.append("Acct-Input-Gigawords = \(upload >> 32)") }
            if download >> 32 > 0 { lines.append("Acct-Output-Gigawords = \(download >> 32)") }
        }
        return lines.joined(separator: "\n")
    }

    /// Sends `requests` to FreeRADIUS one after another, each once (no retransmission: an
    /// answer later than 5 s fails), and expects an Accounting-Response to each.
    static func send(_ requests: [String], to freeradius: FreeRADIUSProcess, _ what: Comment) throws {
        let radclient = try #require(findExecutable("radclient"), "radclient missing: scripts/test installs freeradius-utils")
        let (status, output) = try run(
            radclient, ["-x", "-p", "1", "-r", "1", "-t", "5", "127.0.0.1:\(freeradius.port)", "acct", nasSecret],
            input: requests.joined(separator: "\n\n") + "\n")
        let answers = output.components(separatedBy: "Received Accounting-Response").count - 1
        #expect(status == 0 && answers == requests.count, "\(what): \(answers) of \(requests.count) answered: \(output.suffix(2000))")
    }

    /// Waits until FreeRADIUS has delivered its whole spool (a detail file is removed once
    /// Tollgate acknowledged every record in it) and Tollgate has merged what it received.
    static func waitForDelivery(_ freeradius: FreeRADIUSProcess, connection: PostgresConnection, seconds: Double = 45) throws {
        let delivered = try waitUntil(seconds: seconds) { freeradius.spoolFiles().isEmpty }
        let log = (try? String(contentsOfFile: freeradius.log, encoding: .utf8)) ?? ""
        try #require(delivered, "FreeRADIUS still holds \(freeradius.spoolFiles()) after \(seconds) s: \(log.suffix(2000))")
        try waitForMerge(connection)
    }

    /// subscriber -> [upload, download, seconds] from the usage CLI.
    static func usage(_ url: String) throws -> [String: [Int]] {
        let usage = try runTollgate(["usage", "--tenant", "isp", "--format", "json", "--database-url", url])
        let rows = try JSONSerialization.jsonObject(with: Data(usage.output.utf8)) as? [[String: Any]] ?? []
        return Dictionary(
            uniqueKeysWithValues: rows.map {
                (
                    $0["subscriber"] as? String ?? "",
                    [$0["upload_bytes"] as? Int ?? -1, $0["download_bytes"] as? Int ?? -1, $0["session_seconds"] as? Int ?? -1]
                )
            })
    }

    /// session id -> (NAS name, close reason or "open") from the sessions CLI.
    static func sessions(_ url: String) throws -> [String: [String]] {
        let sessions = try runTollgate(["sessions", "--tenant", "isp", "--format", "json", "--database-url", url])
        let rows = try JSONSerialization.jsonObject(with: Data(sessions.output.utf8)) as? [[String: Any]] ?? []
        return Dictionary(
            uniqueKeysWithValues: rows.map {
                ($0["session_id"] as? String ?? "", [$0["nas"] as? String ?? "", $0["close_reason"] as? String ?? "open"])
            })
    }

    @Test(
        "FreeRADIUS answers every packet while Tollgate is up, stopped and restarted; Tollgate's totals are exact, nothing counted twice; an Accounting-On behind FreeRADIUS closes only its own NAS's sessions"
    )
    func besideFreeRADIUS() throws {
        let (url, connection) = try TestDatabase.fresh()
        let env = ["TOLLGATE_SECRET_KEY": secretKey]
        let tenant = try runTollgate(["tenant", "create", "isp", "--name", "ISP", "--database-url", url], environment: env)
        try #require(tenant.status == 0, "\(tenant.error)")
        // Both real NAS reach Tollgate from FreeRADIUS's address: one registration each, told
        // apart by the NAS-Identifier the reader puts in (their NAS-IP-Address).
        for (name, identifier) in [("bras-1", "10.0.0.1"), ("bras-2", "10.0.0.2")] {
            let nas = try runTollgate(
                [
                    "nas", "add", "--tenant", "isp", "--name", name, "--address", "127.0.0.1", "--identifier", identifier,
                    "--secret-stdin", "--database-url", url,
                ], environment: env, input: Self.tollgateSecret + "\n")
            try #require(nas.status == 0, "\(nas.error)")
        }
        let first = try ServeProcess(databaseURL: url)
        let freeradius = try FreeRADIUSProcess(tollgatePort: first.port, nasSecret: Self.nasSecret, tollgateSecret: Self.tollgateSecret)

        // Tollgate up: alice on NAS 1 (octets past 2^32 on both counters by the end), bob on NAS 2.
        try Self.send(
            [
                Self.request(nas: 1, user: "alice", session: "A-1", status: "Start"),
                Self.request(nas: 1, user: "alice", session: "A-1", status: "Interim-Update", upload: 1_000_000, download: 20_000_000, seconds: 300),
                Self.request(
                    nas: 1, user: "alice", session: "A-1", status: "Interim-Update", upload: 3_000_000_000, download: 5_000_000_000, seconds: 600),
                Self.request(nas: 1, user: "alice", session: "A-1", status: "Stop", upload: 3_500_000_000, download: 6_442_450_944, seconds: 900),
                Self.request(nas: 2, user: "bob", session: "B-1", status: "Start"),
                Self.request(nas: 2, user: "bob", session: "B-1", status: "Interim-Update", upload: 40_000, download: 900_000, seconds: 300),
                Self.request(nas: 2, user: "bob", session: "B-1", status: "Stop", upload: 70_000, download: 1_200_000, seconds: 420),
            ], to: freeradius, "Tollgate up")
        try Self.waitForDelivery(freeradius, connection: connection)
        #expect(try Self.usage(url) == ["alice": [3_500_000_000, 6_442_450_944, 900], "bob": [70_000, 1_200_000, 420]])
        // Tollgate stopped: FreeRADIUS still answers at once and keeps the copies on disk.
        #expect(first.terminate() == 0)
        let started = Date()
        try Self.send(
            [
                Self.request(nas: 1, user: "alice", session: "A-2", status: "Start"),
                Self.request(nas: 1, user: "alice", session: "A-2", status: "Interim-Update", upload: 123_456, download: 7_890_123, seconds: 60),
                Self.request(nas: 2, user: "bob", session: "B-2", status: "Start"),
                Self.request(nas: 2, user: "bob", session: "B-2", status: "Interim-Update", upload: 4_294_967_301, download: 10, seconds: 60),
                Self.request(nas: 2, user: "bob", session: "B-2", status: "Stop", upload: 4_294_967_796, download: 2_000, seconds: 120),
                Self.request(nas: 2, user: "bob", session: "B-3", status: "Start"),
                Self.request(nas: 2, user: "bob", session: "B-3", status: "Interim-Update", upload: 1_000, download: 2_000, seconds: 30),
            ], to: freeradius, "Tollgate stopped")
        #expect(
            Date().timeIntervalSince(started) < 5, "FreeRADIUS answered 7 requests in \(Date().timeIntervalSince(started)) s with Tollgate stopped")
        #expect(!freeradius.spoolFiles().isEmpty, "the copies wait in FreeRADIUS's spool")
        #expect(try Self.usage(url) == ["alice": [3_500_000_000, 6_442_450_944, 900], "bob": [70_000, 1_200_000, 420]])
        // Down long enough for FreeRADIUS to give up on it, as in a real outage: delivery
        // resumes once Tollgate answers FreeRADIUS's Status-Server probes (which name no
        // registered NAS).
        let givenUp = try waitUntil(seconds: 30) {
            ((try? String(contentsOfFile: freeradius.log, encoding: .utf8)) ?? "").contains("port \(first.port) as dead")
        }
        #expect(givenUp, "FreeRADIUS never marked the stopped Tollgate dead")

        // Tollgate back on the same port: the spool drains into it.
        let second = try ServeProcess(databaseURL: url, port: first.port, dataDirectory: first.dataDirectory)
        try Self.waitForDelivery(freeradius, connection: connection)
        // FreeRADIUS saw it alive through its probes; nothing it forwarded was refused.
        let metrics = try second.metrics()
        #expect(metrics["tollgate_status_server_answered_total", default: 0] >= 1, "\(metrics)")
        #expect(metrics.dropped("unknown_nas") == 0 && metrics.dropped("missing_message_authenticator") == 0, "\(metrics)")
        let expected = [
            "alice": [3_500_000_000 + 123_456, 6_442_450_944 + 7_890_123, 900 + 60],
            "bob": [70_000 + 4_294_967_796 + 1_000, 1_200_000 + 2_000 + 2_000, 420 + 120 + 30],
        ]
        #expect(try Self.usage(url) == expected)
        #expect(
            try Self.sessions(url) == [
                "A-1": ["bras-1", "stop"], "A-2": ["bras-1", "open"],
                "B-1": ["bras-2", "stop"], "B-2": ["bras-2", "stop"], "B-3": ["bras-2", "open"],
            ])

        // NAS 2 restarts: its Accounting-On, forwarded by FreeRADIUS, closes B-3 and leaves
        // NAS 1's open session alone.
        try Self.send(
            ["Acct-Status-Type = Accounting-On\nNAS-IP-Address = 10.0.0.2\nAcct-Session-Id = \"00000000\""],
            to: freeradius, "Accounting-On")
        try Self.waitForDelivery(freeradius, connection: connection)
        #expect(
            try Self.sessions(url) == [
                "A-1": ["bras-1", "stop"], "A-2": ["bras-1", "open"],
                "B-1": ["bras-2", "stop"], "B-2": ["bras-2", "stop"], "B-3": ["bras-2", "nas-reboot"],
            ])
        #expect(try Self.usage(url) == expected)
        #expect(second.terminate() == 0)
    }
}
