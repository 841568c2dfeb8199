import Accounting
import Testing

let hour0: Int64 = 1_795_546_800 // 2026-11-24T19:00:00Z

func record(
    _ status: AccountingStatus, at time: Int64, up: UInt64? = nil, down: UInt64? = nil, seconds: UInt32? = nil,
    gigawords: Bool = true, cause: UInt32? = nil
) -> AccountingRecord {
    var r = AccountingRecord(
        tenantID: 1, nasID: 2, status: status, sessionID: "s1", userName: "alice", nasPort: "1",
        eventTime: time, receivedAt: time * 1_000_000)
    r.upload = up.map { CounterReading(octets: UInt32(truncatingIfNeeded: $0), gigawords: gigawords ? UInt32($0 >> 32) : nil) }
    r.download = down.map { CounterReading(octets: UInt32(truncatingIfNeeded: $0), gigawords: gigawords ? UInt32($0 >> 32) : nil) }
    r.sessionTime = seconds
    r.terminateCause = cause
    r.eventTimeFromNAS = true
    return r
}

/// Applies records in order and returns the final state and the usage summed per hour.
func play(_ records: [AccountingRecord], from state: SessionState = SessionState()) -> (SessionState, [Int64: (UInt64, UInt64, UInt64)]) {
    var state = state
    var buckets: [Int64: (UInt64, UInt64, UInt64)] = [:]
    for r in records {
        let outcome = SessionAccounting.apply(r, to: state)
        state = outcome.state
        for u in outcome.usage {
            let b = buckets[u.hour] ?? (0, 0, 0)
            buckets[u.hour] = (b.0 + u.uploadBytes, b.1 + u.downloadBytes, b.2 + u.sessionSeconds)
        }
    }
    return (state, buckets)
}

func totals(_ buckets: [Int64: (UInt64, UInt64, UInt64)]) -> (UInt64, UInt64, UInt64) {
    buckets.values.reduce((0, 0, 0)) { ($0.0 + $1.0, $0.1 + $1.1, $0.2 + $1.2) }
}

@Suite("Session accounting")
struct SessionAccountingTests {
    @Test("Start, interims, Stop: usage equals the final counters")
    func lifecycle() {
        let (state, buckets) = play([
            record(.start, at: hour0 + 60),
            record(.interimUpdate, at: hour0 + 660, up: 1000, down: 50_000, seconds: 600),
            record(.interimUpdate, at: hour0 + 1260, up: 3000, down: 90_000, seconds: 1200),
            record(.stop, at: hour0 + 1500, up: 3500, down: 100_000, seconds: 1440, cause: 1),
        ])
        #expect(state.uploadBytes == 3500)
        #expect(state.downloadBytes == 100_000)
        #expect(state.sessionSeconds == 1440)
        #expect(state.startedAt == hour0 + 60)
        #expect(state.stoppedAt == hour0 + 1500)
        #expect(state.closeReason == .stop)
        #expect(state.terminateCause == 1)
        #expect(totals(buckets) == (3500, 100_000, 1440))
        #expect(Array(buckets.keys) == [hour0])
    }

    @Test("Retransmissions and duplicates add nothing")
    func duplicates() {
        let packets = [
            record(.start, at: hour0),
            record(.interimUpdate, at: hour0 + 300, up: 10, down: 20, seconds: 300),
            record(.stop, at: hour0 + 600, up: 15, down: 40, seconds: 600),
        ]
        let (once, onceBuckets) = play(packets)
        let (twice, twiceBuckets) = play(packets.flatMap { [$0, $0] } + packets)
        #expect(once == twice)
        #expect(totals(onceBuckets) == totals(twiceBuckets))
    }

    @Test("Out of order: a lower counter keeps the stored one; totals stay exact")
    func outOfOrder() {
        let (state, buckets) = play([
            record(.interimUpdate, at: hour0 + 1200, up: 2000, down: 4000, seconds: 1200),
            record(.interimUpdate, at: hour0 + 600, up: 1000, down: 2000, seconds: 600),
            record(.start, at: hour0),
        ])
        #expect(state.uploadBytes == 2000)
        #expect(state.downloadBytes == 4000)
        #expect(state.startedAt == hour0)
        #expect(state.lastEventAt == hour0 + 1200)
        #expect(totals(buckets) == (2000, 4000, 1200))
    }

