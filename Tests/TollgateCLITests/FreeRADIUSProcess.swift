import Foundation
import TestSupport

/// Debian's FreeRADIUS 3.2 as a child process, from a private copy of /etc/freeradius/3.0
/// with the snippets of Config/freeradius installed, accounting on a loopback port of its
/// own, forwarding its accounting to Tollgate at `127.0.0.1:tollgatePort`.
///
/// The copy lives in a temporary folder removed with the object; the process is stopped
/// then too, whether the test passed or not. Nothing of the system's FreeRADIUS (its
/// configuration, its service, its ports 1812/1813/18120) is touched: the copy listens only
/// on its own port, without the inner-tunnel site.
final class FreeRADIUSProcess {
    static let executable = "/usr/sbin/freeradius"
    static let systemConfiguration = "/etc/freeradius/3.0"

    let process = Process()
    let directory: String
    /// The accounting port NAS devices (radclient) send to.
    let port: UInt16
    /// The folder of the detail files waiting for Tollgate.
    var spool: String { "\(directory)/log/radacct/tollgate" }
    var log: String { "\(directory)/log/radius.log" }

    /// `nasSecret`: the secret radclient uses; `tollgateSecret`: the home server's secret.
    /// The reader's intervals are the shortest FreeRADIUS accepts, so a test waits seconds,
    /// not the production minutes, for delivery to resume.
    init(tollgatePort: UInt16, nasSecret: String, tollgateSecret: String) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable),
            FileManager.default.fileExists(atPath: "\(Self.systemConfiguration)/radiusd.conf")
        else {
            throw SetUpError(
                "FreeRADIUS is not installed (\(Self.executable), \(Self.systemConfiguration)): scripts/test installs it; by hand: apt-get install -y freeradius freeradius-utils"
            )
        }
        port = freePort(udp: true)
        directory = temporaryPath("tollgate-freeradius")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            try prepare(tollgatePort: tollgatePort, nasSecret: nasSecret, tollgateSecret: tollgateSecret)
            try start()
        } catch {
            stop()
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    private func prepare(tollgatePort: UInt16, nasSecret: String, tollgateSecret: String) throws {
        // cp -a keeps mods-enabled's relative symbolic links and the certificates' modes.
        let (copied, copyOutput) = try run("/bin/cp", ["-a", "\(Self.systemConfiguration)/.", directory])
        guard copied == 0 else { throw SetUpError("copying \(Self.systemConfiguration) failed: \(copyOutput)") }
        let fm = FileManager.default
        try fm.createDirectory(atPath: "\(directory)/log", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: "\(directory)/run", withIntermediateDirectories: true)

        // Paths into the copy; no switch to the freerad user (the copy belongs to root).
        try edit("radiusd.conf") { text in
            text.replacingLines {
                if $0.hasPrefix("raddbdir = ") { return "raddbdir = \(directory)" }
                if $0.hasPrefix("logdir = ") { return "logdir = \(directory)/log" }
                if $0.hasPrefix("run_dir = ") { return "run_dir = \(directory)/run" }
                let trimmed = $0.trimmingCharacters(in: .whitespaces)
                if trimmed == "user = freerad" || trimmed == "group = freerad" { return "#" + $0 }
                return $0
            }
        }
        // Only the default site and Tollgate's: inner-tunnel listens on 127.0.0.1:18120.
        for site in try fm.contentsOfDirectory(atPath: "\(directory)/sites-enabled") where site != "default" {
            try fm.removeItem(atPath: "\(directory)/sites-enabled/\(site)")
        }
        try """
        client loopback {
        \tipaddr = 127.0.0.0/8
        \tsecret = "\(nasSecret)"
        }

        """.write(toFile: "\(directory)/clients.conf", atomically: true, encoding: .utf8)

        // The snippets as shipped, with the operator's placeholders filled in.
        let snippets = "\(RealData.repositoryRoot)/Config/freeradius"
        try fm.copyItem(atPath: "\(snippets)/mods-available/tollgate_detail", toPath: "\(directory)/mods-available/tollgate_detail")
        try fm.createSymbolicLink(atPath: "\(directory)/mods-enabled/tollgate_detail", withDestinationPath: "../mods-available/tollgate_detail")
        var site = try String(contentsOfFile: "\(snippets)/sites-available/tollgate", encoding: .utf8)
        for (shipped, test) in [
            ("ipaddr = TOLLGATE-ADDRESS", "ipaddr = 127.0.0.1"),
            ("port = 1813", "port = \(tollgatePort)"),
            ("secret = CHANGE-ME-the-secret-registered-in-tollgate", "secret = \"\(tollgateSecret)\""),
            // The shortest intervals FreeRADIUS accepts, for a test measured in seconds.
            ("retry_interval = 10", "retry_interval = 4"),
            ("response_window = 20", "response_window = 1"),
            ("zombie_period = 40", "zombie_period = 3"),
            ("check_interval = 10", "check_interval = 1"),
            ("check_timeout = 4", "check_timeout = 1"),
            ("num_answers_to_alive = 3", "num_answers_to_alive = 1"),
        ] {
            guard site.contains(shipped) else { throw SetUpError("sites-available/tollgate no longer says \"\(shipped)\": update FreeRADIUSProcess") }
            site = site.replacingOccurrences(of: shipped, with: test)
        }
        try site.write(toFile: "\(directory)/sites-available/tollgate", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: "\(directory)/sites-enabled/tollgate", withDestinationPath: "../sites-available/tollgate")

        // The default site: its own listen sections (every address, the standard ports)
        // replaced by one on loopback; tollgate_detail after -sql, as accounting-section.conf says.
        try edit("sites-available/default") { text in
            var lines: [String] = []
            var inListen = false
            var inAccounting = false
            var addedDetail = false
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                if inListen {
                    if line.hasPrefix("}") { inListen = false }
                    continue
                }
                if line.hasPrefix("listen {") {
                    inListen = true
                    continue
                }
                lines.append(line)
                if line.hasPrefix("server default {") {
                    lines += ["listen {", "\ttype = acct", "\tipaddr = 127.0.0.1", "\tport = \(port)", "}"]
                }
                // Sections start and end at the first column; authorize has a -sql line too.
                if line.hasPrefix("accounting {") { inAccounting = true }
                if line.hasPrefix("}") { inAccounting = false }
                if inAccounting, line == "\t-sql", !addedDetail {
                    lines.append("\ttollgate_detail")
                    addedDetail = true
                }
            }
            guard addedDetail else { throw SetUpError("the default site's accounting section has no \"-sql\" line to put tollgate_detail after") }
            return lines.joined(separator: "\n")
        }

        let (checked, checkOutput) = try run(Self.executable, ["-C", "-d", directory])
        guard checked == 0 else { throw SetUpError("FreeRADIUS refused the configuration: \(checkOutput.suffix(3000))") }
    }

    private func edit(_ file: String, _ change: (String) throws -> String) throws {
        let path = "\(directory)/\(file)"
        try change(try String(contentsOfFile: path, encoding: .utf8)).write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func start() throws {
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["-f", "-d", directory]
        let output = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let ready = try waitUntil(seconds: 30) {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            return text.contains("Ready to process requests") || !process.isRunning
        }
        guard ready, process.isRunning else {
            throw SetUpError("FreeRADIUS did not start: \(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").suffix(3000))")
        }
    }

    /// The detail files not yet delivered to Tollgate (the reader's detail.work included).
    func spoolFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []).filter { $0.hasPrefix("detail") }.sorted()
    }

    private func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

extension String {
    /// The text with each line replaced by `change`'s answer for it.
    fileprivate func replacingLines(_ change: (String) -> String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).map { change(String($0)) }.joined(separator: "\n")
    }
}
