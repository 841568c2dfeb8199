import ArgumentParser
import Collector
import Foundation

/// `tollgate spool status`: reads the folder only, so it works beside a running collector.
struct SpoolStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract:
            "List the spool's segments: the database each was written for, records, packets, octets (read only; works beside a running collector).")
    @OptionGroup var location: SpoolLocation
    @OptionGroup var configurationFile: ConfigurationFileOption
    @OptionGroup var output: FormatOption

    func run() throws {
        try reportingErrors {
            let configuration = try configurationFile.load()
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
                    return [
                        .text(segment.name),
                        .text(database?.installationID.uuidString.lowercased() ?? segment.unreadable.map { "unreadable: \($0)" } ?? "unidentified"),
                        .text(database.map { String($0.systemIdentifier) }), .text(database?.databaseName),
                        .text(segment.header?.spoolID.uuidString.lowercased()), .number(Int64(segment.records)), .number(Int64(segment.packets)),
                        .number(Int64(segment.bytes)), .number(Int64(segment.damagedBytes)),
                    ]
                })
            if output.format == .table {
                let setAside = ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/set-aside")) ?? []).sorted()
                print(
                    "spool \(directory): \(SpoolSurvey.isInUse(directory) ? "in use by a running collector" : "not in use")"
                        + (setAside.isEmpty ? "" : "; set aside: \(setAside.map { "set-aside/" + $0 }.joined(separator: ", "))"))
            }
            print(listing.render(output.format))
        }
    }
}
