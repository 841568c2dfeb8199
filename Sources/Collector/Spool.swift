import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Settings of the on-disk spool.
public struct SpoolConfiguration: Sendable {
    /// The spool's folder; one collector at a time uses it (it is locked).
    public var directory: String
    /// Most octets the spool holds; when a batch does not fit, its packets are not answered
    /// (their NAS devices retransmit) until the replay has made room. Default 1 GiB.
    public var maxBytes = 1 << 30
    /// Largest segment file before a new one is started. Default 64 MiB.
    public var segmentBytes = 64 << 20

    public init(directory: String) {
        self.directory = directory
    }
}

/// An append-only, checksummed log of batches the database could not take, replayed into
/// the database in order once it answers again (see `SpoolReplayer`).
///
/// Files: `lock` (flock: one collector per spool), `id` (a UUID naming this spool's replay
/// position in the database), segments `<first record>.tgs` holding `SpoolFormat` records,
/// and `quarantine/` with every record or packet that could not be read or replayed.
/// A batch is appended with one write and fdatasync before any of its packets is answered.
/// After a restart new records go to a new segment; the reader meets whatever a crash left
/// half-written at the end of the old one, quarantines it and reports it (such a record was
/// never answered, so its NAS retransmitted it).
public final class Spool: @unchecked Sendable {
    public let configuration: SpoolConfiguration
    /// Names this spool's position in `spool_progress`.
    public private(set) var id: String
    private let logger: Logger
    private let metrics: CollectorMetrics
    private let lock = NSLock()
    private var lockFD: Int32 = -1

    private struct Segment {
        var firstSequence: Int64
        var path: String
        /// Octets written and made durable (for the segment being written) or found (others).
        var size: Int
    }

    private var segments: [Segment] = []
    /// Whether the last segment is open for appending (`writeFD`).
    private var writing = false
    private var writeFD: Int32 = -1
    private var nextSequence: Int64 = 1
    private var totalBytes = 0
    private var active = false
    private var lastFullLog: Int64 = 0

    // The reader's state: used by the replaying thread only (and under `lock` where it
    // meets the writers' state).
    private var readFD: Int32 = -1
    private var readOffset = 0

    public enum SpoolError: Error, CustomStringConvertible {
        case io(String)
        public var description: String {
            switch self {
            case .io(let message): return message
            }
        }
    }

