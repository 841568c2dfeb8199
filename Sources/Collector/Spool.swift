import Foundation
import Logging
import Storage

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
/// Files: `lock` (flock: one collector per spool), segments `<first record>.tgs` holding
/// `SpoolFormat` records after a header naming the database they are for and the spool id
/// their replay position is kept under, `id` (the spool id of segments from before headers
/// existed; read, never written any more), `quarantine/` with every record or packet
/// that could not be read or replayed, and `set-aside/` (never read) for segments an operator
/// put aside.
/// A spool reads only the segments its `SpoolClaim` claims: segments written for another
/// database stay untouched and are reported (`foreign`) until an operator replays them into
/// their database or sets them aside (`tollgate spool`).
/// A batch is appended with one write and fdatasync before any of its packets is answered.
/// After a restart new records go to a new segment; the reader meets whatever a crash left
/// half-written at the end of the old one, quarantines it and reports it (such a record was
/// never answered, so its NAS retransmitted it).
public final class Spool: @unchecked Sendable {
    public let configuration: SpoolConfiguration
    /// The spool id of the segments this spool writes: a new one at every start, so no two
    /// databases (and no two starts) ever share a replay position in `spool_progress`. A
    /// segment found at start keeps the id its header names.
    public let id: String
    private let logger: Logger
    private let metrics: CollectorMetrics
    private let lock = NSLock()
    private var lockFD: Int32 = -1

    /// The database whose records this spool reads and writes.
    public let claim: SpoolClaim
    /// Segments in the folder this spool does not claim, by database: kept untouched.
    public private(set) var foreign: [ForeignSpool] = []

    private struct Segment {
        var firstSequence: Int64
        var path: String
        /// Octets written and made durable (for the segment being written) or found (others).
        var size: Int
        /// Where its first record starts (after the segment header; 0 in an old segment).
        var dataStart: Int
        /// The spool id its records' replay position is kept under.
        var spoolID: String
    }

    private var segments: [Segment] = []
    /// Octets of the segments of other databases (they count against `maxBytes`).
    private var foreignBytes = 0
    private var foreignPaths: [String] = []
    /// Why the last batch could not be appended (the spool is full, or the disk or folder
    /// failed); nil once a batch can be appended again.
    private var refusal: Refusal?
    private enum Refusal: Equatable {
        case full
        case failing(String)
    }
    /// Octets the probe writes: as many as the last append that failed wanted (a disk with room
    /// for a small file but not for that batch still refuses it), else one block.
    private var probeBytes = 4096
    /// Test hook: octets the disk has room for per write; a longer write fails as on a full disk.
    var simulatedRoom: Int?
    /// Device and inode of `lock`: the folder being replaced or removed is noticed.
    private var lockFile: (device: UInt64, inode: UInt64) = (0, 0)
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

