import Foundation
import Logging
import Storage

#if canImport(Glibc)
    import Glibc
#endif

/// A private PostgreSQL cluster in a local folder, started from the installed server
/// binaries, for running Tollgate without a database server of its own.
///
/// Only the OS user running Tollgate reaches it. The cluster listens on no TCP address,
/// only on a Unix socket in a folder of mode 0700, and takes only password (SCRAM)
/// connections; the password is generated on first start and kept, mode 0600, beside the
/// secret key in the data folder, which the server's OS user cannot write. PostgreSQL
/// refuses to run as root, so as root the cluster belongs to the `postgres` OS user: the
/// data folder is then root's, group `postgres`, mode 0710 (the server may only pass
/// through it to its own folders, `pgdata` and `socket`).
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
    var passwordFile: String { Self.passwordFile(directory: directory) }
    var secretKeyFile: String { directory + "/secret.key" }
    var logFile: String { directory + "/postgres.log" }

    /// The libpq URL of the `tollgate` database in this cluster.
    public var url: String { Self.url(directory: directory) }

    /// The libpq URL of the `tollgate` database of the embedded cluster in `directory`. The
    /// password is read by libpq from the password file, so it never appears in a URL.
    public static func url(directory: String) -> String {
        "postgresql:///tollgate?host=\(directory)/socket&user=postgres&passfile=\(passwordFile(directory: directory))"
    }

    /// The password of the cluster's `postgres` role, in the libpq password file format.
    static func passwordFile(directory: String) -> String { directory + "/postgres.password" }

    /// What pg_hba.conf says, rewritten whenever it says anything else.
    static let hostBasedAuthentication = """
        # Written by Tollgate on start; edits are replaced. Password (SCRAM) connections only,
        # never trust: the password is in postgres.password beside pgdata. The server listens
        # on no TCP address; the host lines apply only if listen_addresses is ever changed.
        local   all   all                  scram-sha-256
        host    all   all   127.0.0.1/32   scram-sha-256
        host    all   all   ::1/128        scram-sha-256

        """

    /// Creates the cluster if needed, upgrades one created with trust authentication,
    /// starts it and creates the database.
    public func start() throws {
        let server = try serverAccount()
        try secureFolders(server)
        let (password, passwordIsNew) = try loadOrCreatePassword()
        let hbaPath = dataFolder + "/pg_hba.conf"
        let exists = FileManager.default.fileExists(atPath: dataFolder + "/PG_VERSION")
        let hba = exists ? try PrivateFile.read(hbaPath) : nil
        let hbaIsCurrent = hba == Self.hostBasedAuthentication
        if !exists {
            logger.info("creating embedded PostgreSQL cluster", metadata: ["folder": "\(dataFolder)"])
            let passwordInput = directory + "/.initdb-password"
            unlink(passwordInput)
            // initdb runs as the server's user and opens the file by name: readable by its group only.
            try PrivateFile.create(
                passwordInput, contents: password + "\n", mode: server == nil ? 0o600 : 0o640,
                owner: PrivateFile.Owner(user: nil, group: server?.group))
            defer { unlink(passwordInput) }
            try runServerTool(
                "initdb",
                [
                    "-D", dataFolder, "-U", "postgres", "--auth=scram-sha-256", "--pwfile=\(passwordInput)",
                    "-E", "UTF8", "--no-instructions",
                ], server: server)
            try writeHostBasedAuthentication(hbaPath, server: server)
        } else if passwordIsNew || !hbaIsCurrent {
            // A cluster of an older version (trust for everyone) or one whose password file was
            // lost: set the password in single-user mode, which needs no connection at all.
            logger.notice(
                "embedded PostgreSQL: setting a generated password and password-only authentication",
                metadata: ["folder": "\(dataFolder)"])
            try setPassword(password, server: server)
            try writeHostBasedAuthentication(hbaPath, server: server)
        }
        if FileManager.default.fileExists(atPath: dataFolder + "/postmaster.pid") {
            // A previous run did not stop cleanly; pg_ctl start refuses if it is really running.
            logger.notice("embedded PostgreSQL has a postmaster.pid; trying to start anyway")
        }
        try prepareLog(server)
        // The server keeps inherited descriptors open: its output goes to the log, not to us.
        try runServerTool(
            "pg_ctl",
            [
                "-D", dataFolder, "-w", "-t", "60", "-l", logFile,
                "-o", "-c listen_addresses='' -k \(socketFolder) -c unix_socket_permissions=0700 \(Self.settings)",
                "start",
            ], server: server, capture: false)
        started = true
        try run(
            clientTool("psql"),
            [
                "-X", "-w", "-d", Self.url(directory: directory).replacingOccurrences(of: "///tollgate?", with: "///postgres?"),
                "-tAc", "SELECT 1 FROM pg_database WHERE datname = 'tollgate'",
            ],
            environment: Self.environment(),
            check: { output in
                if !output.contains("1") {
                    try self.run(
                        self.clientTool("createdb"), ["-w", "-h", self.socketFolder, "-U", "postgres", "tollgate"],
                        environment: Self.environment(passwordFile: self.passwordFile))
                }
            })
        logger.info("embedded PostgreSQL running", metadata: ["socket": "\(socketFolder)"])
    }

    /// Stops the cluster (fast shutdown: connections closed, everything committed is durable).
    public func stop() {
        guard started else { return }
        started = false
        do {
            try runServerTool("pg_ctl", ["-D", dataFolder, "-m", "fast", "-w", "stop"], server: try serverAccount())
        } catch {
            logger.error("could not stop embedded PostgreSQL", metadata: ["error": "\(error)"])
        }
    }

    /// The secret key stored in the data folder, generated on first use (mode 0600). A key
    /// that cannot be written stops start-up: NAS secrets sealed with a key that is then
    /// lost could never be opened again.
    public func secretKey(generate: () -> String) throws -> String {
        if let existing = try PrivateFile.read(secretKeyFile) {
            return existing.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let key = generate()
        do {
            try PrivateFile.create(secretKeyFile, contents: key + "\n", mode: 0o600)
        } catch {
            throw Error(description: "cannot store the generated secret key: \(error); make the data folder writable, or set secret_key")
        }
        return key
    }

    // MARK: Ownership and files

    /// The OS user the server runs as, when it is not this process's (running as root).
    struct ServerAccount {
        var user: uid_t
        var group: gid_t
    }

    private func serverAccount() throws -> ServerAccount? {
        guard geteuid() == 0 else { return nil }
        guard let entry = getpwnam("postgres") else {
            throw Error(
                description:
                    "running as root, the embedded PostgreSQL needs the OS user 'postgres' (PostgreSQL refuses root): create it, or run Tollgate as another user"
            )
        }
        return ServerAccount(user: entry.pointee.pw_uid, group: entry.pointee.pw_gid)
    }

    /// The data folder is this process's user's and only passable by the server's group;
    /// the socket folder is the server's alone. Older versions gave the data folder to the
    /// server's user with mode 0755: that is undone here.
    private func secureFolders(_ server: ServerAccount?) throws {
        if let server {
            try PrivateFile.folder(directory, mode: 0o710, owner: PrivateFile.Owner(user: geteuid(), group: server.group), followingLink: true)
            try PrivateFile.folder(socketFolder, mode: 0o700, owner: PrivateFile.Owner(user: server.user, group: server.group))
            // initdb cannot create it in a folder the server's user may not write; an existing
            // one (perhaps a link to another disk) is the server's business.
            if !FileManager.default.fileExists(atPath: dataFolder) {
                try PrivateFile.folder(dataFolder, mode: 0o700, owner: PrivateFile.Owner(user: server.user, group: server.group))
            }
        } else {
            try PrivateFile.folder(directory, mode: 0o700, followingLink: true)
            try PrivateFile.folder(socketFolder, mode: 0o700)
        }
    }

    /// The server's log file, created for it (pg_ctl opens it as the server's user, and the
    /// data folder is not writable by that user).
    private func prepareLog(_ server: ServerAccount?) throws {
        var status = stat()
        if lstat(logFile, &status) == 0 {
            let ownedRight = server.map { status.st_uid == $0.user } ?? (status.st_uid == geteuid())
            if status.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG) && ownedRight { return }
            unlink(logFile)
        }
        try PrivateFile.create(logFile, contents: "", mode: 0o600, owner: PrivateFile.Owner(user: server?.user, group: server?.group))
    }

    /// The stored password, or a new one (64 hex digits) written before anything uses it.
    private func loadOrCreatePassword() throws -> (password: String, isNew: Bool) {
        if let stored = try PrivateFile.read(passwordFile) {
            // A libpq password file line: host:port:database:user:password.
            let line = stored.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            let password = line.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false).last.map(String.init) ?? ""
            guard line.hasPrefix("*:*:*:postgres:"), !password.isEmpty else {
                throw Error(description: "\(passwordFile) is not a password file Tollgate wrote: remove it (a new password is then set)")
            }
            // libpq ignores a password file others can read; keep it private even if changed by hand.
            guard chmod(passwordFile, 0o600) == 0 else {
                throw Error(description: "cannot make \(passwordFile) private: \(String(cString: strerror(errno)))")
            }
            return (password, false)
        }
        let password = SecretCipher.generateHexKey()
        do {
            try PrivateFile.create(passwordFile, contents: "*:*:*:postgres:\(password)\n", mode: 0o600)
        } catch {
            throw Error(description: "cannot store the embedded database's password: \(error); make the data folder writable")
        }
        return (password, true)
    }

    private func writeHostBasedAuthentication(_ path: String, server: ServerAccount?) throws {
        try PrivateFile.replace(
            path, contents: Self.hostBasedAuthentication, mode: 0o600,
            owner: PrivateFile.Owner(user: server?.user, group: server?.group))
    }

    /// Sets the `postgres` role's password with the server stopped, through single-user mode
    /// reading the statement from a file only this process can read (it is opened before
    /// the switch to the server's user, and never put on a command line).
    private func setPassword(_ password: String, server: ServerAccount?) throws {
        let statement = directory + "/.set-password.sql"
        unlink(statement)
        try PrivateFile.create(statement, contents: "ALTER ROLE postgres WITH LOGIN PASSWORD '\(password)'\n", mode: 0o600)
        defer { unlink(statement) }
        do {
            try runServerTool(
                "postgres",
                [
                    "--single", "-D", dataFolder, "-c", "password_encryption=scram-sha-256",
                    "-c", "log_statement=none", "postgres",
                ],
                server: server, input: statement)
        } catch {
            throw Error(
                description:
                    "cannot set the embedded database's password (is it still running from an earlier start? stop it with pg_ctl -D \(dataFolder) stop): \(error)"
            )
        }
    }

    // MARK: Running programs

    /// Runs a server program (initdb, pg_ctl, postgres) as the server's OS user.
    private func runServerTool(
        _ tool: String, _ arguments: [String], server: ServerAccount?, capture: Bool = true,
        input: String? = nil
    ) throws {
        let executable = clientTool(tool)
        if server != nil {
            try run(
                "/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments, capture: capture, input: input,
                environment: Self.environment())
        } else {
            try run(executable, arguments, capture: capture, input: input, environment: Self.environment())
        }
    }

    private func clientTool(_ tool: String) -> String {
        let path = binaries + "/" + tool
        return FileManager.default.isExecutableFile(atPath: path) ? path : "/usr/bin/" + tool
    }

    /// The environment of every program started here: locale and path only, so the server
    /// never inherits a Tollgate secret (TOLLGATE_SECRET_KEY, database URLs, ...).
    static func environment(passwordFile: String? = nil) -> [String] {
        var kept = ProcessInfo.processInfo.environment.filter { key, _ in
            key == "PATH" || key == "LANG" || key == "TZ" || key.hasPrefix("LC_")
        }.map { "\($0.key)=\($0.value)" }.sorted()
        if !kept.contains(where: { $0.hasPrefix("PATH=") }) { kept.append("PATH=/usr/local/bin:/usr/bin:/bin") }
        if let passwordFile { kept.append("PGPASSFILE=\(passwordFile)") }
        return kept
    }

    /// Runs a program to completion with posix_spawn and waitpid. Output goes to a file
    /// (read back when `capture`), never to a pipe: the server that pg_ctl leaves running
    /// would otherwise hold the pipe open forever. `input`, if given, is the program's
    /// standard input, opened by this process's user.
    private func run(
        _ executable: String, _ arguments: [String], capture: Bool = true, input: String? = nil, environment: [String],
        check: ((String) throws -> Void)? = nil
    ) throws {
        let outputPath = directory + "/.command-output"
        if capture { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input ?? "/dev/null", O_RDONLY | O_NOFOLLOW, 0)
        posix_spawn_file_actions_addopen(&actions, 1, capture ? outputPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        Self.closeInheritedDescriptors(&actions)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw Error(description: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = capture ? ((try? PrivateFile.read(outputPath)) ?? nil) ?? "" : ""
        if capture { unlink(outputPath) }
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            let shown = arguments.first.map { $0.hasPrefix("/") ? URL(fileURLWithPath: $0).lastPathComponent : $0 } ?? ""
            throw Error(
                description:
                    "\(URL(fileURLWithPath: executable).lastPathComponent) \(shown) failed: \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        try check?(output)
    }

    /// Makes a spawned program start with standard input, output and error only. The server
    /// must not hold this process's sockets, and PostgreSQL counts the descriptors it finds
    /// open against its limit (it refuses to start when too many are). glibc 2.34's
    /// posix_spawn_file_actions_addclosefrom_np is looked up: the Swift Glibc module does not
    /// declare it.
    static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return }
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
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
