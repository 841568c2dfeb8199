import ArgumentParser
import Collector
import Foundation
import Logging
import Server
import Storage

/// `tollgate spool`: what a spool folder holds, and what to do with batches written for
/// another database than the one the collector now uses.
struct SpoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool", abstract: "Inspect the on-disk spool; replay or set aside batches written for another database.",
        discussion: """
            A collector replays only the spool segments written for the database it uses. Segments written for \
            another database (the collector was pointed elsewhere) are kept untouched and reported on /healthz and \
            in tollgate_spool_foreign_segments until they are replayed into their database or set aside. \
            `replay` and `set-aside` take the spool's lock: stop the collector that uses the folder first.
            """,
        subcommands: [Status.self, Replay.self, SetAside.self])

    /// Where the spool is: --spool-directory, else the configuration's, else `spool` in the data folder.
    struct Location: ParsableArguments {
        @Option(help: "Data folder (the spool is its `spool` folder unless spool_directory is set).") var dataDirectory: String?
        @Option(help: "The spool folder itself (a set-aside folder too).") var spoolDirectory: String?

        func directory(_ configuration: TollgateConfiguration) -> String {
            if let spoolDirectory { return spoolDirectory }
            var configuration = configuration
            if let dataDirectory { configuration.dataDirectory = dataDirectory }
            return configuration.spoolDirectory ?? (configuration.dataDirectory + "/spool")
        }

        /// The spool folder and the identity of the database `database` names.
        func open(_ database: DatabaseOptions) throws -> (directory: String, url: String, identity: DatabaseIdentity) {
            var configuration = try database.configuration()
            if let dataDirectory { configuration.dataDirectory = dataDirectory }
            let url = try DatabaseAccess.forCommand(configuration, needsKey: false).url
            return (directory(configuration), url, try DatabaseIdentity.read(try PostgresConnection(url: url)))
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the spool's segments: the database each was written for, records, packets, octets (read only; works beside a running collector).")
        @OptionGroup var location: Location
        @Option(help: "Configuration file (TOML). Default: TOLLGATE_CONFIG if set.") var config: String?
        @Option(help: "Output format.") var format: OutputFormat = .table

        func run() throws {
            try reportingErrors {
                let configuration = try TollgateConfiguration.load(path: config ?? ProcessInfo.processInfo.environment["TOLLGATE_CONFIG"])
                let directory = location.directory(configuration)
                guard FileManager.default.fileExists(atPath: directory) else {
                    throw spoolFailure("there is no spool folder \(directory)")
                }
                let segments: [SpoolSurvey.SegmentSummary]
                do { segments = try SpoolSurvey.summarize(directory) } catch let error as Spool.SpoolError {
                    throw spoolFailure(error.description)
                }
                let listing = Listing(
                    columns: ["segment", "installation_id", "system_identifier", "database", "spool_id", "records", "packets", "bytes", "damaged_bytes"],
                    rows: segments.map { segment in
                        let database = segment.header?.database
                        return [.text(segment.name), .text(database?.installationID.uuidString.lowercased() ?? segment.unreadable.map { "unreadable: \($0)" } ?? "unidentified"),
                                .text(database.map { String($0.systemIdentifier) }), .text(database?.databaseName),
                                .text(segment.header?.spoolID.uuidString.lowercased()), .number(Int64(segment.records)), .number(Int64(segment.packets)),
                                .number(Int64(segment.bytes)), .number(Int64(segment.damagedBytes))]
                    })
                if format == .table {
                    let setAside = ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/set-aside")) ?? []).sorted()
                    print("spool \(directory): \(SpoolSurvey.isInUse(directory) ? "in use by a running collector" : "not in use")"
                          + (setAside.isEmpty ? "" : "; set aside: \(setAside.map { "set-aside/" + $0 }.joined(separator: ", "))"))
                }
                print(listing.render(format))
            }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay the segments written for the given database into it (the collector using the folder must be stopped).",
            discussion: """
                Replays only segments whose recorded identity (installation id, cluster system identifier, database \
                name) is the target database's; refuses when there are none. --allow-copy also replays segments of a \
                database the target is a copy of (same installation id, another cluster or name: a dump restored \
                elsewhere, pg_upgrade). Segments from before identities were recorded are left to the collector.
                """)
        @OptionGroup var location: Location
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Also replay segments written for a database the target is a copy of (same installation id).") var allowCopy = false
        @Option(help: "Give up after this many seconds without finishing.") var timeout = 300

        func run() throws {
            try reportingErrors {
                let (directory, url, target) = try location.open(database)
                let metrics = CollectorMetrics()
                let logger = quietLogger()
                let spool: Spool
                do {
                    spool = try Spool(configuration: SpoolConfiguration(directory: directory), claim: .replay(into: target, allowCopies: allowCopy),
                                      metrics: metrics, logger: logger)
                } catch let error as Spool.SpoolError {
                    throw spoolFailure(error.description)
                }
                defer { spool.close() }
                guard spool.isActive else {
                    var message = "no segment in \(directory) was written for \(target); nothing replayed"
                    for other in spool.foreign {
                        message += "\n  \(other.segments) segment(s), \(other.bytes) octets written for "
                            + (other.database.map { "\($0)" + ($0.isSameInstallation(as: target) ? " (a copy of the target's installation: --allow-copy replays them)" : "") }
                               ?? "an unknown database (from before identities were recorded; a collector replays them into its database)")
                    }
                    throw spoolFailure(message)
                }
                let connect = IngestPipeline.writerConnect({ try PostgresConnection(url: url, connectTimeoutSeconds: 10) }, expecting: target,
                                                           timeoutMilliseconds: 60_000)
                let replayer = SpoolReplayer(spool: spool, metrics: metrics, logger: logger, connect: connect)
                replayer.start()
                let deadline = Date(timeIntervalSinceNow: Double(timeout))
                while spool.isActive && Date() < deadline { usleep(50_000) }
                replayer.stop()
                guard !spool.isActive else {
                    throw spoolFailure("the replay did not finish within \(timeout) s (\(metrics.spoolReplayedPackets.load(ordering: .relaxed)) packets replayed; the rest stays spooled): is the database taking writes? Run the command again")
                }
                let quarantined = metrics.spoolQuarantined.load(ordering: .relaxed)
                let skipped = metrics.spoolSkippedRecords.load(ordering: .relaxed)
                // The packets are in the log; their sessions and usage follow from the merge,
                // here unless a running collector leads it.
                let merger = Merger(configuration: MergerConfiguration(), metrics: metrics, logger: logger, connect: connect)
                let mergedHere = try merger.mergeUntilCaughtUp(try connect(), deadline: deadline)
                print("replayed \(metrics.spoolReplayedPackets.load(ordering: .relaxed)) packets into \(target)"
                      + (quarantined > 0 ? "; \(quarantined) record(s) or packet(s) quarantined in \(directory)/quarantine" : "")
                      + (skipped > 0 ? "; \(skipped) record(s) not replayed: the database's replay position for their spool id was past them (see the log)" : "")
                      + (mergedHere ? "" : "; their sessions and usage follow as the running collector that leads the merge applies them"))
            }
        }
    }

    struct SetAside: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-aside",
            abstract: "Move the segments written for other databases than the configured one to spool/set-aside/<UTC time>/, where nothing replays them.",
            discussion: "The collector using the folder must be stopped. `tollgate spool replay --spool-directory` the set-aside folder replays them later.")
        @OptionGroup var location: Location
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors {
                let (directory, _, current) = try location.open(database)
                let spool: Spool
                do {
                    spool = try Spool(configuration: SpoolConfiguration(directory: directory), claim: .collector(current), metrics: CollectorMetrics(),
                                      logger: quietLogger())
                } catch let error as Spool.SpoolError {
                    throw spoolFailure(error.description)
                }
                defer { spool.close() }
                let foreign = spool.foreign
                do {
                    guard let folder = try spool.setAsideForeign() else {
                        print("nothing to set aside: every segment in \(directory) is for \(current)")
                        return
                    }
                    print("set aside \(foreign.reduce(0) { $0 + $1.segments }) segment(s) written for "
                          + foreign.map { $0.database.map { "\($0)" } ?? "an unknown database" }.joined(separator: "; ") + " in \(folder)")
                } catch let error as Spool.SpoolError {
                    throw spoolFailure(error.description)
                }
            }
        }
    }
}

/// Prints `message` as an error; the exit status to throw.
private func spoolFailure(_ message: String) -> ExitCode {
    printError("error: " + message)
    return ExitCode(1)
}

/// Warnings and errors only, on standard error.
private func quietLogger() -> Logger {
    var logger = Logger(label: "tollgate-spool") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    return logger
}