    /// Opens (creating if needed) and locks the spool folder. `claim`: which database's
    /// segments are read and written; the others are left as they are and listed in `foreign`.
    public init(configuration: SpoolConfiguration, claim: SpoolClaim, metrics: CollectorMetrics, logger: Logger) throws {
        self.configuration = configuration
        self.claim = claim
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
            throw SpoolError.io(
                "the spool \(directory) is in use by another collector or spool command; give each collector its own data_directory or spool_directory, and stop the collector before `tollgate spool replay` or `set-aside`"
            )
        }
        var status = stat()
        if fstat(lockFD, &status) == 0 { lockFile = (UInt64(status.st_dev), UInt64(status.st_ino)) }
        id = UUID().uuidString.lowercased()
        let storedText = (try? String(contentsOfFile: directory + "/id", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let storedID = storedText.flatMap { UUID(uuidString: $0) != nil ? $0.lowercased() : nil }
        let survey: [SpoolSurvey.FoundSegment]
        do { survey = try SpoolSurvey.segments(in: directory) } catch {
            Glibc.close(lockFD)
            lockFD = -1
            throw error
        }
        var foreignByDatabase: [DatabaseIdentity?: ForeignSpool] = [:]
        var lastSequenceSeen: Int64 = 0
        var unidentified = 0
        for found in survey {
            switch found.start {
            case .empty:
                // Created by a crash before its header was written: it never held a record.
                unlink(found.path)
                continue
            case .unreadable(let reason):
                // Whose records these are cannot be told: they must not reach any database.
                let target = directory + "/quarantine/" + (found.path as NSString).lastPathComponent + ".unidentified"
                if rename(found.path, target) == 0 {
                    metrics.spoolQuarantined.add(1, ordering: .relaxed)
                    logger.error(
                        "spool segment without a readable header quarantined, not replayed: inspect it",
                        metadata: [
                            "path": "\(target)", "reason": "\(reason)",
                        ])
                } else {
                    throw SpoolError.io("cannot move \(found.path) to the quarantine folder: \(Self.errorText())")
                }
                continue
            case .legacy, .header:
                break
            }
            let header = found.header
            lastSequenceSeen = max(lastSequenceSeen, found.firstSequence)
            if claim.claims(header) {
                if header == nil { unidentified += 1 }
                segments.append(
                    Segment(
                        firstSequence: found.firstSequence, path: found.path, size: found.size, dataStart: found.dataStart,
                        spoolID: header?.spoolID.uuidString.lowercased() ?? storedID ?? ""))
                totalBytes += found.size
            } else {
                foreignByDatabase[header?.database, default: ForeignSpool(database: header?.database, segments: 0, bytes: 0)].segments += 1
                foreignByDatabase[header?.database]!.bytes += found.size
                foreignBytes += found.size
                foreignPaths.append(found.path)
            }
        }
        foreign = foreignByDatabase.values.sorted { $0.bytes > $1.bytes }
        if unidentified > 0 && storedID == nil {
            logger.warning(
                "spool id missing: the segments from before database identities were recorded will be replayed from their start",
                metadata: ["spool": "\(directory)"])
        }
        // Without an `id` file, old segments get this start's id: nothing is stored under it yet.
        for index in segments.indices where segments[index].spoolID.isEmpty { segments[index].spoolID = id }
        if unidentified > 0 {
            logger.warning(
                "spool segments from before database identities were recorded: replaying them into this database, the one this collector uses",
                metadata: [
                    "spool": "\(directory)", "segments": "\(unidentified)", "database": "\(claim.database)",
                ])
        }
        for other in foreign {
            logger.error(
                "spool holds batches written for another database: they are kept untouched and not replayed here; replay them into their database with `tollgate spool replay --database-url URL`, or move them away with `tollgate spool set-aside`",
                metadata: [
                    "spool": "\(directory)",
                    "written_for": "\(other.database.map(String.init(describing:)) ?? "unknown (written before identities were recorded)")",
                    "this_database": "\(claim.database)", "segments": "\(other.segments)", "bytes": "\(other.bytes)",
                ])
        }
        if let last = segments.last {
            lastSequenceSeen = max(lastSequenceSeen, lastSequence(in: last) ?? 0)
            active = true
            logger.warning(
                "spool holds batches not yet in the database; replaying them once it answers",
                metadata: [
                    "spool": "\(directory)", "bytes": "\(totalBytes)", "segments": "\(segments.count)",
                ])
        }
        // Record numbers never go back: each start numbers on from at least the wall clock in
        // microseconds, which every earlier record's number is below (one number per batch
        // cannot outrun it), so a damaged last record cannot make a number be used twice.
        nextSequence = max(lastSequenceSeen + 1, Int64(Date().timeIntervalSince1970 * 1_000_000))
        metrics.spoolBytes.store(totalBytes, ordering: .relaxed)
        metrics.spoolForeignSegments.store(foreign.reduce(0) { $0 + $1.segments }, ordering: .relaxed)
        metrics.spoolForeignBytes.store(foreignBytes, ordering: .relaxed)
    }

    deinit { close() }

    /// Moves the segments of other databases (`foreign`) into a new folder
    /// `set-aside/<UTC time>/` of the spool, where no collector reads them (each keeps the
    /// spool id of its header, so its replay position too); `tollgate spool replay --spool-directory` that folder replays them later.
    /// Returns the folder, nil when there was nothing to move.
    public func setAsideForeign(now: Date = Date()) throws -> String? {
        try lock.withLock {
            guard !foreignPaths.isEmpty else { return nil }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            var folder = configuration.directory + "/set-aside/" + formatter.string(from: now)
            var attempt = 1
            while FileManager.default.fileExists(atPath: folder) {
                attempt += 1
                folder = configuration.directory + "/set-aside/" + formatter.string(from: now) + "-\(attempt)"
            }
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw SpoolError.io("cannot create \(folder): \(error.localizedDescription)")
            }
            for path in foreignPaths {
                guard rename(path, folder + "/" + (path as NSString).lastPathComponent) == 0 else {
                    throw SpoolError.io("cannot move \(path) to \(folder): \(Self.errorText())")
                }
            }
            try syncDirectory(folder)
            try syncDirectory()
            logger.notice(
                "spool segments of other databases set aside; no collector reads them",
                metadata: [
                    "folder": "\(folder)", "segments": "\(foreignPaths.count)",
                ])
            foreignPaths = []
            foreign = []
            foreignBytes = 0
            metrics.spoolForeignSegments.store(0, ordering: .relaxed)
            metrics.spoolForeignBytes.store(0, ordering: .relaxed)
            return folder
        }
    }

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

