import Foundation
import Logging
import Storage
import TestSupport
import Testing

@testable import Server

#if canImport(Glibc)
    import Glibc
#endif

/// What the programs the tests run as set-up see of the environment: a PATH only.
private let minimalEnvironment = ["PATH": "/usr/bin:/bin"]

private let binaries = EmbeddedPostgres.findBinaries() ?? "/usr/lib/postgresql/15/bin"
private let canRun = geteuid() == 0 && EmbeddedPostgres.findBinaries() != nil && getpwnam("nobody") != nil && getpwnam("postgres") != nil

/// A new folder under /tmp (which every user may pass through), so that only the data
/// folder's own modes can keep another user out.
private func scratchFolder() -> String {
    "/tmp/tollgate-embedded-\(UUID().uuidString.prefix(8).lowercased())"
}

private func quietLogger() -> Logger {
    var logger = Logger(label: "embedded-test")
    logger.logLevel = .critical
    return logger
}

/// psql as `user` (an OS user through runuser, or this process's user when nil).
private func psql(
    as user: String?, _ connection: String, _ sql: String = "SELECT 1",
    environment: [String: String] = [:]
) throws -> ChildOutcome {
    let arguments = ["-X", "-w", "-tA", "-d", connection, "-c", sql]
    var env = ["PATH": "/usr/bin:/bin", "PGCONNECT_TIMEOUT": "5"]
    env.merge(environment) { $1 }
    if let user {
        return try spawnAndCapture("/usr/sbin/runuser", ["-u", user, "--", binaries + "/psql"] + arguments, environment: env)
    }
    return try spawnAndCapture(binaries + "/psql", arguments, environment: env)
}

private func owner(_ path: String) -> (user: uid_t, group: gid_t)? {
    var status = stat()
    guard lstat(path, &status) == 0 else { return nil }
    return (status.st_uid, status.st_gid)
}

/// Every role and database of the cluster, read by its owner.
private func rolesAndDatabases(_ url: String) throws -> (roles: [String], databases: [String]) {
    let connection = try PostgresConnection(url: url)
    let roles = try connection.query("SELECT rolname FROM pg_roles ORDER BY 1").rows.compactMap { $0[0] }
    let databases = try connection.query("SELECT datname FROM pg_database ORDER BY 1").rows.compactMap { $0[0] }
    return (roles, databases)
}

/// Tries every database as every role, as the `nobody` OS user, over the socket; returns
/// the attempts that were not refused.
private func admittedAsNobody(socket: String, roles: [String], databases: [String]) throws -> [String] {
    var admitted: [String] = []
    for database in databases {
        for role in roles {
            let outcome = try psql(as: "nobody", "host=\(socket) user=\(role) dbname=\(database)")
            if outcome.status == 0 || !outcome.output.contains("Permission denied") {
                admitted.append("\(role)@\(database): \(outcome.status) \(outcome.output.prefix(120))")
            }
        }
    }
    return admitted
}

/// What only the owner of the data folder may do, checked on a started cluster.
private func expectOwnerOnly(_ cluster: EmbeddedPostgres) throws {
    let postgres = getpwnam("postgres")!.pointee
    #expect(PrivateFile.mode(cluster.directory) == 0o710)
    #expect(owner(cluster.directory).map { $0.user == 0 && $0.group == postgres.pw_gid } == true)
    #expect(PrivateFile.mode(cluster.socketFolder) == 0o700)
    #expect(owner(cluster.socketFolder)?.user == postgres.pw_uid)
    #expect(PrivateFile.mode(cluster.passwordFile) == 0o600)
    #expect(owner(cluster.passwordFile)?.user == 0)
    #expect(PrivateFile.mode(cluster.secretKeyFile) == 0o600)
    #expect(try PrivateFile.read(cluster.dataFolder + "/pg_hba.conf") == EmbeddedPostgres.hostBasedAuthentication)

    let (roles, databases) = try rolesAndDatabases(cluster.url)
    #expect(roles.contains("postgres") && roles.contains("tollgate_tenant") && roles.count >= 10)
    #expect(databases == ["postgres", "template0", "template1", "tollgate"])
    let refusedAll = try admittedAsNobody(socket: cluster.socketFolder, roles: roles, databases: databases)
    #expect(refusedAll.isEmpty, "admitted: \(refusedAll)")

    // No TCP port at all: nothing to try over TCP. postmaster.pid line 6 is the first
    // listen address (empty when there is none).
    let connection = try PostgresConnection(url: cluster.url)
    #expect(try connection.query("SHOW listen_addresses").rows == [[""]])
    let pidLines = try String(contentsOfFile: cluster.dataFolder + "/postmaster.pid", encoding: .utf8)
        .split(separator: "\n", omittingEmptySubsequences: false)
    #expect(pidLines.count >= 6 && pidLines[5].trimmingCharacters(in: .whitespaces).isEmpty)

    // The owner needs the password: none, or a wrong one, is refused even for root.
    let socket = cluster.socketFolder
    let none = try psql(as: nil, "host=\(socket) user=postgres dbname=tollgate")
    #expect(none.status != 0 && none.output.contains("no password supplied"), "\(none.output)")
    let wrong = try psql(as: nil, "host=\(socket) user=postgres dbname=tollgate", environment: ["PGPASSWORD": "not-the-password"])
    #expect(wrong.status != 0 && wrong.output.contains("password authentication failed"), "\(wrong.output)")
    let right = try psql(as: nil, "host=\(socket) user=postgres dbname=tollgate passfile=\(cluster.passwordFile)", "SELECT current_user")
    #expect(right.status == 0 && right.output.trimmingCharacters(in: .whitespacesAndNewlines) == "postgres", "\(right.output)")
}

