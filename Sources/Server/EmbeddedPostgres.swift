import Foundation
import Logging

/// A private PostgreSQL cluster in a local folder, started from the installed server
/// binaries, for running Tollgate without a database server of its own.
///
/// The cluster listens only on a Unix socket inside its folder. PostgreSQL refuses to run
/// as root, so as root the cluster belongs to the `postgres` OS user.
public final class EmbeddedPostgres: @unchecked Sendable {
    public let directory: String
    let logger: Logger
    private let binaries: String
    private var started = false

    public struct Error: Swift.Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public init(directory: String, logger: Logger) throws {
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        self.logger = logger
        guard let binaries = Self.findBinaries() else {
            throw Error(description: "no PostgreSQL server binaries found (initdb, pg_ctl): install the postgresql package, or set database_url")
        }
        self.binaries = binaries
    }

    var dataFolder: String { directory + "/pgdata" }
    var socketFolder: String { directory + "/socket" }

    /// The libpq URL of the `tollgate` database in this cluster.
    public var url: String { "postgresql:///tollgate?host=\(socketFolder)&user=postgres" }

    /// Creates the cluster if needed, starts it and creates the database.
    public func start() throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: socketFolder, withIntermediateDirectories: true)
        let asRoot = geteuid() == 0
        if asRoot {
            // The postgres user must reach its folders.
            try run("/bin/chown", ["postgres:postgres", directory, socketFolder])
            try run("/bin/chmod", ["755", directory])
        }
        if !fm.fileExists(atPath: dataFolder + "/PG_VERSION") {
            logger.info("creating embedded PostgreSQL cluster", metadata: ["folder": "\(dataFolder)"])
            try runPostgres("initdb", ["-D", dataFolder, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-instructions"], asRoot: asRoot)
        }
        if fm.fileExists(atPath: dataFolder + "/postmaster.pid") {
            // A previous run did not stop cleanly; pg_ctl start refuses if it is really running.
            logger.notice("embedded PostgreSQL has a postmaster.pid; trying to start anyway")
        }
        // The server keeps inherited descriptors open: its output goes to the log, not to us.
        try runPostgres("pg_ctl", ["-D", dataFolder, "-w", "-t", "60", "-l", directory + "/postgres.log",
                                   "-o", "-c listen_addresses='' -k \(socketFolder) \(Self.settings)", "start"], asRoot: asRoot, capture: false)
        started = true
        try runPostgres("psql", ["-h", socketFolder, "-U", "postgres", "-d", "postgres", "-tAc",
                                 "SELECT 1 FROM pg_database WHERE datname = 'tollgate'"], asRoot: asRoot, check: { output in
            if !output.contains("1") {
                try self.runPostgres("createdb", ["-h", self.socketFolder, "-U", "postgres", "tollgate"], asRoot: asRoot)
            }
        })
        logger.info("embedded PostgreSQL running", metadata: ["socket": "\(socketFolder)"])
    }

    /// Stops the cluster (fast shutdown: connections closed, everything committed is durable).
    public func stop() {
        guard started else { return }
        started = false
        do {
            try runPostgres("pg_ctl", ["-D", dataFolder, "-m", "fast", "-w", "stop"], asRoot: geteuid() == 0)
        } catch {
            logger.error("could not stop embedded PostgreSQL", metadata: ["error": "\(error)"])
        }
    }

    /// The secret key stored in the data folder, generated on first use (mode 0600).
    public func secretKey(generate: () -> String) throws -> String {
        let path = directory + "/secret.key"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            return existing.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let key = generate()
        FileManager.default.createFile(atPath: path, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600])
        return key
    }

    private func runPostgres(_ tool: String, _ arguments: [String], asRoot: Bool, capture: Bool = true,
                             check: ((String) throws -> Void)? = nil) throws {
        let path = binaries + "/" + tool
        let executable = FileManager.default.isExecutableFile(atPath: path) ? path : "/usr/bin/" + tool
        if asRoot {
            try run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments, capture: capture, check: check)
        } else {
            try run(executable, arguments, capture: capture, check: check)
        }
    }

    /// Runs a program to completion with posix_spawn and waitpid. Output goes to a file
    /// (read back when `capture`), never to a pipe: the server that pg_ctl leaves running
    /// would otherwise hold the pipe open forever.
    private func run(_ executable: String, _ arguments: [String], capture: Bool = true, check: ((String) throws -> Void)? = nil) throws {
        let outputPath = directory + "/.command-output"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, capture ? outputPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw Error(description: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = capture ? ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "") : ""
        if capture { try? FileManager.default.removeItem(atPath: outputPath) }
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw Error(description: "\(URL(fileURLWithPath: executable).lastPathComponent) \(arguments.first ?? "") failed: \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        try check?(output)
    }

    /// Settings for an accounting write load: room for batches in memory and fewer
    /// checkpoints. Durability settings (fsync, synchronous_commit) stay at their safe defaults.
    static let settings = "-c shared_buffers=256MB -c max_wal_size=2GB -c checkpoint_timeout=15min -c wal_buffers=16MB"

    /// Debian keeps the server binaries under /usr/lib/postgresql/<version>/bin, off PATH.
    static func findBinaries() -> String? {
        let fm = FileManager.default
        if let versions = try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
                let bin = "/usr/lib/postgresql/\(version)/bin"
                if fm.isExecutableFile(atPath: bin + "/initdb") && fm.isExecutableFile(atPath: bin + "/pg_ctl") { return bin }
            }
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            if fm.isExecutableFile(atPath: "\(dir)/initdb") && fm.isExecutableFile(atPath: "\(dir)/pg_ctl") { return String(dir) }
        }
        return nil
    }
}