    /// Whether the spool is at its size limit.
    public var isFull: Bool { lock.withLock { totalBytes + foreignBytes >= configuration.maxBytes } }

    /// Whether a batch can be appended: there is room and the last append (or `probe`) did
    /// not fail. While neither the database nor the spool can take a batch, the collector says
    /// it is unavailable (Status-Server, /healthz) so NAS devices fail over.
    public var canTakeBatch: Bool { lock.withLock { refusal == nil && totalBytes + foreignBytes < configuration.maxBytes } }

    /// Why a batch cannot be appended now, if it cannot.
    public var refusalReason: String? {
        lock.withLock {
            switch refusal {
            case .full: return "spool full"
            case .failing(let reason): return reason
            case nil: return totalBytes + foreignBytes >= configuration.maxBytes ? "spool full" : nil
            }
        }
    }

    /// Tries what an append needs (the folder still the one locked, a file as large as the
    /// last batch that failed written and made durable there) and records the outcome for
    /// `canTakeBatch`. Run about once a second while the database is away or an append failed,
    /// so a failing disk is noticed before a batch meets it and a repaired one is noticed
    /// without traffic.
    public func probe() {
        let failure = probeFailure(octets: lock.withLock { probeBytes })
        lock.withLock {
            if let failure {
                if refusal != .failing(failure) {
                    logger.error("the spool cannot take batches", metadata: ["spool": "\(configuration.directory)", "error": "\(failure)"])
                }
                refusal = .failing(failure)
            } else if case .failing = refusal {
                logger.notice("the spool can take batches again", metadata: ["spool": "\(configuration.directory)"])
                refusal = nil
            }
        }
    }

