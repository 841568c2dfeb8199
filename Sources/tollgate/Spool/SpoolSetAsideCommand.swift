import ArgumentParser
import Collector
import Storage

/// `tollgate spool set-aside`: other databases' segments out of the collector's way, kept for a later replay.
struct SpoolSetAsideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-aside",
        abstract: "Move the segments written for other databases than the configured one to spool/set-aside/<UTC time>/, where nothing replays them.",
        discussion:
            "The collector using the folder must be stopped. `tollgate spool replay --spool-directory` the set-aside folder replays them later.")
    @OptionGroup var location: SpoolLocation
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try reportingErrors {
            let (directory, _, current) = try location.open(database)
            let spool: Spool
            do {
                spool = try Spool(
                    configuration: SpoolConfiguration(directory: directory), claim: .collector(current), metrics: CollectorMetrics(),
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
                print(
                    "set aside \(foreign.reduce(0) { $0 + $1.segments }) segment(s) written for "
                        + foreign.map { $0.database.map { "\($0)" } ?? "an unknown database" }.joined(separator: "; ") + " in \(folder)")
            } catch let error as Spool.SpoolError {
                throw spoolFailure(error.description)
            }
        }
    }
}
