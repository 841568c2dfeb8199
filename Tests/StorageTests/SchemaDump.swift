import Foundation

/// The schema of a database as `pg_dump --schema-only` prints it, without what changes from
/// one run to the next, so that two databases migrated alike give the same text.
enum SchemaDump {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// pg_dump of the server binaries scripts/test hands over (TOLLGATE_TEST_PG_BINDIR), else
    /// of Debian's PostgreSQL 15: the same major version as the test cluster, whose dump the
    /// snapshot holds.
    static var pgDump: String {
        (ProcessInfo.processInfo.environment["TOLLGATE_TEST_PG_BINDIR"] ?? "/usr/lib/postgresql/15/bin") + "/pg_dump"
    }

    /// The normalised schema of the database at `url` (whose name is `database`). Owners are
    /// left out (they are whoever ran the migrations); privileges stay, since the grants to
    /// tollgate_tenant are part of the schema's meaning.
    static func schema(url: String, database: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: pgDump) else {
            throw Failure(description: "\(pgDump) not found: install PostgreSQL 15's binaries (scripts/test does) or set TOLLGATE_TEST_PG_BINDIR")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(database).sql").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: pgDump)
        // The connection is the URL's (the test cluster's socket, as its postgres role), so
        // pg_dump needs no OS user of its own.
        process.arguments = ["--schema-only", "--no-owner", "--file=\(file)", "--dbname=\(url)"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let data = FileManager.default.contents(atPath: file) else {
            throw Failure(description: "pg_dump exited \(process.terminationStatus): \(message)")
        }
        return normalised(String(decoding: data, as: UTF8.self), database: database)
    }

    /// `dump` without the pg_dump and server versions in its header, the `\restrict` and
    /// `\unrestrict` lines (with a random key) that pg_dump 15.14 and later print, the session
    /// settings before the first object (which differ between pg_dump versions), and with the
    /// database's name (random per test) as DATABASE; runs of blank lines left behind become one.
    static func normalised(_ dump: String, database: String) -> String {
        var lines: [String] = []
        var inPreamble = true
        for line in dump.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("-- Name: ") { inPreamble = false }
            if line.hasPrefix("-- Dumped from database version") || line.hasPrefix("-- Dumped by pg_dump version") { continue }
            if line.hasPrefix("\\restrict ") || line.hasPrefix("\\unrestrict ") { continue }
            if inPreamble && (line.hasPrefix("SET ") || line.hasPrefix("SELECT pg_catalog.set_config(")) { continue }
            let renamed = line.replacingOccurrences(of: database, with: "DATABASE")
            if renamed.isEmpty && (lines.last?.isEmpty ?? true) { continue }
            lines.append(renamed)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }
}
