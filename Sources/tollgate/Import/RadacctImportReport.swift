import Foundation
import RadacctImport
import Storage

/// The integrity report of an import: what was read, imported and skipped, and per
/// subscriber the imported usage next to the source's octets.
struct RadacctImportReport {
    var source: String
    var result: RadacctImportResult
    var dryRun: Bool

    var counts: RadacctImportCounts { result.run.counts }
    var mismatches: Int { result.totals.filter { !$0.isEqual }.count }

    func table(allSubscribers: Bool) -> String {
        var lines: [String] = []
        let rate = result.seconds > 0 ? Int(Double(result.rowsThisTime) / result.seconds) : 0
        lines.append("Source:    \(source)" + (result.layout.map { " (\($0.rawValue))" } ?? ""))
        lines.append("Run:       \(result.run.id)" + (result.run.resumed ? " (resumed)" : "") + (dryRun ? " (dry run: nothing written)" : ""))
        lines.append(
            "Rows read: \(counts.rowsRead) (\(result.rowsThisTime) now, \(String(format: "%.1f", result.seconds)) s, \(rate) rows/s, "
                + "\(result.writers) writer\(result.writers == 1 ? "" : "s"))")
        lines.append("Imported:  \(counts.imported)")
        lines.append("Skipped:   \(counts.skippedTotal)")
        for (reason, count) in counts.skipped.sorted(by: { $0.key < $1.key }) { lines.append("  \(reason): \(count)") }
        for (nas, count) in counts.unknownNAS.sorted(by: { $0.key < $1.key }) { lines.append("  unknown NAS \(nas): \(count) rows") }
        for message in counts.unreadable { lines.append("  unreadable \(message)") }
        if !counts.quirks.isEmpty {
            lines.append("Imported with quirks:")
            for (kind, count) in counts.quirks.sorted(by: { $0.key < $1.key }) { lines.append("  \(kind): \(count)") }
        }
        if !dryRun {
            let totals = result.totals
            let sum = { (path: KeyPath<RadacctSubscriberTotals, Int64>) in totals.reduce(Int64(0)) { $0 + $1[keyPath: path] } }
            lines.append(
                "Subscribers: \(totals.count), \(mismatches == 0 ? "every imported total equals the source's octets" : "\(mismatches) DIFFER from the source")"
            )
            lines.append(
                "  source upload \(sum(\.sourceUpload)), download \(sum(\.sourceDownload)); imported upload \(sum(\.importedUpload)), download \(sum(\.importedDownload))"
            )
            let shown = allSubscribers ? totals : totals.filter { !$0.isEqual }
            if !shown.isEmpty {
                let listing = Listing(
                    columns: ["subscriber", "sessions", "source_upload", "imported_upload", "source_download", "imported_download", "equal"],
                    rows: shown.map { t in
                        [
                            .text(t.subscriber), .number(t.sessions), .number(t.sourceUpload), .number(t.importedUpload),
                            .number(t.sourceDownload), .number(t.importedDownload), .text(t.isEqual ? "yes" : "NO"),
                        ]
                    })
                lines.append(listing.render(.table))
            }
        }
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        struct Body: Encodable {
            var source: String
            var layout: String?
            var run: Int64
            var resumed: Bool
            var dryRun: Bool
            var rowsRead: Int64
            var imported: Int64
            var skipped: [String: Int64]
            var unknownNAS: [String: Int64]
            var unreadable: [String]
            var quirks: [String: Int64]
            var seconds: Double
            var rowsPerSecond: Int
            var writers: Int
            var mismatches: Int
            var subscribers: [RadacctSubscriberTotals]
            enum CodingKeys: String, CodingKey {
                case source, layout, run, resumed
                case dryRun = "dry_run"
                case rowsRead = "rows_read"
                case imported, skipped
                case
                    unknownNAS = "unknown_nas"
                case unreadable, quirks, seconds
                case rowsPerSecond = "rows_per_second"
                case writers, mismatches, subscribers
            }
        }
        let body = Body(
            source: source, layout: result.layout?.rawValue, run: result.run.id, resumed: result.run.resumed, dryRun: dryRun,
            rowsRead: counts.rowsRead, imported: counts.imported, skipped: counts.skipped, unknownNAS: counts.unknownNAS,
            unreadable: counts.unreadable, quirks: counts.quirks, seconds: (result.seconds * 1000).rounded() / 1000,
            rowsPerSecond: result.seconds > 0 ? Int(Double(result.rowsThisTime) / result.seconds) : 0, writers: result.writers,
            mismatches: mismatches, subscribers: result.totals)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(body)) ?? Data(), as: UTF8.self)
    }
}
