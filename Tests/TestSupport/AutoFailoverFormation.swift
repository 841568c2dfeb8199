import Foundation
import Storage

/// A pg_auto_failover formation of a test's own: a monitor and two Postgres nodes, each run by
/// its `pg_autoctl run` keeper as the postgres OS user (PostgreSQL refuses root), on free
/// loopback TCP ports, everything in one temporary folder that goes with the object.
///
/// The monitor's failure detection is shortened so a test sees a failover within seconds
/// instead of the defaults' half minute (`monitorSettings`); pg_auto_failover itself makes the
/// secondary synchronous (`synchronous_standby_names = 'ANY 1 (pgautofailover_standby_N)'`), so
/// a commit the primary acknowledged is on the secondary.
public final class AutoFailoverFormation {
    /// One Postgres node of the formation.
    public struct Node: Equatable, Sendable {
        public let name: String
        public let port: UInt16
        public let pgdata: String
    }

    /// The monitor's GUCs (pgautofailover.*, milliseconds): a health check every second that
    /// gives up after 1 s and two retries 500 ms apart, a node unhealthy 3 s after its keeper's
    /// last report, and 3 s for a lost primary to demote itself before the secondary takes writes
    /// (the defaults: 5 s, 5 s, 2 retries 2 s apart, 20 s, 30 s). The demote timeout is that short
    /// only because the test's primary is dead; a partitioned primary that is still running
    /// needs the keeper's network_partition_timeout (20 s) to stop taking writes.
    public static let monitorSettings: KeyValuePairs<String, String> = [
        "pgautofailover.health_check_period": "1000",
        "pgautofailover.health_check_timeout": "1000",
        "pgautofailover.health_check_max_retries": "2",
        "pgautofailover.health_check_retry_delay": "500",
        "pgautofailover.node_considered_unhealthy_timeout": "3000",
        "pgautofailover.primary_demote_timeout": "3000",
    ]

    /// pg_autoctl sizes memory for a dedicated host (a quarter of its RAM as shared_buffers);
    /// three servers of a test share this machine with everything else.
    public static let serverSettings: KeyValuePairs<String, String> = [
        "shared_buffers": "'32MB'", "work_mem": "'4MB'", "maintenance_work_mem": "'64MB'",
        "effective_cache_size": "'256MB'", "wal_keep_size": "'128MB'",
    ]

    public let directory: String
    public let monitorPort: UInt16
    public let nodes: [Node]
    private let bin: String
    private let autoctl: String
    /// The keepers by data folder: each `runuser` started in a process group of its own, which
    /// its keeper, the keeper's services and their postmaster (with its backends) join.
    private var keepers: [String: pid_t] = [:]

    /// Both nodes in one libpq multi-host URL; libpq takes the one that accepts writes.
    public var url: String {
        "postgresql:///postgres?host=127.0.0.1,127.0.0.1&port=\(nodes[0].port),\(nodes[1].port)&user=postgres"
            + "&target_session_attrs=read-write&connect_timeout=2"
    }

    public var monitorURL: String { "postgresql://autoctl_node@127.0.0.1:\(monitorPort)/pg_auto_failover?sslmode=disable&connect_timeout=2" }

