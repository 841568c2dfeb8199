import Foundation
import RadacctImport

/// How far a source was read: rows of a file, or the highest radacctid of a database table
/// read in radacctid order.
public enum RadacctSourcePosition: Sendable {
    case rows
    case radacctID
}

/// What `tollgate import radacct` was asked to do.
public struct RadacctImportOptions: Sendable {
    public var tenantID: Int64
    /// The zone of times written without an offset (MySQL datetime, PostgreSQL timestamp).
    public var timeZone: TimeZone
    /// Only rows that started at or after `since` and before `until` (seconds since 1970).
    public var since: Int64?
    public var until: Int64?
    public var nasMap: [RadacctNASMapEntry]
    /// Every batch is checked against the database and rolled back.
    public var dryRun: Bool
    /// Rows per transaction.
    public var batchSize: Int
    /// Take up an unfinished run of the same source and options.
    public var resume: Bool

    public init(tenantID: Int64, timeZone: TimeZone, since: Int64? = nil, until: Int64? = nil, nasMap: [RadacctNASMapEntry] = [],
                dryRun: Bool = false, batchSize: Int = 10_000, resume: Bool = true) {
        self.tenantID = tenantID
        self.timeZone = timeZone
        self.since = since
        self.until = until
        self.nasMap = nasMap
        self.dryRun = dryRun
        self.batchSize = batchSize
        self.resume = resume
    }
}

/// What a run did: its counts (over every resumption), the source's layout and the totals
/// per subscriber that make the integrity report.
public struct RadacctImportResult: Sendable {
    public var run: RadacctImportStore.Run
    public var layout: RadacctLayout.Generation?
    public var totals: [RadacctSubscriberTotals]
    /// Rows read and seconds spent by this invocation (not the resumed part).
    public var rowsThisTime: Int64
    public var seconds: Double
}

/// Reads a radacct source and imports it batch by batch: one thread reads and stages the
/// next batch while the calling thread writes the current one.
public struct RadacctImporter {
    public let store: RadacctImportStore
    public let options: RadacctImportOptions

    public init(store: RadacctImportStore, options: RadacctImportOptions) {
        self.store = store
        self.options = options
    }

    /// Imports from the reader `open` returns for the run's position; `progress` hears of
    /// each committed batch.
    public func run(source: String, fingerprint: String, positionKind: RadacctSourcePosition,
                    open: @escaping @Sendable (Int64) throws -> any RadacctTableReader,
                    progress: (RadacctImportCounts) -> Void = { _ in }) throws -> RadacctImportResult {
        let started = Date()
        let devices = try store.nasDevices(tenantID: options.tenantID)
        let nasMap = try RadacctNASMap(devices: devices, entries: options.nasMap)
        try store.prepare()
        var run = try store.open(tenantID: options.tenantID, source: source, fingerprint: fingerprint,
                                 resume: options.resume, dryRun: options.dryRun)
        let producer = BatchProducer(options: options, nasMap: nasMap, positionKind: positionKind, start: run.position, open: open)
        producer.start()
        defer { producer.cancel() }
        var rowsThisTime: Int64 = 0
        while let prepared = try producer.next() {
            rowsThisTime += prepared.counts.rowsRead
            run.counts.merge(prepared.counts)
            if prepared.batch.count > 0 {
                _ = try store.write(prepared.batch, tenantID: options.tenantID, run: &run, dryRun: options.dryRun)
            } else {
                run.position = prepared.batch.position
                if !options.dryRun { try store.checkpoint(tenantID: options.tenantID, run: run) }
            }
            progress(run.counts)
        }
        if !options.dryRun { try store.finish(tenantID: options.tenantID, run: run) }
        let totals = options.dryRun ? [] : try store.totals(tenantID: options.tenantID, runID: run.id)
        return RadacctImportResult(run: run, layout: producer.layout, totals: totals, rowsThisTime: rowsThisTime,
                                   seconds: Date().timeIntervalSince(started))
    }
}

