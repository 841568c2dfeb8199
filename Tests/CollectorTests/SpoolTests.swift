import Foundation
import Logging
import Storage
import TestSupport
import Testing

@testable import Collector

#if canImport(Glibc)
    import Glibc
#endif

private func packets(_ count: Int, seed: Int) -> [SpooledPacket] {
    (0..<count).map { i in
        SpooledPacket(
            tenantID: Int64(seed), nasID: Int64(i), receivedAt: 1_795_546_800_000_000 + Int64(i), keepRaw: i % 2 == 0,
            datagram: (0..<(20 + (i * 7 + seed) % 200)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) })
    }
}

/// Databases the spools in these tests are for.
let databaseA = DatabaseIdentity(
    installationID: UUID(uuidString: "0a0a0a0a-0000-4000-8000-00000000000a")!, systemIdentifier: 7_313_000_000_000_000_001,
    databaseName: "tollgate")
let databaseB = DatabaseIdentity(
    installationID: UUID(uuidString: "0b0b0b0b-0000-4000-8000-00000000000b")!, systemIdentifier: 7_313_000_000_000_000_002,
    databaseName: "tollgate")

private func openSpool(
    _ folder: String, maxBytes: Int = 1 << 30, segmentBytes: Int = 64 << 20,
    metrics: CollectorMetrics = CollectorMetrics(), claim: SpoolClaim = .collector(databaseA)
) throws -> Spool {
    var configuration = SpoolConfiguration(directory: folder)
    configuration.maxBytes = maxBytes
    configuration.segmentBytes = segmentBytes
    var logger = Logger(label: "spool-test")
    logger.logLevel = .critical
    return try Spool(configuration: configuration, claim: claim, metrics: metrics, logger: logger)
}

/// Reads every record until caught up; quarantined reasons separately.
private func readAll(_ spool: Spool) -> (records: [(Int64, [SpooledPacket])], quarantined: [String]) {
    var records: [(Int64, [SpooledPacket])] = []
    var quarantined: [String] = []
    while true {
        switch spool.next() {
        case .record(let sequence, let packets, _): records.append((sequence, packets))
        case .quarantined(_, let reason): quarantined.append(reason)
        case .caughtUp: return (records, quarantined)
        case .retryLater(let reason):
            Issue.record("reading stopped: \(reason)")
            return (records, quarantined)
        }
    }
}

/// The record number of an append (0 when it failed).
private func number(_ result: Spool.AppendResult) -> Int64 {
    if case .appended(let sequence) = result { return sequence }
    Issue.record("append failed: \(result)")
    return 0
}

/// Octets of the header of a segment written for `databaseA`.
private let segmentHeaderLength = SpoolFormat.encodeSegmentHeader(SegmentHeader(spoolID: UUID(), database: databaseA)).count

private func segmentFiles(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".tgs") }.sorted()
}