    @Test("Interim before Start creates the session, started at event time minus session time")
    func interimFirst() {
        let (state, _) = play([record(.interimUpdate, at: hour0 + 900, up: 5, down: 6, seconds: 600)])
        #expect(state.hasEvents)
        #expect(state.startedAt == hour0 + 300)
        #expect(state.isOpen)
    }

    @Test("A Stop without counters never zeroes stored counters")
    func stopWithoutCounters() {
        let (state, buckets) = play([
            record(.interimUpdate, at: hour0 + 60, up: 100, down: 200, seconds: 60),
            record(.stop, at: hour0 + 120, cause: 11),
        ])
        #expect(state.uploadBytes == 100)
        #expect(state.downloadBytes == 200)
        #expect(!state.isOpen)
        #expect(totals(buckets) == (100, 200, 60))
    }

    @Test("Interim after Stop adds nothing below the Stop counters and does not reopen")
    func interimAfterStop() {
        let (state, buckets) = play([
            record(.stop, at: hour0 + 600, up: 500, down: 900, seconds: 600),
            record(.interimUpdate, at: hour0 + 300, up: 200, down: 300, seconds: 300),
        ])
        #expect(!state.isOpen)
        #expect(state.stoppedAt == hour0 + 600)
        #expect(totals(buckets) == (500, 900, 600))
    }

    @Test("Gigawords: octets = Gigawords * 2^32 + Octets")
    func gigawords() {
        let big: UInt64 = 5 << 32 + 1234
        let (state, _) = play([record(.interimUpdate, at: hour0, up: big, down: big * 2, seconds: 1)])
        #expect(state.uploadBytes == big)
        #expect(state.downloadBytes == big * 2)
    }

    @Test("A 32-bit NAS without Gigawords that wraps is counted as a wrap")
    func wrap() {
        let (state, buckets) = play([
            record(.interimUpdate, at: hour0 + 60, up: 4_000_000_000, down: 10, seconds: 60, gigawords: false),
            record(.interimUpdate, at: hour0 + 120, up: 100_000_000, down: 20, seconds: 120, gigawords: false),
            record(.interimUpdate, at: hour0 + 180, up: 4_200_000_000, down: 30, seconds: 180, gigawords: false),
            record(.interimUpdate, at: hour0 + 240, up: 5, down: 40, seconds: 240, gigawords: false),
        ])
        #expect(state.uploadBytes == 2 << 32 + 5)
        #expect(totals(buckets).0 == 2 << 32 + 5)
        // A small drop is an out-of-order packet, never a wrap.
        let (reordered, _) = play([
            record(.interimUpdate, at: hour0 + 60, up: 3_000_000_000, down: 0, gigawords: false),
            record(.interimUpdate, at: hour0 + 120, up: 2_000_000_000, down: 0, gigawords: false),
        ])
        #expect(reordered.uploadBytes == 3_000_000_000)
        // A large drop in a packet older than the last update is out of order too.
        let (late, _) = play([
            record(.interimUpdate, at: hour0 + 120, up: 4_000_000_000, down: 0, gigawords: false),
            record(.interimUpdate, at: hour0 + 60, up: 10, down: 0, gigawords: false),
        ])
        #expect(late.uploadBytes == 4_000_000_000)
    }

    @Test("A batch with a 32-bit wrap applied again, or a late duplicate from before the wrap, adds nothing")
    func wrapAppliedAgain() {
        let packets = [
            record(.interimUpdate, at: hour0 + 60, up: 4_000_000_000, down: 10, seconds: 60, gigawords: false),
            record(.interimUpdate, at: hour0 + 120, up: 100_000_000, down: 20, seconds: 120, gigawords: false),
        ]
        let (once, first) = play(packets)
        #expect(once.uploadBytes == 1 << 32 + 100_000_000)
        #expect(totals(first).0 == 1 << 32 + 100_000_000)
        let (twice, again) = play(packets, from: once)
        #expect(twice.uploadBytes == 1 << 32 + 100_000_000)
        #expect(totals(again).0 == 0 && totals(again).1 == 0)
        let (late, none) = play([record(.interimUpdate, at: hour0 + 90, up: 4_100_000_000, down: 15, seconds: 90, gigawords: false)], from: once)
        #expect(late.uploadBytes == 1 << 32 + 100_000_000)
        #expect(totals(none).0 == 0)
    }