    /// Creates the monitor and two nodes and returns once one node is primary and the other
    /// its synchronous secondary.
    public init() throws {
        guard let bin = ProcessInfo.processInfo.environment["TOLLGATE_TEST_PG_BINDIR"] else {
            throw SetUpError("TOLLGATE_TEST_PG_BINDIR is not set: run the tests with scripts/test")
        }
        let autoctl = ProcessInfo.processInfo.environment["TOLLGATE_TEST_PG_AUTOCTL"] ?? findExecutable("pg_autoctl")
        guard let autoctl, FileManager.default.isExecutableFile(atPath: autoctl) else {
            throw SetUpError("pg_autoctl not found: scripts/test installs postgresql-15-auto-failover")
        }
        self.bin = bin
        self.autoctl = autoctl
        directory = temporaryPath("tollgate-paf")
        var ports: Set<UInt16> = []
        while ports.count < 3 { ports.insert(freePort(udp: false)) }
        let sorted = ports.sorted()
        monitorPort = sorted[0]
        nodes = [
            Node(name: "node1", port: sorted[1], pgdata: directory + "/node1"),
            Node(name: "node2", port: sorted[2], pgdata: directory + "/node2"),
        ]
        for folder in ["", "/socket", "/config", "/data", "/run"] {
            try FileManager.default.createDirectory(atPath: directory + folder, withIntermediateDirectories: true)
        }
        _ = try run("/bin/chmod", ["755", directory])
        _ = try run("/bin/chmod", ["700", directory + "/run"])
        _ = try run("/bin/chown", ["-R", "postgres:postgres", directory])

        try runAutoctl(
            "create-monitor",
            [
                "create", "monitor", "--pgdata", directory + "/monitor", "--pgport", "\(monitorPort)",
                "--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl", "--pgctl", bin + "/pg_ctl",
            ])
        try append(Self.serverSettings, to: directory + "/monitor")
        try append(Self.monitorSettings, to: directory + "/monitor")
        try startKeeper(directory + "/monitor", log: "monitor")
        guard try waitUntil(seconds: 30, { (try? PostgresConnection(url: monitorURL)) != nil }) else {
            throw SetUpError("the pg_auto_failover monitor did not start: \(tail("monitor"))")
        }

        // The first node initializes a primary (state single), the second clones it with
        // pg_basebackup, settings included, once the first one's keeper runs.
        try createNode(nodes[0])
        try append(Self.serverSettings, to: nodes[0].pgdata)
        try startKeeper(nodes[0].pgdata, log: nodes[0].name)
        guard try waitUntil(seconds: 30, { (try? states())?[nodes[0].name]?.reported == "single" }) else {
            throw SetUpError("\(nodes[0].name) did not reach state single: \(tail(nodes[0].name))")
        }
        try createNode(nodes[1])
        try startKeeper(nodes[1].pgdata, log: nodes[1].name)
        guard try waitUntil(seconds: 60, { (try? isPrimaryWithSynchronousSecondary()) == true }) else {
            throw SetUpError("the formation has no primary with a synchronous secondary after 60 s: \((try? states()).map { "\($0)" } ?? "")")
        }
    }