    public init(configuration: SpoolConfiguration, metrics: CollectorMetrics, logger: Logger) throws {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        let directory = configuration.directory
        do {
            try FileManager.default.createDirectory(atPath: directory + "/quarantine", withIntermediateDirectories: true)
        } catch {
            throw SpoolError.io("cannot create the spool folder \(directory): \(error.localizedDescription)")
        }
        lockFD = open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else { throw SpoolError.io("cannot open \(directory)/lock: \(Self.errorText())") }
        guard flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            Glibc.close(lockFD)
            throw SpoolError.io("the spool \(directory) is in use by another collector; give each collector its own data_directory or spool_directory")
        }
        id = ""
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names.sorted() where name.hasSuffix(".tgs") {
            guard let first = Int64(name.dropLast(4)) else { continue }
            let path = directory + "/" + name
            let size = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
            segments.append(Segment(firstSequence: first, path: path, size: size))
            totalBytes += size
        }
        let storedID = (try? String(contentsOfFile: directory + "/id", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let storedID, UUID(uuidString: storedID) != nil, !segments.isEmpty {
            id = storedID
        } else {
            if !segments.isEmpty {
                logger.warning("spool id missing: its records will be replayed from the start", metadata: ["spool": "\(directory)"])
            }
            // An empty spool starts afresh: a new id, so record numbers start again at 1.
            id = UUID().uuidString.lowercased()
            try writeDurably(Array((id + "\n").utf8), to: directory + "/id")
        }
        if let last = segments.last {
            nextSequence = max(last.firstSequence, lastSequence(in: last) ?? 0) + 1
            active = true
            logger.warning("spool holds batches not yet in the database; replaying them once it answers", metadata: [
                "spool": "\(directory)", "bytes": "\(totalBytes)", "segments": "\(segments.count)",
            ])
        }
        // Record numbers never go back: each start numbers on from at least the wall clock in
        // microseconds, which every earlier record's number is below (one number per batch
        // cannot outrun it), so a damaged last record cannot make a number be used twice.
        nextSequence = max(nextSequence, Int64(Date().timeIntervalSince1970 * 1_000_000))
        metrics.spoolBytes.store(totalBytes, ordering: .relaxed)
    }

    deinit { close() }

    /// Closes the files and releases the folder for another collector; what is spooled stays.
    public func close() {
        lock.withLock {
            for fd in [writeFD, readFD, lockFD] where fd >= 0 { Glibc.close(fd) }
            writeFD = -1
            readFD = -1
            lockFD = -1
            writing = false
        }
    }

    /// Whether records wait for replay: while they do, new batches are appended too, so the
    /// database receives everything in order.
    public var isActive: Bool { lock.withLock { active } }

    /// Whether a batch of `octets` would not fit.
    public var isFull: Bool { lock.withLock { totalBytes >= configuration.maxBytes } }

    public enum AppendResult: Equatable, Sendable {
        case appended(sequence: Int64)
        /// The spool is at its size limit.
        case full
        case failed(String)
    }

    /// Appends one batch and makes it durable. Only after `.appended` may its packets be answered.
    public func append(_ packets: [SpooledPacket]) -> AppendResult {
        lock.lock()
        defer { lock.unlock() }
        let sequence = nextSequence
        let record = SpoolFormat.encode(sequence: sequence, packets: packets)
        guard totalBytes + record.count <= configuration.maxBytes else {
            let now = Int64(Date().timeIntervalSince1970)
            if now - lastFullLog >= 10 {
                lastFullLog = now
                logger.error("spool full: packets are left unanswered (their NAS devices retransmit) until the database takes the spooled batches",
                             metadata: ["spool": "\(configuration.directory)", "bytes": "\(totalBytes)", "max_bytes": "\(configuration.maxBytes)"])
            }
            return .full
        }
        if !writing || (segments.last!.size > 0 && segments.last!.size + record.count > configuration.segmentBytes) {
            do { try startSegment(first: sequence) } catch { return .failed("\(error)") }
        }
        let start = segments[segments.count - 1].size
        var written = 0
        let failure: String? = record.withUnsafeBytes { raw in
            while written < raw.count {
                let n = write(writeFD, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return "write: \(Self.errorText())"
                }
                written += n
            }
            return fdatasync(writeFD) == 0 ? nil : "fdatasync: \(Self.errorText())"
        }
        if let failure {
            // Nothing of the batch is answered; cut the file back so no reader sees a half.
            if ftruncate(writeFD, off_t(start)) != 0 { writing = false }
            logger.error("spool write failed", metadata: ["spool": "\(configuration.directory)", "error": "\(failure)"])
            return .failed(failure)
        }
        segments[segments.count - 1].size += record.count
        totalBytes += record.count
        nextSequence += 1
        if !active {
            active = true
            logger.warning("spooling batches to disk until the database takes them again", metadata: ["spool": "\(configuration.directory)"])
        }
        metrics.spoolBytes.store(totalBytes, ordering: .relaxed)
        return .appended(sequence: sequence)
    }

    private func startSegment(first: Int64) throws {
        if writeFD >= 0 { Glibc.close(writeFD) }
        writing = false
        var digits = String(first)
        while digits.count < 20 { digits = "0" + digits }
        let path = configuration.directory + "/" + digits + ".tgs"
        writeFD = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o600)
        guard writeFD >= 0 else { throw SpoolError.io("cannot create \(path): \(Self.errorText())") }
        try syncDirectory()
        segments.append(Segment(firstSequence: first, path: path, size: 0))
        writing = true
    }

    // MARK: Reading (the replaying thread)

    public enum ReadResult: Sendable {
        case record(sequence: Int64, packets: [SpooledPacket])
        /// Octets that could not be read as a record were moved to the quarantine folder.
        case quarantined(path: String, reason: String)
        /// Every durable record has been read.
        case caughtUp
        /// Reading cannot go on now (a file cannot be opened, the quarantine cannot be
        /// written); nothing was skipped. Try again later.
        case retryLater(String)
    }

    /// The next record in order. A segment read to its end is deleted, as every record in
    /// it has been replayed by then (the caller commits each record before asking again).
    public func next() -> ReadResult {
        while true {
            lock.lock()
            guard let segment = segments.first else {
                lock.unlock()
                return .caughtUp
            }
            let isBeingWritten = writing && segments.count == 1
            lock.unlock()
            if readOffset >= segment.size {
                if isBeingWritten { return .caughtUp }
                removeFirstSegment()
                continue
            }
            if readFD < 0 {
                readFD = open(segment.path, O_RDONLY | O_CLOEXEC)
                if readFD < 0 {
                    return .retryLater("cannot open \(segment.path): \(Self.errorText())")
                }
            }
            let available = segment.size - readOffset
            var header = [UInt8](repeating: 0, count: min(SpoolFormat.headerLength, available))
            _ = readFully(&header, at: readOffset)
            var decoded = header.withUnsafeBytes { SpoolFormat.decode($0) }
            if case .incomplete = decoded, available >= SpoolFormat.headerLength {
                let length = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
                let total = SpoolFormat.headerLength + length
                if total <= available {
                    var bytes = [UInt8](repeating: 0, count: total)
                    _ = readFully(&bytes, at: readOffset)
                    decoded = bytes.withUnsafeBytes { SpoolFormat.decode($0) }
                }
            }
            switch decoded {
            case .record(let sequence, let packets, let length):
                readOffset += length
                return .record(sequence: sequence, packets: packets)
            case .corrupt(let reason, let length):
                guard let path = quarantineRange(segment, from: readOffset, length: length, reason: reason) else {
                    return .retryLater("cannot write to the quarantine folder")
                }
                readOffset += length
                return .quarantined(path: path, reason: reason)
            case .incomplete:
                let reason = "incomplete record at the end of \(segment.path) (a write cut short; its packets were never answered)"
                guard let path = quarantineRange(segment, from: readOffset, length: available, reason: reason) else {
                    return .retryLater("cannot write to the quarantine folder")
                }
                readOffset = segment.size
                return .quarantined(path: path, reason: reason)
            case .unframed(let why):
                let reason = "\(why) at offset \(readOffset) of \(segment.path); the rest of the segment cannot be framed"
                guard let path = quarantineRange(segment, from: readOffset, length: available, reason: reason) else {
                    return .retryLater("cannot write to the quarantine folder")
                }
                readOffset = segment.size
                return .quarantined(path: path, reason: reason)
            }
        }
    }

