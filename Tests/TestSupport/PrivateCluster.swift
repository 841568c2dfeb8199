import Foundation
import Storage

/// A PostgreSQL cluster of a test's own (it may be stopped), in a temporary folder, on a Unix
/// socket only, run as the postgres user like the one scripts/test starts.
public final class PrivateCluster {
    public let directory: String
    public let bin: String
    /// The simulated host it runs on (nil: this machine, Unix socket only).
    public let host: SimulatedNetwork.Host?
    /// Over the Unix socket (a socket file is reached from every network namespace).
    public var url: String { "postgresql:///postgres?host=\(directory)/socket&user=postgres" }
    /// Over TCP from another simulated host.
    public var networkURL: String? { host.map { "postgresql://postgres@\($0.address):5432/postgres" } }

    /// `host`: runs the server on that simulated host, listening on its address (TCP 5432)
    /// for the whole LAN as well as on the socket.
    public init(host: SimulatedNetwork.Host? = nil) throws {
        self.host = host
        guard let bin = ProcessInfo.processInfo.environment["TOLLGATE_TEST_PG_BINDIR"] else {
            throw SetUpError("TOLLGATE_TEST_PG_BINDIR is not set: run the tests with scripts/test")
        }
        self.bin = bin
        directory = temporaryPath("tollgate-cluster")
        try FileManager.default.createDirectory(atPath: directory + "/socket", withIntermediateDirectories: true)
        _ = try run("/bin/chmod", ["755", directory])
        _ = try run("/bin/chown", ["-R", "postgres:postgres", directory])
        let (status, output) = try run(
            "/usr/sbin/runuser",
            [
                "-u", "postgres", "--", bin + "/initdb", "-D", directory + "/pgdata", "-U", "postgres",
                "-A", "trust", "-E", "UTF8", "--no-instructions",
            ])
        guard status == 0 else { throw SetUpError("initdb: \(output)") }
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
    public init(standbyOf primary: PrivateCluster) throws {
        bin = primary.bin
        host = nil
        directory = temporaryPath("tollgate-standby")
        try FileManager.default.createDirectory(atPath: directory + "/socket", withIntermediateDirectories: true)
        _ = try run("/bin/chmod", ["755", directory])
        _ = try run("/bin/chown", ["-R", "postgres:postgres", directory])
        let (status, output) = try run(
            "/usr/sbin/runuser",
            [
                "-u", "postgres", "--", bin + "/pg_basebackup", "-D", directory + "/pgdata",
                "-h", primary.directory + "/socket", "-U", "postgres", "-R", "-X", "stream",
                "--no-sync",
            ])
        guard status == 0 else { throw SetUpError("pg_basebackup: \(output)") }
        try start()
        let connection = try PostgresConnection(url: primary.url)
        try connection.execute("ALTER SYSTEM SET synchronous_standby_names = '*'")
        _ = try connection.query("SELECT pg_reload_conf()")
    }

    /// The server's process, from postmaster.pid.
    public var postmasterPID: pid_t? {
        guard let text = try? String(contentsOfFile: directory + "/pgdata/postmaster.pid", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { pid_t($0) }
    }

    /// Ends a standby's recovery: it becomes a primary.
    public func promote() throws {
        let status = spawnAndWait(
            "/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/pg_ctl", "-D", directory + "/pgdata", "-w", "-t", "60", "promote"])
        guard status == 0 else { throw SetUpError("pg_ctl promote failed with status \(status)") }
    }

    public func start() throws {
        // spawnAndWait (posix_spawn, output to /dev/null, nothing else inherited): see spawnChild.
        // A second attempt when the first fails, in case a start right after a stop is refused.
        for attempt in 1...2 {
            let command = [
                "/usr/sbin/runuser", "-u", "postgres", "--", bin + "/pg_ctl", "-D", directory + "/pgdata", "-w", "-t", "60",
                "-l", directory + "/postgres.log", "-o", "-c listen_addresses='\(host?.address ?? "")' -k \(directory)/socket", "start",
            ]
            let status =
                host.map { spawnAndWait("/usr/sbin/ip", ["netns", "exec", $0.namespace] + command) }
                ?? spawnAndWait(command[0], Array(command.dropFirst()))
            if status == 0 { return }
            let log = (try? String(contentsOfFile: directory + "/postgres.log", encoding: .utf8)) ?? ""
            if attempt == 2 { throw SetUpError("pg_ctl start exited \(status): \(log.suffix(2000).replacingOccurrences(of: "\n", with: " | "))") }
            sleep(2)
        }
    }

    public func stop() throws {
        let status = spawnAndWait(
            "/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/pg_ctl", "-D", directory + "/pgdata", "-m", "fast", "-w", "stop"])
        guard status == 0 else { throw SetUpError("pg_ctl stop failed with status \(status)") }
    }

    deinit {
        _ = spawnAndWait(
            "/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/pg_ctl", "-D", directory + "/pgdata", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }
}
