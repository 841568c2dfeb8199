import ArgumentParser
import Collector
import Foundation
import Storage

/// `tollgate spool replay`: spooled packets into the database they were written for.
struct SpoolReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay the segments written for the given database into it (the collector using the folder must be stopped).",
        discussion: """
            Replays only segments whose recorded identity (installation id, cluster system identifier, database \
            name) is the target database's; refuses when there are none. --allow-copy also replays segments of a \
            database the target is a copy of (same installation id, another cluster or name: a dump restored \
            elsewhere, pg_upgrade). Segments from before identities were recorded are left to the collector.
            """)
    @OptionGroup var location: SpoolLocation
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
                spool = try Spool(
                    configuration: SpoolConfiguration(directory: directory), claim: .replay(into: target, allowCopies: allowCopy),
                    metrics: metrics, logger: logger)
            } catch let error as Spool.SpoolError {
                throw spoolFailure(error.description)
            }
            defer { spool.close() }
            guard spool.isActive else {
                var message = "no segment in \(directory) was written for \(target); nothing replayed"
                for other in spool.foreign {
                    message +=
                        "\n  \(other.segments) segment(s), \(other.bytes) octets written for "
                        + (other.database.map {
                            "\($0)" + ($0.isSameInstallation(as: target) ? " (a copy of the target's installation: --allow-copy replays them)" : "")
                        }
                            ?? "an unknown database (from before identities were recorded; a collector replays them into its database)")
                }
                throw spoolFailure(message)
            }
            let connect = IngestPipeline.writerConnect(
                { try PostgresConnection(url: url, connectTimeoutSeconds: 10) }, expecting: target,
                timeoutMilliseconds: 60_000)
            let replayer = SpoolReplayer(spool: spool, metrics: metrics, logger: logger, connect: connect)
            replayer.start()
            let deadline = Date(timeIntervalSinceNow: Double(timeout))
            while spool.isActive && Date() < deadline { usleep(50_000) }
            replayer.stop()
            guard !spool.isActive else {
                throw spoolFailure(
                    "the replay did not finish within \(timeout) s (\(metrics.spoolReplayedPackets.load(ordering: .relaxed)) packets replayed; the rest stays spooled): is the database taking writes? Run the command again"
                )
            }
            let quarantined = metrics.spoolQuarantined.load(ordering: .relaxed)
            let skipped = metrics.spoolSkippedRecords.load(ordering: .relaxed)
            // The packets are in the log; their sessions and usage follow from the merge,
            // here unless a running collector leads it.
            let merger = Merger(configuration: MergerConfiguration(), metrics: metrics, logger: logger, connect: connect)
            let mergedHere = try merger.mergeUntilCaughtUp(try connect(), deadline: deadline)
            print(
                "replayed \(metrics.spoolReplayedPackets.load(ordering: .relaxed)) packets into \(target)"
                    + (quarantined > 0 ? "; \(quarantined) record(s) or packet(s) quarantined in \(directory)/quarantine" : "")
                    + (skipped > 0
                        ? "; \(skipped) record(s) not replayed: the database's replay position for their spool id was past them (see the log)" : "")
                    + (mergedHere ? "" : "; their sessions and usage follow as the running collector that leads the merge applies them"))
        }
    }
}