    private func probeFailure(octets: Int) -> String? {
        guard folderIsStillOurs() else { return "the spool folder \(configuration.directory) was removed or replaced" }
        let path = configuration.directory + "/probe"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return "cannot create \(path): \(Self.errorText())" }
        defer {
            Glibc.close(fd)
            unlink(path)
        }
        let block = [UInt8](repeating: 0, count: min(octets, 1 << 20))
        var written = 0
        while written < octets {
            let chunk = min(block.count, octets - written)
            guard simulatedRoom.map({ octets <= $0 }) ?? true else { return "cannot write \(path): \(String(cString: strerror(ENOSPC)))" }
            let n = block.withUnsafeBytes { write(fd, $0.baseAddress, chunk) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return "cannot write \(path): \(Self.errorText())" }
            written += n
        }
        guard fdatasync(fd) == 0 else { return "fdatasync \(path): \(Self.errorText())" }
        return nil
    }

    /// Whether `lock` in the configured folder is still the file this spool locked: a folder
    /// removed or replaced under a running collector would take appended records with it.
    private func folderIsStillOurs() -> Bool {
        var status = stat()
        guard stat(configuration.directory + "/lock", &status) == 0 else { return false }
        return (UInt64(status.st_dev), UInt64(status.st_ino)) == lockFile
    }

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
        let newSegment =
            !writing || (segments.last!.size > segments.last!.dataStart && segments.last!.size + record.count > configuration.segmentBytes)
        let header = newSegment ? SpoolFormat.encodeSegmentHeader(segmentHeader) : []
        guard totalBytes + foreignBytes + header.count + record.count <= configuration.maxBytes else {
            refusal = .full
            let now = Int64(Date().timeIntervalSince1970)
            if now - lastFullLog >= 10 {
                lastFullLog = now
                logger.error(
                    "spool full: packets are left unanswered (their NAS devices retransmit) until the database takes the spooled batches",
                    metadata: ["spool": "\(configuration.directory)", "bytes": "\(totalBytes)", "max_bytes": "\(configuration.maxBytes)"])
            }
            return .full
        }
        guard folderIsStillOurs() else {
            let failure = "the spool folder \(configuration.directory) was removed or replaced"
            refusal = .failing(failure)
            logger.error("spool write failed", metadata: ["spool": "\(configuration.directory)", "error": "\(failure)"])
            return .failed(failure)
        }
        if newSegment {
            do { try startSegment(first: sequence, header: header) } catch {
                refusal = .failing("\(error)")
                probeBytes = max(4096, header.count + record.count)
                logger.error("spool write failed", metadata: ["spool": "\(configuration.directory)", "error": "\(error)"])
                return .failed("\(error)")
            }
        }
        let start = segments[segments.count - 1].size
        var written = 0
        let failure: String? = record.withUnsafeBytes { raw in
            if let room = simulatedRoom, header.count + raw.count > room { return "write: \(String(cString: strerror(ENOSPC)))" }
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
            refusal = .failing(failure)
            probeBytes = max(4096, header.count + record.count)
            logger.error("spool write failed", metadata: ["spool": "\(configuration.directory)", "error": "\(failure)"])
            return .failed(failure)
        }
        segments[segments.count - 1].size += record.count
        totalBytes += record.count
        nextSequence += 1
        refusal = nil
        probeBytes = 4096
        if !active {
            active = true
            logger.warning("spooling batches to disk until the database takes them again", metadata: ["spool": "\(configuration.directory)"])
        }
        metrics.spoolBytes.store(totalBytes, ordering: .relaxed)
        return .appended(sequence: sequence)
    }

    /// What every segment this spool writes starts with.
    private var segmentHeader: SegmentHeader {
        SegmentHeader(spoolID: UUID(uuidString: id)!, database: claim.database)
    }

    /// Creates the next segment with its header, durable before any record goes into it (so a
    /// segment never holds records without saying whose they are).
    private func startSegment(first: Int64, header: [UInt8]) throws {
        if writeFD >= 0 { Glibc.close(writeFD) }
        writeFD = -1
        writing = false
        var digits = String(first)
        while digits.count < 20 { digits = "0" + digits }
        let path = configuration.directory + "/" + digits + ".tgs"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SpoolError.io("cannot create \(path): \(Self.errorText())") }
        let written = header.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == header.count, fdatasync(fd) == 0 else {
            let reason = Self.errorText()
            Glibc.close(fd)
            unlink(path)
            throw SpoolError.io("cannot write the header of \(path): \(reason)")
        }
        do { try syncDirectory() } catch {
            Glibc.close(fd)
            unlink(path)
            throw error
        }
        writeFD = fd
        segments.append(Segment(firstSequence: first, path: path, size: header.count, dataStart: header.count, spoolID: id))
        totalBytes += header.count
        writing = true
    }

    // MARK: Reading (the replaying thread)

    public enum ReadResult: Equatable, Sendable {
        /// A record; `spoolID` names the replay position it is counted under.
        case record(sequence: Int64, packets: [SpooledPacket], spoolID: String)
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
            if readOffset < segment.dataStart { readOffset = segment.dataStart }
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
                return .record(sequence: sequence, packets: packets, spoolID: segment.spoolID)
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
            guard max(readOffset, only.dataStart) >= only.size else { return false }
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
            if refusal == .full { refusal = nil }
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
        logger.error(
            "spool data quarantined, not replayed: inspect it, nothing else refers to it",
            metadata: [
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
        if refusal == .full { refusal = nil }
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
        var offset = segment.dataStart
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