    /// The monitor's view: reported and assigned state by node name.
    public func states() throws -> [String: (reported: String, assigned: String)] {
        let rows = try PostgresConnection(url: monitorURL)
            .query("SELECT nodename, reportedstate::text, goalstate::text FROM pgautofailover.node").rows
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] ?? "", (reported: $0[1] ?? "", assigned: $0[2] ?? "")) })
    }

    /// The node the monitor has made primary and that reports so (primary, or wait_primary
    /// while it has no secondary); nil while a failover is under way.
    public func primary() throws -> Node? {
        let states = try states()
        return nodes.first { node in
            guard let state = states[node.name] else { return false }
            return state.reported == state.assigned && ["primary", "wait_primary", "single"].contains(state.reported)
        }
    }

    /// Waits until a node other than `old` is primary (see `primary()`).
    public func waitForPrimary(otherThan old: Node, seconds: Double) throws {
        guard try waitUntil(seconds: seconds, { ((try? primary()) ?? nil).map { $0 != old } == true }) else {
            throw SetUpError("no node but \(old.name) became primary within \(Int(seconds)) s: \((try? states()).map { "\($0)" } ?? "")")
        }
    }

    /// One node primary and the other secondary, and the primary's commits waiting for it.
    public func isPrimaryWithSynchronousSecondary() throws -> Bool {
        let states = try states()
        guard let primary = try primary(), states[primary.name]?.reported == "primary",
            let secondary = nodes.first(where: { $0 != primary }), states[secondary.name]?.reported == "secondary"
        else { return false }
        let connection = try PostgresConnection(url: url(of: primary))
        return try count(connection, "SELECT count(*) FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')") == 1
            && connection.query("SHOW synchronous_standby_names").value(row: 0, column: 0)?.isEmpty == false
    }

    /// A connection URL for one node.
    public func url(of node: Node) -> String { "postgresql:///postgres?host=127.0.0.1&port=\(node.port)&user=postgres&connect_timeout=2" }

    /// The host of `node` is lost: its keeper (with its services) and its postmaster (with its
    /// backends) killed with SIGKILL at once. Killing only the postmaster is no failover: the
    /// keeper would restart it.
    public func loseHost(of node: Node) {
        let postmaster = runningPostmaster(node.pgdata)
        if let keeper = keepers.removeValue(forKey: node.pgdata) {
            kill(-keeper, SIGKILL)
            _ = waitForChild(keeper)
        }
        // It is in the keeper's process group; this reaches it should it ever not be.
        if let postmaster, runningPostmaster(node.pgdata) == postmaster { kill(postmaster, SIGKILL) }
    }

    /// `pg_autoctl perform switchover`: the primary hands over to the secondary; returns once
    /// the formation has converged (the command waits for it).
    public func performSwitchover() throws {
        try runAutoctl("switchover", ["perform", "switchover", "--pgdata", directory + "/monitor", "--wait", "60"])
    }

    /// When the monitor first recorded `node` as unhealthy after `since`; nil if it has not.
    public func unhealthySince(_ node: Node, after since: Date) throws -> Date? {
        let value = try PostgresConnection(url: monitorURL).query(
            "SELECT extract(epoch FROM min(eventtime))::text FROM pgautofailover.event WHERE nodename = $1 AND eventtime > to_timestamp($2) "
                + "AND description LIKE '%marked as unhealthy%'", [node.name, String(since.timeIntervalSince1970)]
        ).value(row: 0, column: 0)
        return value.flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
    }

    // MARK: - pg_autoctl

    /// Runs pg_autoctl as the postgres user with this formation's private paths: its
    /// configuration and state under the folder, Unix sockets in folder/socket.
    private func autoctlCommand(_ arguments: [String]) -> [String] {
        [
            "-u", "postgres", "--", "/usr/bin/env", "XDG_CONFIG_HOME=\(directory)/config", "XDG_DATA_HOME=\(directory)/data",
            "XDG_RUNTIME_DIR=\(directory)/run", "PG_REGRESS_SOCK_DIR=\(directory)/socket", "PGHOST=\(directory)/socket", autoctl,
        ] + arguments
    }

    /// Runs a pg_autoctl command to its end; one still running after two minutes is killed with
    /// everything it started.
    private func runAutoctl(_ log: String, _ arguments: [String]) throws {
        let command = "pg_autoctl \(arguments.prefix(2).joined(separator: " "))"
        guard let pid = spawnChild("/usr/sbin/runuser", autoctlCommand(arguments), output: "\(directory)/\(log).log", newProcessGroup: true) else {
            throw SetUpError("could not start \(command)")
        }
        guard let status = waitForChild(pid, seconds: 120) else {
            kill(-pid, SIGKILL)
            _ = waitForChild(pid)
            throw SetUpError("\(command) had not ended after 120 s: \(tail(log))")
        }
        guard status == 0 else { throw SetUpError("\(command) exited \(status): \(tail(log))") }
    }

    private func createNode(_ node: Node) throws {
        try runAutoctl(
            "create-\(node.name)",
            [
                "create", "postgres", "--pgdata", node.pgdata, "--pgport", "\(node.port)", "--hostname", "127.0.0.1",
                "--name", node.name, "--monitor", monitorURL, "--auth", "trust", "--no-ssl", "--pgctl", bin + "/pg_ctl",
            ])
    }

    private func startKeeper(_ pgdata: String, log: String) throws {
        guard
            let pid = spawnChild(
                "/usr/sbin/runuser", autoctlCommand(["run", "--pgdata", pgdata]), output: "\(directory)/\(log).log",
                newProcessGroup: true)
        else { throw SetUpError("could not start pg_autoctl run for \(pgdata)") }
        keepers[pgdata] = pid
    }

    /// Settings appended after pg_autoctl's include of its own file, so they win over it.
    private func append(_ settings: KeyValuePairs<String, String>, to pgdata: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: pgdata + "/postgresql.conf"))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.map { "\($0.key) = \($0.value)\n" }.joined().utf8))
    }

    /// The postmaster of `pgdata` if it runs: the pid in postmaster.pid, when that process is
    /// a postgres of this folder (a killed server leaves the file, and its pid may be reused).
    private func runningPostmaster(_ pgdata: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: pgdata + "/postmaster.pid", encoding: .utf8),
            let pid = text.split(separator: "\n").first.flatMap({ pid_t($0) }),
            let commandLine = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
            commandLine.contains("postgres"), commandLine.contains(pgdata)
        else { return nil }
        return pid
    }

    /// The end of a log of the folder, on one line.
    private func tail(_ log: String) -> String {
        let text = (try? String(contentsOfFile: "\(directory)/\(log).log", encoding: .utf8)) ?? ""
        return String(text.suffix(2000)).replacingOccurrences(of: "\n", with: " | ")
    }

    /// Keepers asked to stop (they stop their Postgres), killed after 20 s; any server left
    /// stopped immediately; the folder removed. Runs when a test fails, too.
    deinit {
        for keeper in keepers.values { kill(-keeper, SIGTERM) }
        let deadline = Date(timeIntervalSinceNow: 20)
        var running = Array(keepers.values)
        while !running.isEmpty && Date() < deadline {
            running.removeAll(where: childHasExited)
            if !running.isEmpty { usleep(50_000) }
        }
        for keeper in running {
            kill(-keeper, SIGKILL)
            _ = waitForChild(keeper)
        }
        for pgdata in [directory + "/monitor"] + nodes.map(\.pgdata) where runningPostmaster(pgdata) != nil {
            _ = spawnAndWait("/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/pg_ctl", "-D", pgdata, "-m", "immediate", "-w", "stop"])
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