/// Reads rows, turns them into records, maps their NAS and stages batches, on a thread of its
/// own, at most two batches ahead of the writer.
private final class BatchProducer: @unchecked Sendable {
    struct Prepared {
        var batch: RadacctImportBatch
        /// Rows read for this batch and those skipped before the database.
        var counts: RadacctImportCounts
    }

    private let options: RadacctImportOptions
    private var nasMap: RadacctNASMap
    private let positionKind: RadacctSourcePosition
    private let startPosition: Int64
    private let open: @Sendable (Int64) throws -> any RadacctTableReader
    private let condition = NSCondition()
    private var queue: [Prepared] = []
    private var done = false
    private var failure: Error?
    private var cancelled = false
    private(set) var layout: RadacctLayout.Generation?
    private static let depth = 2

    init(options: RadacctImportOptions, nasMap: RadacctNASMap, positionKind: RadacctSourcePosition, start: Int64,
         open: @escaping @Sendable (Int64) throws -> any RadacctTableReader) {
        self.options = options
        self.nasMap = nasMap
        self.positionKind = positionKind
        self.startPosition = start
        self.open = open
    }

    func start() {
        let thread = Thread { [self] in
            do {
                try produce()
                finish(nil)
            } catch {
                finish(error)
            }
        }
        thread.name = "tg-import-read"
        thread.start()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, nil at the end; rethrows what stopped the reading.
    func next() throws -> Prepared? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !done { condition.wait() }
        if !queue.isEmpty {
            let first = queue.removeFirst()
            condition.broadcast()
            return first
        }
        if let failure { throw failure }
        return nil
    }

    private func finish(_ error: Error?) {
        condition.lock()
        failure = error
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// Hands a batch to the writer; false once the writer gave up.
    private func hand(_ prepared: Prepared) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= Self.depth && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        queue.append(prepared)
        condition.broadcast()
        return true
    }

    private func produce() throws {
        var reader = try open(startPosition)
        var position = startPosition
        // A file resumes by reading past the rows already done.
        if positionKind == .rows {
            var skipped: Int64 = 0
            while skipped < startPosition, try reader.next() != nil { skipped += 1 }
        }
        var records: RadacctRecordReader?
        var batch = RadacctImportBatch()
        var counts = RadacctImportCounts()
        let tenantID = options.tenantID
        while let row = try reader.next() {
            if records == nil {
                let found = try RadacctLayout(columns: reader.columns)
                layout = found.generation
                records = RadacctRecordReader(layout: found, times: RadacctTimeReader(timeZone: options.timeZone))
            }
            counts.rowsRead += 1
            switch positionKind {
            case .rows: position += 1
            case .radacctID: position = max(position, records!.layout.value(.radacctID, in: row).flatMap { Int64($0) } ?? position)
            }
            switch records!.read(row) {
            case .failure(let refusal):
                let at = positionKind == .rows ? "row \(position)" : "radacctid \(position)"
                counts.skip(refusal.reason, message: refusal.reason == .unreadable ? "\(at): \(refusal.message)" : nil)
            case .success(let record):
                if let since = options.since, record.start < since {
                    counts.skip(.outsidePeriod)
                } else if let until = options.until, record.start >= until {
                    counts.skip(.outsidePeriod)
                } else if let nasID = nasMap.nasID(address: record.nasAddress, identifier: record.nasIdentifier) {
                    batch.append(record, nasID: nasID, tenantID: tenantID)
                } else {
                    let nas = record.nasIdentifier.map { "\(record.nasAddress) (\($0))" } ?? record.nasAddress
                    counts.skip(.unknownNAS, nas: nas.isEmpty ? "(empty)" : nas)
                }
            }
            if batch.count >= options.batchSize || counts.rowsRead >= Int64(options.batchSize) * 4 {
                batch.position = position
                guard hand(Prepared(batch: batch, counts: counts)) else { return }
                batch = RadacctImportBatch()
                counts = RadacctImportCounts()
            }
        }
        if records == nil { layout = (try? RadacctLayout(columns: reader.columns))?.generation }
        if counts.rowsRead > 0 || batch.count > 0 {
            batch.position = position
            _ = hand(Prepared(batch: batch, counts: counts))
        }
    }
}
