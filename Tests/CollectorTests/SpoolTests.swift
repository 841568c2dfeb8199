@testable import Collector
import Foundation
import Logging
import Testing
#if canImport(Glibc)
import Glibc
#endif

private func temporaryFolder() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-spool-\(UUID().uuidString)").path
}

private func packets(_ count: Int, seed: Int) -> [SpooledPacket] {
    (0..<count).map { i in
        SpooledPacket(tenantID: Int64(seed), nasID: Int64(i), receivedAt: 1_795_546_800_000_000 + Int64(i), keepRaw: i % 2 == 0,
                      datagram: (0..<(20 + (i * 7 + seed) % 200)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) })
    }
}

private func openSpool(_ folder: String, maxBytes: Int = 1 << 30, segmentBytes: Int = 64 << 20,
                       metrics: CollectorMetrics = CollectorMetrics()) throws -> Spool {
    var configuration = SpoolConfiguration(directory: folder)
    configuration.maxBytes = maxBytes
    configuration.segmentBytes = segmentBytes
    var logger = Logger(label: "spool-test")
    logger.logLevel = .critical
    return try Spool(configuration: configuration, metrics: metrics, logger: logger)
}

/// Reads every record until caught up; quarantined reasons separately.
private func readAll(_ spool: Spool) -> (records: [(Int64, [SpooledPacket])], quarantined: [String]) {
    var records: [(Int64, [SpooledPacket])] = []
    var quarantined: [String] = []
    while true {
        switch spool.next() {
        case .record(let sequence, let packets): records.append((sequence, packets))
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
        let folder = temporaryFolder()
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
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spool = try openSpool(folder)
        #expect(throws: Spool.SpoolError.self) { _ = try openSpool(folder) }
        spool.close()
        _ = try openSpool(folder)
    }

    @Test("After a restart the spool keeps its id, reads the old records and numbers new ones after them")
    func restart() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var first: Spool? = try openSpool(folder)
        let id = first!.id
        let base = (0..<5).map { number(first!.append(packets(3, seed: $0))) }[0]
        first!.close()
        first = nil
        let second = try openSpool(folder)
        #expect(second.id == id)
        #expect(second.isActive)
        let later = number(second.append(packets(1, seed: 7)))
        #expect(later > base + 4, "numbers never go back after a restart")
        #expect(segmentFiles(folder).count == 2, "new records go to a new segment")
        #expect(readAll(second).records.map(\.0) == (0..<5).map { base + Int64($0) } + [later])
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
        let folder = temporaryFolder()
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
        bytes[sizes[0] + SpoolFormat.headerLength + 30] ^= 0xFF
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
        let folder = temporaryFolder()
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
        let other = temporaryFolder()
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
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let batch = packets(10, seed: 1)
        let size = SpoolFormat.encode(sequence: 1, packets: batch).count
        let spool = try openSpool(folder, maxBytes: size * 3, segmentBytes: size)
        let numbers = (0..<3).map { _ in number(spool.append(batch)) }
        #expect(spool.append(batch) == .full)
        #expect(spool.isFull)
        // Reading the first segments (one record each) frees their room.
        guard case .record(numbers[0], _) = spool.next() else { Issue.record("record 1 not read"); return }
        guard case .record(numbers[1], _) = spool.next() else { Issue.record("record 2 not read"); return }
        #expect(spool.append(batch) == .appended(sequence: numbers[2] + 1))
    }
}
