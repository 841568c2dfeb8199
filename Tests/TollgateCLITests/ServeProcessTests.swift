import Foundation
import NASSimulator
import Storage
import Testing
import TestSupport

/// An IPv4 socket address on loopback (any 127.0.0.0/8 address works without setup).
func loopbackAddress(_ host: String, port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr(host)
    return address
}

/// A free UDP or TCP port on 127.0.0.1 (bound and released; good enough on a test machine).
func freePort(udp: Bool) -> UInt16 {
    let fd = socket(AF_INET, udp ? Int32(SOCK_DGRAM.rawValue) : Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = loopbackAddress("127.0.0.1", port: 0)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return UInt16(bigEndian: address.sin_port)
}

let secretKey = String(repeating: "5a", count: 32)

/// `tollgate serve` as a child process on loopback ports, against a given database.
final class ServeProcess {
    let process = Process()
    let port: UInt16
    let httpPort: UInt16
    let log: URL
    /// The simulated host it runs on (nil: this machine).
    let host: SimulatedNetwork.Host?
    /// The data folder (the spool lives there); removed with the object unless given.
    let dataDirectory: String
    private let ownsDataDirectory: Bool

    /// `port`: the accounting port to listen on (a free one when nil), so a restarted
    /// collector can take over from a killed one; `dataDirectory`: the data folder (a new
    /// temporary one when nil), so a restarted collector finds the spool of the killed one;
    /// `arguments`: more arguments for `serve`; `configuration`: TOML for a configuration file
    /// (e.g. an [api] table), none when nil; `host`: a host of a `SimulatedNetwork` to run on
    /// (listening for accounting on its address, HTTP on its loopback), this machine when nil.
    init(databaseURL: String, port: UInt16? = nil, dataDirectory: String? = nil, arguments: [String] = [],
         configuration: String? = nil, host: SimulatedNetwork.Host? = nil) throws {
        self.port = port ?? freePort(udp: true)
        self.host = host
        httpPort = freePort(udp: false)
        ownsDataDirectory = dataDirectory == nil
        self.dataDirectory = dataDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-data-\(UUID().uuidString)").path
        log = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-serve-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = tollgateExecutable()
        process.arguments = ["serve", "--listen", "\(host?.address ?? "127.0.0.1"):\(self.port)", "--http", "127.0.0.1:\(httpPort)",
                             "--database-url", databaseURL, "--data-directory", self.dataDirectory] + arguments
        if let host {
            // `ip netns exec` enters the namespace and execs the program: the child's pid stays the collector's.
            process.arguments = ["netns", "exec", host.namespace, process.executableURL!.path] + process.arguments!
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        }
        if let configuration {
            let file = log.deletingPathExtension().appendingPathExtension("toml")
            try configuration.write(to: file, atomically: true, encoding: .utf8)
            process.arguments! += ["--config", file.path]
        }
        process.environment = ProcessInfo.processInfo.environment.merging(["TOLLGATE_SECRET_KEY": secretKey, "TOLLGATE_LOG_LEVEL": "info"]) { $1 }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // Ready once the HTTP port answers.
        for _ in 0..<200 {
            if (try? String(contentsOf: log, encoding: .utf8))?.contains("Server started and listening") == true { return }
            if !process.isRunning { break }
            usleep(50_000)
        }
        throw CLIError("tollgate serve did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// SIGTERM, then the exit status.
    func terminate() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<200 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        _ = terminate()
        if ownsDataDirectory { try? FileManager.default.removeItem(atPath: dataDirectory) }
        try? FileManager.default.removeItem(at: log)
        try? FileManager.default.removeItem(at: log.deletingPathExtension().appendingPathExtension("toml"))
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func tollgateExecutable() -> URL {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("tollgate").path), directory.path != "/" {
        directory = directory.deletingLastPathComponent()
    }
    return directory.appendingPathComponent("tollgate")
}

/// Runs a program, returns status and combined output.
func run(_ executable: String, _ arguments: [String], input: String? = nil) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

func findExecutable(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
        let path = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

/// A database with tenant "acme" and NAS 127.0.0.1 (secret testing123), set up through the CLI.
func prepareDatabase() throws -> (url: String, connection: PostgresConnection) {
    let (url, connection) = try TestDatabase.fresh()
    try registerAcme(url: url, migrate: false)
    return (url, connection)
}

/// Tenant "acme" and its NAS 127.0.0.1 (secret testing123) through the CLI, in the database at
/// `url`; `migrate`: the schema first (a private cluster's database is empty).
func registerAcme(url: String, migrate: Bool = true) throws {
    let steps = [["tenant", "create", "acme", "--name", "ACME"],
                 ["nas", "add", "--tenant", "acme", "--name", "lo", "--address", "127.0.0.1", "--secret", "testing123"]]
    for arguments in (migrate ? [["migrate"]] : []) + steps {
        let result = try runTollgate(arguments + ["--database-url", url], environment: ["TOLLGATE_SECRET_KEY": secretKey])
        guard result.status == 0 else { throw CLIError(result.error) }
    }
}

/// A fault test's load: 800 sessions of `users` subscribers (Start, three Interims, Stop:
/// 4,000 packets) from acme's NAS at 100/s, so it runs before, during and after the fault;
/// each request retransmitted every second for up to 60 s (a gap with nobody answering).
struct SteadyLoad {
    let sessions: [SimulatedSession]
    let options: RunOptions

    init(prefix: String, users: Int, upload: UInt64, download: UInt64) {
        sessions = (0..<800).map { s in
            SimulatedSession.regular(userName: "\(prefix.lowercased())\(s % users)", sessionID: "\(prefix)\(s)", nasPort: UInt32(s),
                                     startTime: 1_795_546_800 + UInt32(s), interimInterval: 300, interims: 3,
                                     uploadPerInterval: upload + UInt64(s), downloadPerInterval: download + UInt64(s))
        }
        var options = RunOptions(window: 64, timeout: .seconds(1), retries: 60, timeLimit: .seconds(150))
        options.rate = 100
        self.options = options
    }

    /// Runs the load against `port` on a thread of its own (see ThreadTask).
    func start(port: UInt16) -> ThreadTask<Report> {
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: port)!, secret: "testing123")
        let (options, sessions) = (options, sessions)
        return ThreadTask { try NASSimulator(options: options).runBlocking([NASWorkload(nas: nas, sessions: sessions)]) }
    }
}

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
        let summary = rows.map { [$0["generation"] as? Int ?? 0, $0["upload_bytes"] as? Int ?? 0, $0["download_bytes"] as? Int ?? 0,
                                  $0["session_seconds"] as? Int ?? 0] }.sorted { $0[0] < $1[0] }
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
            sessions.append(SimulatedSession.regular(userName: "u\(s % 11)", sessionID: "D\(s)", nasPort: UInt32(s), startTime: 1_795_546_800,
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
            sessions.append(SimulatedSession.regular(userName: "k\(s % 23)", sessionID: "K\(s)", nasPort: UInt32(s), startTime: 1_795_546_800 + UInt32(s),
                                                     interimInterval: 300, interims: 2, uploadPerInterval: UInt64(3000 + s),
                                                     downloadPerInterval: UInt64(70_000 + s)))
        }
        // Retransmissions cover the gap while no collector listens, as a NAS's would.
        // Paced (about 6 s of load), so the kill lands mid-load.
        var options = RunOptions(window: 128, timeout: .milliseconds(300), retries: 40, timeLimit: .seconds(120))
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

/// A PostgreSQL cluster of a test's own (it may be stopped), in a temporary folder, on a Unix
/// socket only, run as the postgres user like the one scripts/test starts.
final class PrivateCluster {
    let directory: String
    let bin: String
    /// The simulated host it runs on (nil: this machine, Unix socket only).
    let host: SimulatedNetwork.Host?
    /// Over the Unix socket (a socket file is reached from every network namespace).
    var url: String { "postgresql:///postgres?host=\(directory)/socket&user=postgres" }
    /// Over TCP from another simulated host.
    var networkURL: String? { host.map { "postgresql://postgres@\($0.address):5432/postgres" } }

    /// `host`: runs the server on that simulated host, listening on its address (TCP 5432)
    /// for the whole LAN as well as on the socket.
    init(host: SimulatedNetwork.Host? = nil) throws {
        self.host = host
        guard let bin = ProcessInfo.processInfo.environment["TOLLGATE_TEST_PG_BINDIR"] else {
            throw CLIError("TOLLGATE_TEST_PG_BINDIR is not set: run the tests with scripts/test")
        }
        self.bin = bin
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-cluster-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/socket", withIntermediateDirectories: true)
        _ = try run("/bin/chmod", ["755", directory])
        _ = try run("/bin/chown", ["-R", "postgres:postgres", directory])
        let (status, output) = try run("/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/initdb", "-D", directory + "/pgdata", "-U", "postgres",
                                                             "-A", "trust", "-E", "UTF8", "--no-instructions"])
        guard status == 0 else { throw CLIError("initdb: \(output)") }
        if host != nil {
            let hba = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/pgdata/pg_hba.conf"))
            try hba.seekToEnd()
            try hba.write(contentsOf: Data("host all all 10.77.0.0/24 trust\n".utf8))
            try hba.close()
        }
        try start()
    }

    /// A streaming-replication standby of `primary` (pg_basebackup -R), started on a socket of
    /// its own; the primary then commits only once this standby has the commit
    /// (`synchronous_standby_names`), so an acknowledged packet survives the primary.
    init(standbyOf primary: PrivateCluster) throws {
        bin = primary.bin
        host = nil
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-standby-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/socket", withIntermediateDirectories: true)
        _ = try run("/bin/chmod", ["755", directory])
        _ = try run("/bin/chown", ["-R", "postgres:postgres", directory])
        let (status, output) = try run("/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/pg_basebackup", "-D", directory + "/pgdata",
                                                             "-h", primary.directory + "/socket", "-U", "postgres", "-R", "-X", "stream",
                                                             "--no-sync"])
        guard status == 0 else { throw CLIError("pg_basebackup: \(output)") }
        try start()
        let connection = try PostgresConnection(url: primary.url)
        try connection.execute("ALTER SYSTEM SET synchronous_standby_names = '*'")
        _ = try connection.query("SELECT pg_reload_conf()")
    }

    /// The server's process, from postmaster.pid.
    var postmasterPID: pid_t? {
        guard let text = try? String(contentsOfFile: directory + "/pgdata/postmaster.pid", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { pid_t($0) }
    }

    /// Ends a standby's recovery: it becomes a primary.
    func promote() throws {
        let status = spawnAndWait("/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/pg_ctl", "-D", directory + "/pgdata", "-w", "-t", "60", "promote"])
        guard status == 0 else { throw CLIError("pg_ctl promote failed with status \(status)") }
    }

    func start() throws {
        // spawnAndWait (posix_spawn, output to /dev/null, nothing else inherited): see spawnChild.
        // A second attempt when the first fails, in case a start right after a stop is refused.
        for attempt in 1...2 {
            let command = ["/usr/sbin/runuser", "-u", "postgres", "--", bin + "/pg_ctl", "-D", directory + "/pgdata", "-w", "-t", "60",
                           "-l", directory + "/postgres.log", "-o", "-c listen_addresses='\(host?.address ?? "")' -k \(directory)/socket", "start"]
            let status = host.map { spawnAndWait("/usr/sbin/ip", ["netns", "exec", $0.namespace] + command) }
                ?? spawnAndWait(command[0], Array(command.dropFirst()))
            if status == 0 { return }
            let log = (try? String(contentsOfFile: directory + "/postgres.log", encoding: .utf8)) ?? ""
            if attempt == 2 { throw CLIError("pg_ctl start exited \(status): \(log.suffix(2000).replacingOccurrences(of: "\n", with: " | "))") }
            sleep(2)
        }
    }

    func stop() throws {
        let status = spawnAndWait("/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/pg_ctl", "-D", directory + "/pgdata", "-m", "fast", "-w", "stop"])
        guard status == 0 else { throw CLIError("pg_ctl stop failed with status \(status)") }
    }

    deinit {
        _ = spawnAndWait("/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/pg_ctl", "-D", directory + "/pgdata", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite("Database outage under load", .enabled(if: TestDatabase.available))
struct DatabaseOutageTests {
    @Test("""
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
                    throw CLIError("the load had not started after 120 s")
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
        print("outage: 4000 packets, \(answered) answered by the first collector (\(spooled) from the spool), "
              + "\(report.retransmissions) retransmissions, 4000 stored, 0 lost")
        #expect(second.terminate() == 0)
    }
}
