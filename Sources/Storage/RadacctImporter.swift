import Foundation
import RadacctImport

/// Reads a radacct source and imports it batch by batch: one thread reads and stages the
/// next batch while the current one is written.
///
/// When no collector leads the merge, the import takes the merge leadership for its duration
/// (collectors go on answering and logging; their merge waits) and writes each batch in
/// parts by subscriber on `writers` connections at once. While a collector leads, one
/// connection writes, each part holding the merge leadership row against merge transactions.
public struct RadacctImporter {
    public let store: RadacctImportStore
    public let options: RadacctImportOptions
    /// Opens another connection to the same database, for parallel writers.
    public let connect: (() throws -> PostgresConnection)?

    public init(store: RadacctImportStore, options: RadacctImportOptions, connect: (() throws -> PostgresConnection)? = nil) {
        self.store = store
        self.options = options
        self.connect = connect
    }

    /// Imports from the reader `open` returns for the run's position; `progress` hears of
    /// each recorded batch.
    public func run(
        source: String, fingerprint: String, positionKind: RadacctSourcePosition,
        open: @escaping @Sendable (Int64) throws -> any RadacctTableReader,
        progress: (RadacctImportCounts) -> Void = { _ in }
    ) throws -> RadacctImportResult {
        let started = Date()
        let tenantID = options.tenantID
        let devices = try store.nasDevices(tenantID: tenantID)
        let nasMap = try RadacctNASMap(devices: devices, entries: options.nasMap)
        var run = try store.open(
            tenantID: tenantID, source: source, fingerprint: fingerprint,
            resume: options.resume, dryRun: options.dryRun)
        let leading = try MergeLeadership.tryAcquire(store.connection)
        defer { if leading { try? MergeLeadership.release(store.connection) } }
        // A new epoch waits out any merge transaction of the last leader still in flight and
        // fails its fence from then on.
        if leading { _ = try MergeLeadership.beginEpoch(store.connection) }
        var writers = [store]
        if leading, let connect {
            for _ in 1..<max(1, options.writers) { writers.append(RadacctImportStore(connection: try connect())) }
        }
        for writer in writers { try writer.prepare() }
        let producer = BatchProducer(
            options: options, nasMap: nasMap, positionKind: positionKind, start: run.position,
            parts: writers.count, open: open)
        producer.start()
        defer { producer.cancel() }
        var rowsThisTime: Int64 = 0
        while let prepared = try producer.next() {
            rowsThisTime += prepared.counts.rowsRead
            var counts = run.counts
            counts.merge(prepared.counts)
            let outcomes = try Self.write(
                prepared.parts, on: writers, tenantID: tenantID, runID: run.id, dryRun: options.dryRun,
                holdMergeFence: !leading)
            for outcome in outcomes { counts.add(verdicts: outcome.verdicts, importedQuirks: outcome.importedQuirks) }
            run.counts = counts
            run.position = prepared.position
            if !options.dryRun { try store.record(tenantID: tenantID, run: run) }
            progress(run.counts)
        }
        if !options.dryRun { try store.finish(tenantID: tenantID, run: run, fingerprint: fingerprint) }
        let totals = options.dryRun ? [] : try store.totals(tenantID: tenantID, runID: run.id)
        return RadacctImportResult(
            run: run, layout: producer.layout, totals: totals, rowsThisTime: rowsThisTime,
            seconds: Date().timeIntervalSince(started), writers: writers.count)
    }

    /// Writes each non-empty part on its own connection, at once; throws the first failure
    /// once all are done.
    private static func write(
        _ parts: [RadacctImportBatch], on writers: [RadacctImportStore], tenantID: Int64, runID: Int64,
        dryRun: Bool, holdMergeFence: Bool
    ) throws -> [RadacctImportStore.PartOutcome] {
        let busy = parts.indices.filter { parts[$0].count > 0 }
        if busy.count <= 1 {
            return try busy.map {
                try writers[$0].write(part: parts[$0], tenantID: tenantID, runID: runID, dryRun: dryRun, holdMergeFence: holdMergeFence)
            }
        }
        let results = Results(count: parts.count)
        // Each connection is used by one thread: part i is written on writer i.
        let connections = Connections(writers)
        DispatchQueue.concurrentPerform(iterations: busy.count) { index in
            let part = busy[index]
            results.set(
                part,
                Result {
                    try connections.writers[part].write(
                        part: parts[part], tenantID: tenantID, runID: runID,
                        dryRun: dryRun, holdMergeFence: holdMergeFence)
                })
        }
        return try results.all(busy)
    }

    /// The writers, handed to the threads that write the parts (one connection each).
    private final class Connections: @unchecked Sendable {
        let writers: [RadacctImportStore]
        init(_ writers: [RadacctImportStore]) { self.writers = writers }
    }

