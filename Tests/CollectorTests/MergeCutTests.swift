import Storage
import Testing

@testable import Collector

@Suite("Merge cut: one receipt-time horizon across log streams")
struct MergeCutTests {
    private func rows(_ spec: [(stream: Int64, received: Int64)]) -> [LoggedPacket] {
        var seq: [Int64: Int64] = [:]
        return spec.map { row in
            seq[row.stream, default: 0] += 1
            return LoggedPacket(stream: row.stream, seq: seq[row.stream]!, tenantID: 1, nasID: 1, receivedAt: row.received, packet: [])
        }
    }

    private func kept(_ cut: (packets: [LoggedPacket], more: Bool)) -> [String] {
        cut.packets.map { "\($0.stream):\($0.seq)" }
    }

    @Test("No stream gave all the rows asked for: everything is applied and the log is merged up")
    func nothingFull() {
        let cut = MergeCut.cut(rows([(1, 10), (1, 20), (2, 15)]), limitPerStream: 3)
        #expect(kept(cut) == ["1:1", "1:2", "2:1"])
        #expect(!cut.more)
    }

    @Test("A stream with a backlog sets the horizon: another stream's later rows wait for the next batch")
    func backlogHorizon() {
        // Stream 1 is full (its rows reach t = 30 and more follow); stream 2's row at 40 waits.
        let cut = MergeCut.cut(rows([(1, 10), (1, 20), (1, 30), (2, 15), (2, 40)]), limitPerStream: 3)
        #expect(kept(cut) == ["1:1", "1:2", "1:3", "2:1"])
        #expect(cut.more)
    }

    @Test("Two full streams: the lower of their last receipt times; each stream keeps only a prefix")
    func twoFull() {
        // Full streams 2 (last t 35) and 3 (last t 25): horizon 25. Stream 1 keeps t 10, stream 2
        // t 5; stream 3 stops at t 45, so its t 25 after it waits too (positions are prefixes).
        let cut = MergeCut.cut(rows([(1, 10), (1, 50), (2, 5), (2, 30), (2, 35), (3, 20), (3, 45), (3, 25)]), limitPerStream: 3)
        #expect(kept(cut) == ["1:1", "2:1", "3:1"])
        #expect(cut.more)
    }

    @Test("The full stream with the lowest horizon always contributes all its rows: a cut is never empty")
    func neverEmpty() {
        let cut = MergeCut.cut(rows([(1, 100), (1, 200), (2, 300), (2, 400)]), limitPerStream: 2)
        #expect(kept(cut) == ["1:1", "1:2"])
        #expect(cut.more)
        #expect(MergeCut.cut([], limitPerStream: 5).packets.isEmpty && !MergeCut.cut([], limitPerStream: 5).more)
    }
}
