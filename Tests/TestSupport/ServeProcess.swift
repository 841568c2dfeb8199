import Foundation

/// `tollgate serve` as a child process on loopback ports, against a given database.
public final class ServeProcess {
    public let process = Process()
    public let port: UInt16
    public let httpPort: UInt16
    public let log: URL
    /// The simulated host it runs on (nil: this machine).
    public let host: SimulatedNetwork.Host?
    /// The data folder (the spool lives there); removed with the object unless given.
    public let dataDirectory: String
    private let ownsDataDirectory: Bool

    /// `port`: the accounting port to listen on (a free one when nil), so a restarted
    /// collector can take over from a killed one; `dataDirectory`: the data folder (a new
    /// temporary one when nil), so a restarted collector finds the spool of the killed one;
    /// `arguments`: more arguments for `serve`; `configuration`: TOML for a configuration file
    /// (e.g. an [api] table), none when nil; `host`: a host of a `SimulatedNetwork` to run on
    /// (listening for accounting on its address, HTTP on its loopback), this machine when nil.
    public init(
        databaseURL: String, port: UInt16? = nil, dataDirectory: String? = nil, arguments: [String] = [],
        configuration: String? = nil, host: SimulatedNetwork.Host? = nil
    ) throws {
        self.port = port ?? freePort(udp: true)
        self.host = host
        httpPort = freePort(udp: false)
        ownsDataDirectory = dataDirectory == nil
        self.dataDirectory = dataDirectory ?? temporaryPath("tollgate-data")
        log = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = tollgateExecutable()
        process.arguments =
            [
                "serve", "--listen", "\(host?.address ?? "127.0.0.1"):\(self.port)", "--http", "127.0.0.1:\(httpPort)",
                "--database-url", databaseURL, "--data-directory", self.dataDirectory,
            ] + arguments
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
        throw SetUpError("tollgate serve did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// SIGTERM, then the exit status.
    public func terminate() -> Int32 {
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
