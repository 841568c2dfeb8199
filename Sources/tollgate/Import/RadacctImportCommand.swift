import ArgumentParser
import Foundation
import RadacctImport
import Storage

/// `tollgate import radacct`: FreeRADIUS's rlm_sql accounting table as sessions and usage.
struct RadacctImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "radacct",
        abstract: "Import a FreeRADIUS radacct table (1.x-3.2 layouts) as sessions and hourly usage.",
        discussion: """
            Reads --from a PostgreSQL database (the radacct table, in radacctid order) or --file a MySQL dump \
            (INSERT INTO radacct statements, as mysqldump writes them) or a CSV export with a header row. \
            Each row becomes a closed (or open) session whose octets are spread uniformly over the hours between \
            its start and stop (or last update): radacct keeps no interim history. Rows are keyed by AcctUniqueId \
            (radacctid where it is empty): importing them again adds nothing, and sessions the collector received \
            live are not counted twice. An interrupted import resumes after its last committed batch when run \
            again with the same source and options. Times without a zone (MySQL datetime, PostgreSQL timestamp) \
            are read in --source-time-zone, by default the tenant's. Prints the integrity report: rows read, \
            imported, skipped by reason, and per subscriber the imported usage next to the source's octets. \
            Exit status 1 when any subscriber's imported usage differs from the source's octets.
            """)

    @OptionGroup var tenant: TenantOption
    @Option(name: .customLong("from"), help: "libpq URL of the FreeRADIUS database to read (postgresql://user@host/radius).")
    var sourceURL: String?
    @Option(help: "A MySQL dump (.sql) or CSV export (.csv) of the table.") var file: String?
    @Option(help: "How to read --file: sql or csv (default: by its extension).") var fileType: FileType?
    @Option(help: "The table's name.") var table: String = "radacct"
    @Option(help: "Only sessions that started on or after this date (YYYY-MM-DD, the tenant's time zone).") var since: String?
    @Option(help: "Only sessions that started before this date (YYYY-MM-DD, the tenant's time zone).") var until: String?
    @Option(help: "File of `NASIPAddress-or-NAS-Identifier = NAS name` lines for NAS that the registered addresses do not match.")
    var nasMap: String?
    @Option(help: "IANA zone of times written without one (default: the tenant's time zone).") var sourceTimeZone: String?
    @Option(help: "Rows per batch.") var batchSize: Int = 10_000
    @Option(help: "Connections writing each batch at once, by subscriber (while no collector leads the merge).") var writers: Int = 2
    @Flag(help: "Check every row against the database and roll back: what an import would do.") var dryRun = false
    @Flag(help: "Start a new run instead of resuming an unfinished one of the same source.") var restart = false
    @Flag(help: "List every subscriber in the table report (JSON always lists them).") var allSubscribers = false
    // Not `FormatOption`: the report is a table or JSON, never CSV.
    @Option(help: "Report format: table or json.") var format: ReportFormat = .table
    @OptionGroup var database: DatabaseOptions

    enum FileType: String, ExpressibleByArgument, CaseIterable { case sql, csv }
    enum ReportFormat: String, ExpressibleByArgument, CaseIterable { case table, json }

    func validate() throws {
        guard (sourceURL == nil) != (file == nil) else { throw ValidationError("give either --from URL or --file PATH") }
        guard batchSize >= 1 && batchSize <= 100_000 else { throw ValidationError("--batch-size must be 1-100000") }
        guard writers >= 1 && writers <= 16 else { throw ValidationError("--writers must be 1-16") }
    }

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let zoneName = sourceTimeZone ?? tenant.timeZone
            guard let zone = TimeZone(identifier: zoneName) else {
                throw StoreError(.invalid, "unknown time zone \(zoneName) (give an IANA name such as Europe/Vienna)")
            }
            let tenantZone = TimeZone(identifier: tenant.timeZone) ?? zone
            var entries: [RadacctNASMapEntry] = []
            if let nasMap {
                guard let data = FileManager.default.contents(atPath: nasMap) else { throw StoreError(.invalid, "cannot read the NAS map \(nasMap)") }
                do { entries = try RadacctNASMapEntry.parse(String(decoding: data, as: UTF8.self)) } catch { throw StoreError(.invalid, "\(error)") }
            }
            let options = RadacctImportOptions(
                tenantID: tenant.id, timeZone: zone, since: try since.map { try Self.startOfDay($0, tenantZone, "--since") },
                until: try until.map { try Self.startOfDay($0, tenantZone, "--until") }, nasMap: entries,
                dryRun: dryRun, batchSize: batchSize, resume: !restart, writers: writers)
            let selection = "table=\(table) since=\(since ?? "") until=\(until ?? "") zone=\(zoneName)"
            let source: String
            let fingerprint: String
            let kind: RadacctSourcePosition
            let open: @Sendable (Int64) throws -> any RadacctTableReader
            if let url = sourceURL {
                source = PostgresRadacctReader.displayed(url) + " (table \(table))"
                fingerprint = "postgresql " + PostgresRadacctReader.displayed(url) + " " + selection
                kind = .radacctID
                let table = self.table
                let since = options.since
                let until = options.until
                open = { after in try PostgresRadacctReader(url: url, table: table, after: after, since: since, until: until, timeZone: zone) }
            } else {
                let path = URL(fileURLWithPath: file!).standardizedFileURL.path
                let attributes = try? FileManager.default.attributesOfItem(atPath: path)
                let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
                let type = fileType ?? (path.lowercased().hasSuffix(".csv") ? .csv : .sql)
                source = path
                fingerprint = "file \(path) size=\(size) type=\(type.rawValue) " + selection
                kind = .rows
                let table = self.table
                open = { _ in
                    switch type {
                    case .sql: try MySQLDumpReader(path: path, table: table)
                    case .csv: try CSVTableReader(path: path)
                    }
                }
            }
            let database = self.database
            let importer = RadacctImporter(store: RadacctImportStore(connection: connection), options: options) { try database.open().0 }
            var lastReport = Date()
            let result: RadacctImportResult
            do {
                result = try importer.run(source: source, fingerprint: fingerprint, positionKind: kind, open: open) { counts in
                    guard Date().timeIntervalSince(lastReport) >= 5 else { return }
                    lastReport = Date()
                    printError("\(counts.rowsRead) rows read, \(counts.imported) imported, \(counts.skippedTotal) skipped")
                }
            } catch let error as RadacctSourceError {
                throw StoreError(.invalid, "\(source): \(error.description)")
            } catch let error as RadacctLayoutError {
                throw StoreError(.invalid, "\(source): \(error.message)")
            } catch let error as RadacctNASMapError {
                throw StoreError(.invalid, error.description)
            }
            let report = RadacctImportReport(source: source, result: result, dryRun: dryRun)
            switch format {
            case .json: print(report.json())
            case .table: print(report.table(allSubscribers: allSubscribers))
            }
            if report.mismatches > 0 { throw ExitCode(1) }
        }
    }

    /// Local midnight of `text` (YYYY-MM-DD) in `zone`, as seconds since 1970.
    static func startOfDay(_ text: String, _ zone: TimeZone, _ option: String) throws -> Int64 {
        var times = RadacctTimeReader(timeZone: zone)
        guard text.count == 10, case .time(let seconds)? = times.read(text + " 00:00:00") else {
            throw StoreError(.invalid, "\(option) \(text.debugDescription) is not a date (YYYY-MM-DD)")
        }
        return seconds
    }
}