@Suite("Spool records and files")
struct SpoolTests {
    @Test("CRC-32C of the standard check input")
    func crc() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        // Continuing over two parts equals one pass.
        let whole = Array("hello, spool".utf8)
        #expect(CRC32C.checksum(Array(whole[5...]), continuing: CRC32C.checksum(Array(whole[..<5]))) == CRC32C.checksum(whole))
    }

    @Test("A record decodes to what was encoded; every flipped octet and every cut is detected")
    func recordFormat() {
        let batch = packets(5, seed: 3)
        let record = SpoolFormat.encode(sequence: 42, packets: batch)
        #expect(record.withUnsafeBytes { SpoolFormat.decode($0) } == .record(sequence: 42, packets: batch, length: record.count))
        for index in 0..<record.count {
            var damaged = record
            damaged[index] ^= 0x40
            let decoded = damaged.withUnsafeBytes { SpoolFormat.decode($0) }
            if case .record = decoded { Issue.record("flipped octet \(index) not detected") }
        }
        for length in 0..<record.count {
            let decoded = Array(record[..<length]).withUnsafeBytes { SpoolFormat.decode($0) }
            if case .record = decoded { Issue.record("cut at \(length) not detected") }
        }
        let empty = SpoolFormat.encode(sequence: 1, packets: [])
        #expect(empty.withUnsafeBytes { SpoolFormat.decode($0) } == .record(sequence: 1, packets: [], length: empty.count))
    }

    @Test("Appended batches are read back in order across segments; read segments are removed; the spool then stops")
    func appendAndRead() throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let metrics = CollectorMetrics()
        let spool = try openSpool(folder, segmentBytes: 4096, metrics: metrics)
        #expect(!spool.isActive)
        var written: [[SpooledPacket]] = []
        var base: Int64 = 0
        for i in 0..<40 {
            let batch = packets(1 + i % 7, seed: i)
            let sequence = number(spool.append(batch))
            if i == 0 { base = sequence } else { #expect(sequence == base + Int64(i)) }
            written.append(batch)
        }
        #expect(spool.isActive)
        #expect(segmentFiles(folder).count > 3)
        #expect(metrics.spoolBytes.load(ordering: .relaxed) > 0)
        let read = readAll(spool)
        #expect(read.quarantined.isEmpty)
        #expect(read.records.map(\.0) == (0..<40).map { base + Int64($0) })
        #expect(read.records.map(\.1) == written)
        #expect(segmentFiles(folder).count == 1, "the segment being written stays until the spool stops")
        #expect(spool.finishIfCaughtUp())
        #expect(!spool.isActive)
        #expect(segmentFiles(folder).isEmpty)
        #expect(metrics.spoolBytes.load(ordering: .relaxed) == 0)
        // Appending again starts spooling again, numbering on.
        #expect(spool.append(packets(2, seed: 99)) == .appended(sequence: base + 40))
        #expect(!spool.finishIfCaughtUp(), "an unread record keeps the spool going")
        #expect(readAll(spool).records.map(\.0) == [base + 40])
        #expect(spool.finishIfCaughtUp())
    }

    @Test("A second collector cannot use the same spool folder")
    func locked() throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spool = try openSpool(folder)
        #expect(throws: Spool.SpoolError.self) { _ = try openSpool(folder) }
        spool.close()
        _ = try openSpool(folder)
    }

    @Test(
        """
        After a restart the spool reads the old records under their own spool id and writes new ones under a new id, \
        numbered after them
        """)
    func restart() throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var first: Spool? = try openSpool(folder)
        let id = first!.id
        let base = (0..<5).map { number(first!.append(packets(3, seed: $0))) }[0]
        first!.close()
        first = nil
        let second = try openSpool(folder)
        #expect(second.id != id, "a new start never shares the replay position of an earlier one")
        #expect(second.isActive)
        let later = number(second.append(packets(1, seed: 7)))
        #expect(later > base + 4, "numbers never go back after a restart")
        #expect(segmentFiles(folder).count == 2, "new records go to a new segment")
        var read: [(Int64, String)] = []
        while case .record(let sequence, _, let spoolID) = second.next() { read.append((sequence, spoolID)) }
        #expect(read.map(\.0) == (0..<5).map { base + Int64($0) } + [later])
        #expect(read.map(\.1) == Array(repeating: id, count: 5) + [second.id])
        #expect(second.finishIfCaughtUp())
        second.close()
        // An empty spool starts afresh under a new id.
        let third = try openSpool(folder)
        #expect(third.id != id)
        #expect(!third.isActive)
        #expect(number(third.append(packets(1, seed: 1))) > later)
    }

    @Test("A corrupt record is quarantined and reported; the records around it are read")
    func corruptRecord() throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var spool: Spool? = try openSpool(folder)
        var sizes: [Int] = []
        var numbers: [Int64] = []
        for i in 0..<3 {
            let batch = packets(4, seed: i)
            sizes.append(SpoolFormat.encode(sequence: Int64(i + 1), packets: batch).count)
            numbers.append(number(spool!.append(batch)))
        }
        spool!.close()
        spool = nil
        // Flip one octet inside the second record's payload.
        let path = folder + "/" + segmentFiles(folder)[0]
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[segmentHeaderLength + sizes[0] + SpoolFormat.headerLength + 30] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let metrics = CollectorMetrics()
        let reopened = try openSpool(folder, metrics: metrics)
        let read = readAll(reopened)
        #expect(read.records.map(\.0) == [numbers[0], numbers[2]])
        #expect(read.quarantined.count == 1 && read.quarantined[0].contains("checksum"))
        #expect(metrics.spoolQuarantined.load(ordering: .relaxed) == 1)
        let quarantined = try FileManager.default.contentsOfDirectory(atPath: folder + "/quarantine")
        #expect(quarantined.count == 1)
        let kept = try Data(contentsOf: URL(fileURLWithPath: folder + "/quarantine/" + quarantined[0]))
        #expect(kept.count == sizes[1], "the whole damaged record is kept for inspection")
    }

    @Test("A record cut short by a crash and garbage after the last record are quarantined, not skipped silently")
    func tornTail() throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var spool: Spool? = try openSpool(folder)
        let numbers = (0..<2).map { number(spool!.append(packets(3, seed: $0))) }
        spool!.close()
        spool = nil
        let path = folder + "/" + segmentFiles(folder)[0]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        let partial = SpoolFormat.encode(sequence: 3, packets: packets(3, seed: 2))
        try handle.write(contentsOf: partial.prefix(partial.count / 2))
        try handle.close()
        let metrics = CollectorMetrics()
        let reopened = try openSpool(folder, metrics: metrics)
        // The cut record's number is not used again.
        let later = number(reopened.append(packets(1, seed: 5)))
        #expect(later > numbers[1] + 1)
        let read = readAll(reopened)
        #expect(read.records.map(\.0) == numbers + [later])
        #expect(read.quarantined.count == 1 && read.quarantined[0].contains("incomplete"))

        // Bytes that are no record header at all: the rest of that segment is quarantined.
        let other = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: other) }
        var garbage: Spool? = try openSpool(other)
        let only = number(garbage!.append(packets(2, seed: 1)))
        garbage!.close()
        garbage = nil
        let garbagePath = other + "/" + segmentFiles(other)[0]
        let appender = try FileHandle(forWritingTo: URL(fileURLWithPath: garbagePath))
        try appender.seekToEnd()
        try appender.write(contentsOf: Data((0..<100).map { UInt8($0) }))
        try appender.close()
        let read2 = readAll(try openSpool(other))
        #expect(read2.records.map(\.0) == [only])
        #expect(read2.quarantined.count == 1 && read2.quarantined[0].contains("magic"))
    }

    @Test("A full spool refuses the batch instead of dropping anything; room comes back as records are replayed")
    func full() throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let batch = packets(10, seed: 1)
        // Each segment holds one record after its header.
        let size =
            SpoolFormat.encode(sequence: 1, packets: batch).count
            + SpoolFormat.encodeSegmentHeader(SegmentHeader(spoolID: UUID(), database: databaseA)).count
        let spool = try openSpool(folder, maxBytes: size * 3, segmentBytes: size)
        let numbers = (0..<3).map { _ in number(spool.append(batch)) }
        #expect(spool.append(batch) == .full)
        #expect(spool.isFull)
        // Reading the first segments (one record each) frees their room.
        guard case .record(numbers[0], _, _) = spool.next() else {
            Issue.record("record 1 not read")
            return
        }
        guard case .record(numbers[1], _, _) = spool.next() else {
            Issue.record("record 2 not read")
            return
        }
        #expect(spool.append(batch) == .appended(sequence: numbers[2] + 1))
    }
}