    /// The parts' outcomes, set from the writing threads.
    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Result<RadacctImportStore.PartOutcome, Error>?]

        init(count: Int) { values = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ value: Result<RadacctImportStore.PartOutcome, Error>) {
            lock.lock()
            values[index] = value
            lock.unlock()
        }

        func all(_ indices: [Int]) throws -> [RadacctImportStore.PartOutcome] {
            lock.lock()
            defer { lock.unlock() }
            return try indices.map { try values[$0]!.get() }
        }
    }
}

/// Reads rows, turns them into records, maps their NAS and stages batches in parts by
/// subscriber, on a thread of its own, at most two batches ahead of the writers.
private final class BatchProducer: @unchecked Sendable {
    struct Prepared {
        var parts: [RadacctImportBatch]
        /// Rows read for this batch and those skipped before the database.
        var counts: RadacctImportCounts
        /// The source position once this batch is written.
        var position: Int64
    }

    private let options: RadacctImportOptions
    private var nasMap: RadacctNASMap
    private let positionKind: RadacctSourcePosition
    private let startPosition: Int64
    private let partCount: Int
    private let open: @Sendable (Int64) throws -> any RadacctTableReader
    private let condition = NSCondition()
    private var queue: [Prepared] = []
    private var done = false
    private var failure: Error?
    private var cancelled = false
    private(set) var layout: RadacctLayout.Generation?
    private static let depth = 2

    init(
        options: RadacctImportOptions, nasMap: RadacctNASMap, positionKind: RadacctSourcePosition, start: Int64, parts: Int,
        open: @escaping @Sendable (Int64) throws -> any RadacctTableReader
    ) {
        self.options = options
        self.nasMap = nasMap
        self.positionKind = positionKind
        self.startPosition = start
        self.partCount = max(1, parts)
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

    /// Hands a batch to the writers; false once they gave up.
    private func hand(_ prepared: Prepared) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= Self.depth && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        queue.append(prepared)
        condition.broadcast()
        return true
    }

    /// The part a subscriber's rows go to: FNV-1a of the User-Name, the same in every run.
    private func part(of userName: String) -> Int {
        guard partCount > 1 else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in userName.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(hash % UInt64(partCount))
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
        var parts = Array(repeating: RadacctImportBatch(), count: partCount)
        var staged = 0
        var keys: Set<String> = []
        var counts = RadacctImportCounts()
        let tenantID = options.tenantID
        while let row = try reader.next() {
            if records == nil {
                let found = try RadacctLayout(columns: reader.columns)
                layout = found.generation
                records = RadacctRecordReader(layout: found, times: RadacctTimeReader(timeZone: options.timeZone))
            }
            counts.rowsRead += 1
            let rowPosition: Int64
            switch positionKind {
            case .rows:
                position += 1
                rowPosition = position
            case .radacctID:
                rowPosition = records!.layout.value(.radacctID, in: row).flatMap { Int64($0) } ?? position
                position = max(position, rowPosition)
            }
            switch records!.read(row) {
            case .failure(let refusal):
                let at = positionKind == .rows ? "row \(rowPosition)" : "radacctid \(rowPosition)"
                counts.skip(refusal.reason, message: refusal.reason == .unreadable ? "\(at): \(refusal.message)" : nil)
            case .success(let record):
                if let since = options.since, record.start < since {
                    counts.skip(.outsidePeriod)
                } else if let until = options.until, record.start >= until {
                    counts.skip(.outsidePeriod)
                } else if let nasID = nasMap.nasID(address: record.nasAddress, identifier: record.nasIdentifier) {
                    // A key once per batch, so that a batch's parts never claim the same key.
                    if keys.insert(record.key).inserted {
                        parts[part(of: record.userName)].append(record, nasID: nasID, tenantID: tenantID, position: rowPosition)
                        staged += 1
                    } else {
                        counts.skip(.duplicateUniqueID)
                    }
                } else {
                    let nas = record.nasIdentifier.map { "\(record.nasAddress) (\($0))" } ?? record.nasAddress
                    counts.skip(.unknownNAS, nas: nas.isEmpty ? "(empty)" : nas)
                }
            }
            if staged >= options.batchSize || counts.rowsRead >= Int64(options.batchSize) * 4 {
                guard hand(Prepared(parts: parts, counts: counts, position: position)) else { return }
                parts = Array(repeating: RadacctImportBatch(), count: partCount)
                staged = 0
                keys.removeAll(keepingCapacity: true)
                counts = RadacctImportCounts()
            }
        }
        if records == nil { layout = (try? RadacctLayout(columns: reader.columns))?.generation }
        if counts.rowsRead > 0 {
            _ = hand(Prepared(parts: parts, counts: counts, position: position))
        }
    }
}