@Suite("Embedded PostgreSQL: only its owner gets in", .enabled(if: canRun), .serialized)
struct EmbeddedPostgresTests {
    @Test("A new cluster: folders 0710/0700, password file 0600, every role and database refused to nobody, the owner in with the password")
    func newCluster() throws {
        let directory = scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A Tollgate secret in this process's environment must not reach the server's.
        let canary = "canary-\(UUID().uuidString)"
        setenv("TOLLGATE_EMBEDDED_TEST_CANARY", canary, 1)
        defer { unsetenv("TOLLGATE_EMBEDDED_TEST_CANARY") }
        let cluster = try EmbeddedPostgres(directory: directory, logger: quietLogger())
        try cluster.start()
        defer { cluster.stop() }
        let key = try cluster.secretKey(generate: SecretCipher.generateHexKey)
        #expect(key.count == 64)
        #expect(try cluster.secretKey(generate: { "other" }) == key)
        try Migrator.migrate(try PostgresConnection(url: cluster.url))
        try expectOwnerOnly(cluster)

        let pid = try String(contentsOfFile: cluster.dataFolder + "/postmaster.pid", encoding: .utf8).split(separator: "\n")[0]
        let environ = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))
        let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        #expect(!variables.isEmpty)
        #expect(!variables.contains { $0.hasPrefix("TOLLGATE") || $0.contains(canary) || $0.hasPrefix("PGPASS") }, "\(variables)")
    }

    @Test("A cluster of an older version (trust, open folders) is upgraded in place: nobody was in, is refused after, data and key kept")
    func upgradeFromTrust() throws {
        let directory = scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socket = directory + "/socket"
        let data = directory + "/pgdata"
        // The layout and authentication older versions created.
        try FileManager.default.createDirectory(atPath: socket, withIntermediateDirectories: true)
        #expect(try spawnAndCapture("/bin/chown", ["postgres:postgres", directory, socket], environment: minimalEnvironment).status == 0)
        #expect(try spawnAndCapture("/bin/chmod", ["755", directory, socket], environment: minimalEnvironment).status == 0)
        let initdb = try spawnAndCapture(
            "/usr/sbin/runuser",
            [
                "-u", "postgres", "--", binaries + "/initdb", "-D", data, "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--no-sync", "--no-instructions",
            ], environment: minimalEnvironment)
        #expect(initdb.status == 0, "\(initdb.output)")
        let started = try spawnAndCapture(
            "/usr/sbin/runuser",
            [
                "-u", "postgres", "--", binaries + "/pg_ctl", "-D", data, "-w", "-l", directory + "/postgres.log",
                "-o", "-c listen_addresses='' -k \(socket)", "start",
            ], environment: minimalEnvironment)
        #expect(started.status == 0, "\(started.output) \((try? String(contentsOfFile: directory + "/postgres.log", encoding: .utf8)) ?? "")")
        #expect(try psql(as: nil, "host=\(socket) user=postgres dbname=postgres", "CREATE DATABASE tollgate").status == 0)
        #expect(
            try psql(
                as: nil, "host=\(socket) user=postgres dbname=tollgate",
                "CREATE TABLE marker (v text); INSERT INTO marker VALUES ('kept')"
            ).status == 0)
        // The hole this closes: any local user read the data as the superuser.
        let before = try psql(as: "nobody", "host=\(socket) user=postgres dbname=tollgate", "SELECT v FROM marker")
        #expect(before.status == 0 && before.output.contains("kept"), "\(before.output)")
        let oldKey = String(repeating: "5a", count: 32)
        FileManager.default.createFile(
            atPath: directory + "/secret.key", contents: Data((oldKey + "\n").utf8), attributes: [.posixPermissions: 0o600])
        #expect(
            try spawnAndCapture(
                "/usr/sbin/runuser", ["-u", "postgres", "--", binaries + "/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"],
                environment: minimalEnvironment
            ).status == 0)

        let cluster = try EmbeddedPostgres(directory: directory, logger: quietLogger())
        try cluster.start()
        defer { cluster.stop() }
        #expect(try cluster.secretKey(generate: { "not used" }) == oldKey)
        #expect(try PostgresConnection(url: cluster.url).query("SELECT v FROM marker").rows == [["kept"]])
        try Migrator.migrate(try PostgresConnection(url: cluster.url))
        try expectOwnerOnly(cluster)
        let after = try psql(as: "nobody", "host=\(socket) user=postgres dbname=tollgate", "SELECT v FROM marker")
        #expect(after.status != 0 && !after.output.contains("kept"))

        // A second start keeps the password and the authentication as they are.
        let password = try PrivateFile.read(cluster.passwordFile)
        cluster.stop()
        let again = try EmbeddedPostgres(directory: directory, logger: quietLogger())
        try again.start()
        defer { again.stop() }
        #expect(try PrivateFile.read(again.passwordFile) == password)
        #expect(try PostgresConnection(url: again.url).query("SELECT v FROM marker").rows == [["kept"]])
    }

    @Test("A generated secret key that cannot be written stops start-up; a planted link is neither followed nor read")
    func secretKeyFailures() throws {
        let missing = try EmbeddedPostgres(directory: "/nonexistent-\(UUID().uuidString)", logger: quietLogger())
        do {
            _ = try missing.secretKey(generate: SecretCipher.generateHexKey)
            Issue.record("a key that could not be stored was returned")
        } catch {
            #expect("\(error)".contains("cannot store the generated secret key"), "\(error)")
        }

        let directory = scratchFolder()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let target = directory + "/target"
        try "precious\n".write(toFile: target, atomically: false, encoding: .utf8)
        #expect(symlink(target, directory + "/secret.key") == 0)
        let planted = try EmbeddedPostgres(directory: directory, logger: quietLogger())
        #expect(throws: PrivateFile.Error.self) { try planted.secretKey(generate: SecretCipher.generateHexKey) }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")
    }
}