@Suite("Spool segments know their database")
struct SpoolIdentityTests {
    @Test("A segment header decodes to what was encoded; every flipped octet and every cut is detected")
    func headerFormat() {
        let header = SegmentHeader(spoolID: UUID(uuidString: "11111111-2222-4333-8444-555555555555")!, database: databaseA)
        let bytes = SpoolFormat.encodeSegmentHeader(header)
        #expect(bytes.count == 12 + 42 + 8, "fixed part and the 8-octet name \"tollgate\"")
        #expect(SpoolFormat.decodeSegmentStart(bytes) == .header(header, length: bytes.count))
        #expect(SpoolFormat.decodeSegmentStart(bytes + [1, 2, 3]) == .header(header, length: bytes.count), "records follow the header")
        for index in 0..<bytes.count {
            var damaged = bytes
            damaged[index] ^= 0x40
            guard case .unreadable = SpoolFormat.decodeSegmentStart(damaged) else {
                Issue.record("flipped octet \(index) not detected")
                continue
            }
        }
        for length in 1..<bytes.count {
            guard case .unreadable = SpoolFormat.decodeSegmentStart(Array(bytes[..<length])) else {
                Issue.record("cut at \(length) not detected")
                continue
            }
        }
        #expect(SpoolFormat.decodeSegmentStart([]) == .empty)
        #expect(SpoolFormat.decodeSegmentStart(SpoolFormat.encode(sequence: 1, packets: packets(1, seed: 1))) == .legacy)
    }