    /// Stops spooling once the reader has read everything: later batches go straight to the
    /// database again. False when records were appended meanwhile.
    public func finishIfCaughtUp() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if segments.count > 1 { return false }
        if let only = segments.first {
            guard readOffset >= only.size else { return false }
            if writeFD >= 0 { Glibc.close(writeFD) }
            writeFD = -1
            writing = false
            if readFD >= 0 { Glibc.close(readFD) }
            readFD = -1
            readOffset = 0
            unlink(only.path)
            try? syncDirectory()
            segments.removeAll()
            totalBytes = 0
        }
        if active { logger.notice("spool replayed; writing to the database directly again", metadata: ["spool": "\(configuration.directory)"]) }
        active = false
        metrics.spoolBytes.store(0, ordering: .relaxed)
        return true
    }

    /// Keeps `bytes` (a packet the database refused, or that no longer decodes) in the
    /// quarantine folder; returns the file's path, or nil when it could not be written (the
    /// caller must then not go past the data).
    public func quarantine(_ bytes: [UInt8], name: String, reason: String) -> String? {
        let path = configuration.directory + "/quarantine/" + name
        do { try writeDurably(bytes, to: path) } catch {
            logger.error("cannot write to the spool quarantine; will try again", metadata: ["path": "\(path)", "error": "\(error)"])
            return nil
        }
        metrics.spoolQuarantined.add(1, ordering: .relaxed)
        logger.error("spool data quarantined, not replayed: inspect it, nothing else refers to it", metadata: [
            "path": "\(path)", "reason": "\(reason)",
        ])
        return path
    }

    private func quarantineRange(_ segment: Segment, from offset: Int, length: Int, reason: String) -> String? {
        var bytes = [UInt8](repeating: 0, count: length)
        let read = readFully(&bytes, at: offset)
        let name = (segment.path as NSString).lastPathComponent + "@" + String(offset) + ".bad"
        return quarantine(Array(bytes.prefix(read)), name: name, reason: reason)
    }

    private func removeFirstSegment() {
        if readFD >= 0 { Glibc.close(readFD) }
        readFD = -1
        readOffset = 0
        lock.lock()
        let segment = segments.removeFirst()
        totalBytes -= segment.size
        metrics.spoolBytes.store(totalBytes, ordering: .relaxed)
        lock.unlock()
        unlink(segment.path)
        try? syncDirectory()
    }

    private func readFully(_ buffer: inout [UInt8], at offset: Int) -> Int {
        var done = 0
        buffer.withUnsafeMutableBytes { raw in
            while done < raw.count {
                let n = pread(readFD, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
        }
        return done
    }

    /// The highest record number readable in `segment`, walking its headers.
    private func lastSequence(in segment: Segment) -> Int64? {
        let fd = open(segment.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var offset = 0
        var last: Int64?
        var header = [UInt8](repeating: 0, count: SpoolFormat.headerLength)
        while offset + SpoolFormat.headerLength <= segment.size {
            let n = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, SpoolFormat.headerLength, off_t(offset)) }
            guard n == SpoolFormat.headerLength, Array(header[0..<4]) == SpoolFormat.magic else { break }
            let length = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
            last = header[8..<16].reduce(Int64(0)) { $0 << 8 | Int64($1) }
            offset += SpoolFormat.headerLength + length
        }
        return last
    }

    private func writeDurably(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SpoolError.io("cannot create \(temporary): \(Self.errorText())") }
        let ok = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) == $0.count } && fsync(fd) == 0
        Glibc.close(fd)
        guard ok, rename(temporary, path) == 0 else { throw SpoolError.io("cannot write \(path): \(Self.errorText())") }
        try syncDirectory((path as NSString).deletingLastPathComponent)
    }

    /// Makes file creations and removals in `folder` (default: the spool's) durable.
    private func syncDirectory(_ folder: String? = nil) throws {
        let folder = folder ?? configuration.directory
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SpoolError.io("cannot open \(folder): \(Self.errorText())") }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw SpoolError.io("fsync \(folder): \(Self.errorText())") }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
