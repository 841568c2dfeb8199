import ArgumentParser
import Foundation
import Logging
import RADIUS
import Server

/// `tollgate serve`: the collector and its HTTP port, until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the accounting collector and the HTTP port (/healthz, /metrics).",
        discussion: """
            With no database configured, starts an embedded PostgreSQL in the data folder. SIGTERM or \
            SIGINT: stop reading, commit and answer what is in flight, exit 0.
            """)

    @OptionGroup var configurationFile: ConfigurationFileOption
    @Option(help: "Accounting listener address (host:port, [v6]:port, *:port, or NAME=ADDRESS); repeatable. Replaces the file's listeners.")
    var listen: [String] = []
    @Option(help: "HTTP address for /healthz and /metrics.") var http: String?
    // Not `DatabaseOptions`: serve's help names its own default, and it takes the data folder too.
    @Option(help: "libpq URL of the database (default: embedded PostgreSQL).") var databaseURL: String?
    @Option(help: "Folder of the embedded PostgreSQL, its secret key and the spool.") var dataDirectory: String?

    func run() async throws {
        let configuration: TollgateConfiguration
        do {
            var loaded = try configurationFile.load()
            try loaded.overrideListeners(listen)
            if let http { try loaded.overrideHTTP(http) }
            if let databaseURL { loaded.databaseURL = databaseURL }
            if let dataDirectory { loaded.dataDirectory = dataDirectory }
            configuration = loaded
        } catch let error as TollgateConfiguration.Error {
            printError("configuration error: \(error)")
            throw ExitCode(2)
        }
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "tollgate")
        // Found as `tollgate decode` finds it; without one the console shows attributes by number.
        var dictionary = RADIUSDictionary()
        if let path = defaultDictionaryPath() {
            do { dictionary = try RADIUSDictionary(contentsOf: path) } catch {
                logger.warning(
                    "dictionary not loaded; the console shows packet attributes by number", metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
        do {
            try await Serve.run(configuration, logger: logger, dictionary: dictionary)
        } catch {
            logger.critical("tollgate serve stopped", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