    @Test("A spool opened for another database leaves the first database's segments untouched and unread; its own database reads them exactly")
    func foreignSegmentsStayUntouched() throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var first: Spool? = try openSpool(folder, claim: .collector(databaseA))
        let written = (0..<3).map { packets(2 + $0, seed: $0) }
        let numbers = written.map { number(first!.append($0)) }
        first!.close()
        first = nil
        let files = segmentFiles(folder)
        #expect(files.count == 1)
        let before = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + files[0]))

        let metrics = CollectorMetrics()
        let other = try openSpool(folder, metrics: metrics, claim: .collector(databaseB))
        #expect(!other.isActive, "nothing of its own to replay")
        #expect(other.foreign == [ForeignSpool(database: databaseA, segments: 1, bytes: before.count)])
        #expect(metrics.spoolForeignSegments.load(ordering: .relaxed) == 1)
        #expect(metrics.spoolForeignBytes.load(ordering: .relaxed) == before.count)
        #expect(metrics.render().contains("tollgate_spool_foreign_segments 1\n"))
        #expect(readAll(other).records.isEmpty)
        // Its own batches go to a segment of their own and are read alone.
        let own = number(other.append(packets(4, seed: 9)))
        #expect(readAll(other).records.map(\.0) == [own])
        #expect(other.finishIfCaughtUp())
        other.close()
        #expect(segmentFiles(folder) == files)
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + files[0])) == before, "not a single octet changed")

        let back = try openSpool(folder, claim: .collector(databaseA))
        #expect(back.foreign.isEmpty)
        let read = readAll(back)
        #expect(read.records.map(\.0) == numbers)
        #expect(read.records.map(\.1) == written)
    }

    @Test("A copy of the database (same installation, another cluster) is foreign to a collector; replay takes it only when allowed")
    func copies() throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var first: Spool? = try openSpool(folder, claim: .collector(databaseA))
        let sequence = number(first!.append(packets(3, seed: 4)))
        first!.close()
        first = nil
        var copy = databaseA
        copy.systemIdentifier += 1
        #expect(copy.isSameInstallation(as: databaseA) && copy != databaseA)
        var spool: Spool? = try openSpool(folder, claim: .collector(copy))
        #expect(!spool!.isActive && spool!.foreign.map(\.database) == [databaseA])
        spool!.close()
        spool = try openSpool(folder, claim: .replay(into: copy, allowCopies: false))
        #expect(!spool!.isActive)
        spool!.close()
        spool = try openSpool(folder, claim: .replay(into: copy, allowCopies: true))
        #expect(spool!.isActive && spool!.foreign.isEmpty)
        #expect(readAll(spool!).records.map(\.0) == [sequence])
    }

    @Test("Segments from before identities were recorded: a collector adopts them, a replay command leaves them")
    func unidentifiedSegments() throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let old = [packets(2, seed: 1), packets(5, seed: 2)]
        let bytes = SpoolFormat.encode(sequence: 41, packets: old[0]) + SpoolFormat.encode(sequence: 42, packets: old[1])
        try Data(bytes).write(to: URL(fileURLWithPath: folder + "/00000000000000000041.tgs"))
        let spoolID = "6f1c2a51-6a0e-4d7e-9d8e-3b5f2a1c0d9e"
        try Data((spoolID + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/id"))

        var replay: Spool? = try openSpool(folder, claim: .replay(into: databaseB, allowCopies: true))
        #expect(!replay!.isActive)
        #expect(replay!.foreign == [ForeignSpool(database: nil, segments: 1, bytes: bytes.count)])
        replay!.close()
        replay = nil
        let collector = try openSpool(folder, claim: .collector(databaseB))
        #expect(collector.isActive && collector.foreign.isEmpty)
        #expect(collector.id != spoolID, "new segments get this start's own id")
        var records: [(Int64, [SpooledPacket], String)] = []
        while case .record(let sequence, let packets, let id) = collector.next() { records.append((sequence, packets, id)) }
        #expect(records.map(\.0) == [41, 42])
        #expect(records.map(\.1) == old)
        #expect(records.map(\.2) == [spoolID, spoolID], "positions kept under the spool's id")
        // New batches go to a segment that carries the identity.
        let later = number(collector.append(packets(1, seed: 3)))
        #expect(later > 42)
        let newest = segmentFiles(folder).last!
        let start = SpoolFormat.decodeSegmentStart([UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + newest))))
        #expect(start == .header(SegmentHeader(spoolID: UUID(uuidString: collector.id)!, database: databaseB), length: segmentHeaderLength))
        #expect(collector.next() == .record(sequence: later, packets: packets(1, seed: 3), spoolID: collector.id))
    }

    @Test("A segment whose header cannot be read goes to the quarantine whole; an empty one is removed")
    func unreadableHeader() throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var first: Spool? = try openSpool(folder, claim: .collector(databaseA))
        _ = number(first!.append(packets(3, seed: 1)))
        first!.close()
        first = nil
        let name = segmentFiles(folder)[0]
        let path = folder + "/" + name
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[20] ^= 0x01 // inside the spool id: the header's checksum fails
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        FileManager.default.createFile(atPath: folder + "/00000000000000000007.tgs", contents: Data())
        let metrics = CollectorMetrics()
        let spool = try openSpool(folder, metrics: metrics, claim: .collector(databaseA))
        #expect(!spool.isActive && spool.foreign.isEmpty)
        #expect(segmentFiles(folder).isEmpty)
        #expect(metrics.spoolQuarantined.load(ordering: .relaxed) == 1)
        let kept = try Data(contentsOf: URL(fileURLWithPath: folder + "/quarantine/" + name + ".unidentified"))
        #expect([UInt8](kept) == bytes, "kept whole for inspection")
    }

    @Test("Set aside: another database's segments move to a dated folder no collector reads; that folder replays later as a spool of its own")
    func setAside() throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var first: Spool? = try openSpool(folder, claim: .collector(databaseA))
        let batches = [packets(2, seed: 5), packets(3, seed: 6)]
        let numbers = batches.map { number(first!.append($0)) }
        first!.close()
        first = nil
        var other: Spool? = try openSpool(folder, claim: .collector(databaseB))
        let moment = Date(timeIntervalSince1970: 1_795_855_800) // 2026-11-28 08:50:00 UTC
        let aside = try #require(try other!.setAsideForeign(now: moment))
        #expect(aside == folder + "/set-aside/20261128T085000Z")
        #expect(other!.foreign.isEmpty)
        #expect(try other!.setAsideForeign(now: moment) == nil)
        other!.close()
        other = nil
        #expect(segmentFiles(folder).isEmpty)
        #expect(segmentFiles(aside).count == 1)
        // No collector of either database finds them in the spool any more.
        var again: Spool? = try openSpool(folder, claim: .collector(databaseA))
        #expect(!again!.isActive && again!.foreign.isEmpty)
        again!.close()
        again = nil
        let replay = try openSpool(aside, claim: .replay(into: databaseA, allowCopies: false))
        let read = readAll(replay)
        #expect(read.records.map(\.0) == numbers && read.records.map(\.1) == batches)
    }

    @Test("While the spool holds records every batch goes there: accounting is answered only while it has room, however well the database does")
    func acceptingWhileSpoolActive() throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let batch = packets(10, seed: 2)
        let spool = try openSpool(folder, maxBytes: SpoolFormat.encode(sequence: 1, packets: batch).count + segmentHeaderLength)
        func accepting(databaseHealthy: Bool) -> Bool {
            IngestPipeline.accepting(databaseHealthy: databaseHealthy, spoolActive: spool.isActive, spoolCanTakeBatch: spool.canTakeBatch)
        }
        #expect(accepting(databaseHealthy: true) && accepting(databaseHealthy: false))
        _ = number(spool.append(batch))
        #expect(spool.isActive && !spool.canTakeBatch)
        #expect(spool.append(packets(1, seed: 3)) == .full)
        #expect(!accepting(databaseHealthy: true), "the replay's connection works, but a new batch would be refused")
        #expect(!accepting(databaseHealthy: false))
        #expect(readAll(spool).records.count == 1)
        #expect(spool.finishIfCaughtUp())
        #expect(!spool.isActive && spool.canTakeBatch)
        #expect(accepting(databaseHealthy: true) && accepting(databaseHealthy: false))
        #expect(IngestPipeline.accepting(databaseHealthy: true, spoolActive: false, spoolCanTakeBatch: false), "batches go to the database")
        #expect(!IngestPipeline.accepting(databaseHealthy: false, spoolActive: false, spoolCanTakeBatch: false))
    }

    @Test("A segment that cannot be opened, or is not a file, stops the spool from opening, with a message naming it")
    func unreadableSegmentFile() throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var first: Spool? = try openSpool(folder)
        _ = number(first!.append(packets(2, seed: 1)))
        first!.close()
        first = nil
        let dangling = folder + "/00000000000000000001.tgs"
        #expect(symlink(folder + "/gone", dangling) == 0)
        do {
            _ = try openSpool(folder)
            Issue.record("opened with a segment it cannot read")
        } catch let error as Spool.SpoolError {
            #expect(
                error.description
                    == "cannot open the spool segment \(dangling): No such file or directory; make it readable or move it out of the spool folder")
        }
        #expect(unlink(dangling) == 0)
        let directory = folder + "/00000000000000000002.tgs"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        #expect(throws: Spool.SpoolError.self) { try SpoolSurvey.segments(in: folder) }
        do {
            _ = try openSpool(folder)
            Issue.record("opened with a folder where a segment should be")
        } catch let error as Spool.SpoolError {
            #expect(error.description == "\(directory) is not a file, so not a spool segment: move it out of the spool folder")
        }
        try FileManager.default.removeItem(atPath: directory)
        let again = try openSpool(folder)
        #expect(readAll(again).records.count == 1, "the lock was released each time; the segment is read once nothing is in the way")
    }

    @Test("A disk with room for a small file but not for the batch that failed stays refused until a batch that large fits again")
    func probeAsLargeAsTheFailedBatch() throws {
        let folder = temporaryPath("tollgate-spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spool = try openSpool(folder)
        let big = packets(2000, seed: 9)
        let needed = SpoolFormat.encode(sequence: 1, packets: big).count + segmentHeaderLength
        #expect(needed > 200_000)
        spool.simulatedRoom = 100_000
        guard case .failed = spool.append(big) else {
            Issue.record("the batch was appended although it does not fit")
            return
        }
        #expect(!spool.canTakeBatch)
        spool.probe()
        #expect(!spool.canTakeBatch, "a small file fits, the batch that failed does not")
        spool.simulatedRoom = needed - 1
        spool.probe()
        #expect(!spool.canTakeBatch)
        spool.simulatedRoom = needed
        spool.probe()
        #expect(spool.canTakeBatch && spool.refusalReason == nil)
        let sequence = number(spool.append(big))
        let read = readAll(spool)
        #expect(read.records.map(\.0) == [sequence] && read.records.map(\.1) == [big])
    }

    @Test("A spool that cannot take a batch says so: full until replay frees room; a replaced folder fails appends and the probe until it is back")
    func refusals() throws {
        let folder = temporaryPath("tollgate-spool")
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: folder + ".moved")
        }
        let batch = packets(10, seed: 2)
        let size = SpoolFormat.encode(sequence: 1, packets: batch).count + segmentHeaderLength
        let spool = try openSpool(folder, maxBytes: size * 2, segmentBytes: size)
        #expect(spool.canTakeBatch && spool.refusalReason == nil)
        let first = number(spool.append(batch))
        _ = number(spool.append(batch))
        #expect(spool.append(packets(1, seed: 3)) == .full)
        #expect(!spool.canTakeBatch && spool.refusalReason == "spool full")
        guard case .record(first, _, _) = spool.next() else {
            Issue.record("record not read")
            return
        }
        _ = spool.next()
        #expect(spool.canTakeBatch, "room again once a segment is replayed")

        // The folder is moved away and a file put in its place.
        spool.probe()
        #expect(spool.canTakeBatch)
        #expect(rename(folder, folder + ".moved") == 0)
        FileManager.default.createFile(atPath: folder, contents: Data("not a folder".utf8))
        spool.probe()
        #expect(!spool.canTakeBatch)
        #expect(spool.refusalReason == "the spool folder \(folder) was removed or replaced")
        guard case .failed = spool.append(packets(1, seed: 4)) else {
            Issue.record("append into a replaced folder did not fail")
            return
        }
        try FileManager.default.removeItem(atPath: folder)
        #expect(rename(folder + ".moved", folder) == 0)
        #expect(!spool.canTakeBatch, "still refused until checked")
        spool.probe()
        #expect(spool.canTakeBatch && spool.refusalReason == nil)
        let later = number(spool.append(packets(1, seed: 5)))
        #expect(readAll(spool).records.map(\.0).last == later)
    }
}