    @Test("Usage is spread over the hours between updates, proportionally and exactly")
    func hourlySpread() {
        // 90 minutes from 19:30 to 21:00: a third in 19:00, two thirds in 20:00.
        let (_, buckets) = play([
            record(.start, at: hour0 + 1800),
            record(.interimUpdate, at: hour0 + 7200, up: 3000, down: 3001, seconds: 5400),
        ])
        #expect(buckets[hour0]?.0 == 1000)
        #expect(buckets[hour0 + 3600]?.0 == 2000)
        #expect(buckets[hour0]?.2 == 1800)
        #expect(buckets[hour0 + 3600]?.2 == 3600)
        #expect(totals(buckets) == (3000, 3001, 5400))
    }

    @Test(
        "Spreading never loses a byte, whatever the interval",
        arguments: [
            (0, 1, 1), (17, 3601, 7), (3599, 3601, 2), (0, 86_400 * 3 + 5, 1_000_003), (5, 5, 99), (100, 50, 10),
        ] as [(Int64, Int64, UInt64)])
    func spreadIsExact(from: Int64, to: Int64, amount: UInt64) {
        let parts = SessionAccounting.spread(
            tenantID: 1, subscriber: "x", from: hour0 + from, to: hour0 + to,
            upload: amount, download: amount * 3, seconds: amount / 2)
        #expect(parts.reduce(0) { $0 + $1.uploadBytes } == amount)
        #expect(parts.reduce(0) { $0 + $1.downloadBytes } == amount * 3)
        #expect(parts.reduce(0) { $0 + $1.sessionSeconds } == amount / 2)
        #expect(parts.allSatisfy { $0.hour % 3600 == 0 })
        #expect(Set(parts.map(\.hour)).count == parts.count)
    }

    @Test("Huge counters do not overflow the spreading arithmetic")
    func hugeValues() {
        let parts = SessionAccounting.spread(
            tenantID: 1, subscriber: "x", from: hour0, to: hour0 + 10 * 3600,
            upload: UInt64.max, download: 0, seconds: 0)
        #expect(parts.reduce(UInt64(0)) { $0 &+ $1.uploadBytes } == UInt64.max)
        #expect(parts.count == 10)
    }

    @Test("A repeated Stop keeps the first; a Stop after a stale close replaces it")
    func stopAfterStale() {
        var stale = SessionState(hasEvents: true, uploadBytes: 10, downloadBytes: 10, startedAt: hour0, lastEventAt: hour0 + 60)
        stale.stoppedAt = hour0 + 60
        stale.closeReason = .stale
        let (state, _) = play([record(.stop, at: hour0 + 120, up: 20, down: 20, cause: 1)], from: stale)
        #expect(state.closeReason == .stop)
        #expect(state.stoppedAt == hour0 + 120)
        let (again, _) = play([record(.stop, at: hour0 + 180, up: 20, down: 20, cause: 2)], from: state)
        #expect(again.stoppedAt == hour0 + 120)
    }

    @Test("Event time: Event-Timestamp when sane, else receipt minus Acct-Delay-Time")
    func eventTime() {
        let now: Int64 = 1_795_548_069
        #expect(EventTime.resolve(eventTimestamp: UInt32(now - 10), delay: 5, receivedAtSeconds: now) == now - 10)
        #expect(EventTime.resolve(eventTimestamp: nil, delay: 5, receivedAtSeconds: now) == now - 5)
        #expect(EventTime.resolve(eventTimestamp: 12, delay: 7, receivedAtSeconds: now) == now - 7)
        #expect(EventTime.resolve(eventTimestamp: UInt32(now + 3600), delay: nil, receivedAtSeconds: now) == now)
        #expect(EventTime.resolve(eventTimestamp: nil, delay: UInt32.max, receivedAtSeconds: now) == now - EventTime.maximumAge)
    }

    @Test("floorHour handles negative times")
    func floorHour() {
        #expect(SessionAccounting.floorHour(3599) == 0)
        #expect(SessionAccounting.floorHour(3600) == 3600)
        #expect(SessionAccounting.floorHour(-1) == -3600)
    }
}