@Suite("Files written beside the embedded cluster")
struct PrivateFileTests {
    @Test("create refuses any existing name; replace swaps planted links for files; read refuses links; modes exact despite the umask")
    func noFollow() throws {
        let directory = scratchFolder()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let target = directory + "/target"
        try "precious\n".write(toFile: target, atomically: false, encoding: .utf8)

        #expect(symlink(target, directory + "/link") == 0)
        #expect(throws: PrivateFile.Error.self) { try PrivateFile.create(directory + "/link", contents: "x", mode: 0o600) }
        #expect(throws: PrivateFile.Error.self) { try PrivateFile.read(directory + "/link") }
        #expect(symlink(target, directory + "/hba.tollgate-new") == 0)
        #expect(symlink(target, directory + "/hba") == 0)
        try PrivateFile.replace(directory + "/hba", contents: "local all all scram-sha-256\n", mode: 0o640)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")
        #expect(try PrivateFile.read(directory + "/hba") == "local all all scram-sha-256\n")
        #expect(PrivateFile.mode(directory + "/hba") == 0o640)
        #expect(!FileManager.default.fileExists(atPath: directory + "/hba.tollgate-new"))

        // 0666 survives the usual umask (022), which open alone would apply.
        try PrivateFile.create(directory + "/shared", contents: "", mode: 0o666)
        #expect(PrivateFile.mode(directory + "/shared") == 0o666)
        #expect(try PrivateFile.read(directory + "/missing") == nil)
        // A link in place of a folder is replaced by a real folder; the link's target is untouched.
        #expect(symlink("/etc", directory + "/socket") == 0)
        try PrivateFile.folder(directory + "/socket", mode: 0o700)
        #expect(PrivateFile.mode(directory + "/socket") == 0o700)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/socket")) == nil)
    }
}
