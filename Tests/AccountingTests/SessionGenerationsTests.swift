import Accounting
import Testing

/// Plays records through the generations of one key, starting from a key just created.
private func generations(_ records: [AccountingRecord], from start: [SessionGenerations.Generation]? = nil)
    -> (SessionGenerations, usage: (UInt64, UInt64, UInt64), opened: Int)
{
    var g = SessionGenerations(start ?? [.init(number: 1, state: SessionState())])
    var usage: (UInt64, UInt64, UInt64) = (0, 0, 0)
    var opened = 0
    for r in records {
        let applied = g.apply(r)
        if applied.opened { opened += 1 }
        for u in applied.usage {
            usage = (usage.0 + u.uploadBytes, usage.1 + u.downloadBytes, usage.2 + u.sessionSeconds)
        }
    }
    return (g, usage, opened)
}

/// Closes the latest generation as Accounting-On does: at its last event, cause NAS-Reboot.
private func rebooted(_ g: SessionGenerations) -> [SessionGenerations.Generation] {
    var list = g.generations
    var state = list[list.count - 1].state
    if state.isOpen {
        state.stoppedAt = state.lastEventAt ?? state.startedAt
        state.closeReason = .nasReboot
        state.terminateCause = 11
    }
    list[list.count - 1].state = state
    return list
}

private func summary(_ g: SessionGenerations) -> [[UInt64]] {
    g.generations.map { [UInt64($0.number), $0.state.uploadBytes, $0.state.downloadBytes, $0.state.sessionSeconds] }
}

@Suite("Session generations")
struct SessionGenerationsTests {
    @Test("A reused Acct-Session-Id after Stop and Accounting-On is a second session, not a wrap (same second)")
    func reuseAfterReboot() {
        // Every packet in the same second, without Gigawords, as radclient sends them; only
        // the receipt order tells them apart.
        let t = hour0 + 100
        func received(_ r: AccountingRecord, _ order: Int64) -> AccountingRecord {
            var r = r
            r.receivedAt = t * 1_000_000 + order
            return r
        }
        var g = SessionGenerations([.init(number: 1, state: SessionState())])
        var usage: (UInt64, UInt64, UInt64) = (0, 0, 0)
        func play(_ r: AccountingRecord, rebooted: Int64?) {
            for u in g.apply(r, nasRebootedAt: rebooted).usage {
                usage = (usage.0 + u.uploadBytes, usage.1 + u.downloadBytes, usage.2 + u.sessionSeconds)
            }
        }
        let firstStart = received(record(.start, at: t), 1)
        let firstStop = received(record(.stop, at: t, up: 3_500_000_000, down: 1000, seconds: 600, gigawords: false, cause: 1), 2)
        play(firstStart, rebooted: nil)
        play(firstStop, rebooted: nil)
        // Accounting-On received at order 3.
        let secondStart = received(record(.start, at: t), 4)
        let secondStop = received(record(.stop, at: t, up: 100_000_000, down: 500, seconds: 300, gigawords: false, cause: 1), 5)
        play(secondStart, rebooted: t * 1_000_000 + 3)
        play(secondStop, rebooted: t * 1_000_000 + 3)
        #expect(summary(g) == [[1, 3_500_000_000, 1000, 600], [2, 100_000_000, 500, 300]])
        #expect(usage == (3_600_000_000, 1500, 900))
        #expect(g.generations.map(\.state.closeReason) == [.stop, .stop])
        // The second session's packets retransmitted afterwards, in the same second, and the
        // first one's Start: nothing changes.
        for r in [secondStart, secondStop, firstStart] {
            var again = r
            again.receivedAt = t * 1_000_000 + 9
            play(again, rebooted: t * 1_000_000 + 3)
        }
        #expect(summary(g) == [[1, 3_500_000_000, 1000, 600], [2, 100_000_000, 500, 300]])
        #expect(usage == (3_600_000_000, 1500, 900))
    }

    @Test("A zero-length session's Start and Stop retransmitted in the same second open nothing")
    func sameSecondRetransmission() {
        let start = record(.start, at: hour0)
        let stop = record(.stop, at: hour0, up: 100, down: 200, seconds: 0)
        let (g, usage, opened) = generations([start, stop, start, stop, start, stop])
        #expect(opened == 0)
        #expect(summary(g) == [[1, 100, 200, 0]])
        #expect(usage == (100, 200, 0))
        // A Stop of a 2-second session stamped on receipt a few seconds later: the same session.
        let (late, lateUsage, lateOpened) = generations([
            record(.start, at: hour0), record(.stop, at: hour0 + 2, up: 5, down: 6, seconds: 2),
            record(.stop, at: hour0 + 9, up: 5, down: 6, seconds: 2),
        ])
        #expect(lateOpened == 0 && summary(late) == [[1, 5, 6, 2]] && lateUsage == (5, 6, 2))
    }

    @Test("A packet received after the NAS rebooted opens a new generation, also without Start or Acct-Session-Time")
    func afterReboot() {
        var g = SessionGenerations([.init(number: 1, state: SessionState())])
        _ = g.apply(record(.start, at: hour0))
        _ = g.apply(record(.interimUpdate, at: hour0 + 600, up: 3_900_000_000, down: 10, seconds: 600, gigawords: false))
        // The NAS rebooted without Stop; its next session's Interim (no Acct-Session-Time) with lower counters.
        var interim = record(.interimUpdate, at: hour0 + 700, up: 1000, down: 20, gigawords: false)
        interim.receivedAt = (hour0 + 700) * 1_000_000
        let applied = g.apply(interim, nasRebootedAt: (hour0 + 650) * 1_000_000)
        #expect(applied.opened && applied.superseded == 0)
        #expect(summary(g) == [[1, 3_900_000_000, 10, 600], [2, 1000, 20, 0]])
        #expect(applied.usage.reduce(0) { $0 + $1.uploadBytes } == 1000)
        // A packet received before the reboot (a late copy from another collector) is the old session's.
        var old = record(.interimUpdate, at: hour0 + 640, up: 3_950_000_000, down: 11, seconds: 640, gigawords: false)
        old.receivedAt = (hour0 + 640) * 1_000_000
        let late = g.apply(old, nasRebootedAt: (hour0 + 650) * 1_000_000)
        #expect(!late.opened && late.index == 0)
        #expect(summary(g) == [[1, 3_950_000_000, 11, 640], [2, 1000, 20, 0]])
    }

    @Test("An Interim of a new session reaching an open generation (Stop and Start lost) is not a wrap")
    func openGenerationLostStart() {
        let (g, usage, opened) = generations([
            record(.start, at: hour0),
            record(.interimUpdate, at: hour0 + 300, up: 3_900_000_000, down: 10, seconds: 300, gigawords: false),
            // The next session began at +3600; its first Interim says so by its session time.
            record(.interimUpdate, at: hour0 + 3900, up: 1000, down: 20, seconds: 300, gigawords: false),
            // Its late Start belongs to it, not to the first session.
            record(.start, at: hour0 + 3600),
        ])
        #expect(opened == 1)
        #expect(summary(g) == [[1, 3_900_000_000, 10, 300], [2, 1000, 20, 300]])
        #expect(g.generations[0].state.closeReason == .superseded)
        #expect(g.generations[1].state.startedAt == hour0 + 3600)
        #expect(usage == (3_900_001_000, 30, 600))
    }

    @Test("Stamped on receipt (no Event-Timestamp), a long-queued Interim is never taken for a new session")
    func receiptTimeNeverOpensByImpliedStart() {
        var queued = record(.interimUpdate, at: hour0 + 400, up: 1500, down: 2500, seconds: 60)
        queued.eventTimeFromNAS = false
        // The Start read at +0, its first Interim (60 s into the session) read 400 s later.
        let (g, usage, opened) = generations([record(.start, at: hour0), queued])
        #expect(opened == 0)
        #expect(summary(g) == [[1, 1500, 2500, 60]])
        #expect(usage == (1500, 2500, 60))
        // The same packet stamped by the NAS says its session began at +340: a new one.
        var stamped = queued
        stamped.eventTimeFromNAS = true
        #expect(generations([record(.start, at: hour0), stamped]).opened == 1)
    }

    @Test("After a stale close, an Interim without Acct-Session-Time continues the session; counted once")
    func staleThenInterimWithoutSessionTime() {
        var (g, usage, _) = generations([
            record(.start, at: hour0),
            record(.interimUpdate, at: hour0 + 300, up: 1000, down: 2000),
        ])
        var list = g.generations
        list[0].state.stoppedAt = hour0 + 300
        list[0].state.closeReason = .stale
        g = SessionGenerations(list)
        let applied = g.apply(record(.interimUpdate, at: hour0 + 7200, up: 1500, down: 2500))
        usage.0 += applied.usage.reduce(0) { $0 + $1.uploadBytes }
        #expect(!applied.opened)
        #expect(summary(g) == [[1, 1500, 2500, 0]])
        #expect(usage.0 == 1500)
    }

    @Test("A generation opened by an Interim waits for its own Start, however late it arrives")
    func lateStartOfInterimOpenedGeneration() {
        // Stamped on receipt: the Start arrives after the Interim and looks later than it.
        let (g, usage, opened) = generations([
            record(.interimUpdate, at: hour0 + 160, up: 100, down: 200, seconds: 60),
            record(.start, at: hour0 + 200),
            record(.interimUpdate, at: hour0 + 220, up: 300, down: 400, seconds: 120),
        ])
        #expect(opened == 0)
        #expect(summary(g) == [[1, 300, 400, 120]])
        #expect(usage == (300, 400, 120))
    }

    @Test("A Start after the latest generation's stop opens a new one; its counters count from zero")
    func startAfterStop() {
        let (g, usage, opened) = generations([
            record(.start, at: hour0),
            record(.interimUpdate, at: hour0 + 300, up: 4_000_000_000, down: 10, seconds: 300, gigawords: false),
            record(.stop, at: hour0 + 600, up: 4_000_000_100, down: 20, seconds: 600, gigawords: false),
            record(.start, at: hour0 + 900),
            record(.interimUpdate, at: hour0 + 1200, up: 50, down: 5, seconds: 300, gigawords: false),
        ])
        #expect(opened == 1)
        #expect(summary(g) == [[1, 4_000_000_100, 20, 600], [2, 50, 5, 300]])
        #expect(usage == (4_000_000_150, 25, 900))
        #expect(g.generations[1].state.isOpen)
    }

    @Test("A late Stop of the old generation closes the old one, after the new one began")
    func lateStopOfOldGeneration() {
        let (g, usage, opened) = generations([
            record(.start, at: hour0),
            record(.interimUpdate, at: hour0 + 300, up: 1000, down: 2000, seconds: 300),
            // The NAS begins the id anew (its Stop of the first session is still in flight).
            record(.start, at: hour0 + 900),
            record(.interimUpdate, at: hour0 + 1200, up: 10, down: 20, seconds: 300),
            // The first session's Stop arrives late: it happened at +600.
            record(.stop, at: hour0 + 600, up: 1500, down: 2500, seconds: 600, cause: 1),
            record(.stop, at: hour0 + 1500, up: 30, down: 40, seconds: 600, cause: 1),
        ])
        #expect(opened == 1)
        #expect(summary(g) == [[1, 1500, 2500, 600], [2, 30, 40, 600]])
        #expect(g.generations.map(\.state.stoppedAt) == [hour0 + 600, hour0 + 1500])
        #expect(g.generations.map(\.state.closeReason) == [.stop, .stop])
        #expect(usage == (1530, 2540, 1200))
    }

    @Test("A Start later than every event of an open generation supersedes it")
    func supersede() {
        let (g, _, opened) = generations([
            record(.start, at: hour0),
            record(.interimUpdate, at: hour0 + 300, up: 1000, down: 2000, seconds: 300),
            record(.start, at: hour0 + 7200),
        ])
        #expect(opened == 1)
        #expect(g.generations[0].state.closeReason == .superseded)
        #expect(g.generations[0].state.stoppedAt == hour0 + 300)
        #expect(g.generations[1].state.isOpen && g.generations[1].state.startedAt == hour0 + 7200)
    }

    @Test("Interim-Update before Start: one generation, whichever arrives first")
    func interimBeforeStart() {
        let (g, usage, opened) = generations([
            record(.interimUpdate, at: hour0 + 600, up: 100, down: 200, seconds: 600),
            record(.start, at: hour0),
            record(.stop, at: hour0 + 900, up: 150, down: 300, seconds: 900),
        ])
        #expect(opened == 0)
        #expect(summary(g) == [[1, 150, 300, 900]])
        #expect(g.generations[0].state.startedAt == hour0)
        #expect(usage == (150, 300, 900))
    }

    @Test("Interim-Update before Start of a second generation: both go to the second")
    func interimBeforeStartOfSecondGeneration() {
        let (g, usage, opened) = generations([
            record(.start, at: hour0),
            record(.stop, at: hour0 + 600, up: 900, down: 900, seconds: 600),
            // After a reboot the new session's interim overtakes its Start.
            record(.interimUpdate, at: hour0 + 2000, up: 70, down: 80, seconds: 800),
            record(.start, at: hour0 + 1200),
            record(.stop, at: hour0 + 2400, up: 90, down: 100, seconds: 1200),
        ])
        #expect(opened == 1)
        #expect(summary(g) == [[1, 900, 900, 600], [2, 90, 100, 1200]])
        #expect(g.generations[1].state.startedAt == hour0 + 1200)
        #expect(usage == (990, 1000, 1800))
    }

    @Test("Duplicate and retransmitted Starts open nothing, also after the session's interims")
    func duplicateStart() {
        let start = record(.start, at: hour0)
        let (g, usage, opened) = generations([
            start, start,
            record(.interimUpdate, at: hour0 + 300, up: 10, down: 20, seconds: 300),
            start,
            record(.stop, at: hour0 + 600, up: 15, down: 25, seconds: 600),
            start,
        ])
        #expect(opened == 0)
        #expect(summary(g) == [[1, 15, 25, 600]])
        #expect(usage == (15, 25, 600))
    }

    @Test("A late Interim of a stopped session adds nothing below the Stop's counters and opens nothing")
    func lateInterimAfterStop() {
        let (g, usage, opened) = generations([
            record(.start, at: hour0),
            record(.stop, at: hour0 + 600, up: 500, down: 600, seconds: 600),
            // Generated at +300 but stamped on receipt (no Event-Timestamp, no Acct-Delay-Time).
            record(.interimUpdate, at: hour0 + 700, up: 300, down: 400, seconds: 300),
        ])
        #expect(opened == 0)
        #expect(summary(g) == [[1, 500, 600, 600]])
        #expect(usage == (500, 600, 600))
    }

    @Test("An Interim of a session that began after the stop (its Start lost) opens a generation")
    func lostStartAfterReboot() {
        let (g, usage, opened) = generations([
            record(.start, at: hour0),
            record(.interimUpdate, at: hour0 + 600, up: 3_900_000_000, down: 10, seconds: 600, gigawords: false),
        ])
        let after = SessionGenerations(rebooted(g))
        let (final, more, openedAfter) = generations(
            [
                record(.interimUpdate, at: hour0 + 3600, up: 1000, down: 20, seconds: 300, gigawords: false)
            ], from: after.generations)
        #expect(opened == 0 && openedAfter == 1)
        #expect(summary(final) == [[1, 3_900_000_000, 10, 600], [2, 1000, 20, 300]])
        #expect(usage.0 + more.0 == 3_900_001_000)
    }

    @Test("Wrap detection never fires for an older retransmitted Interim, nor across generations")
    func noWrapAcrossGenerationsOrForOlderInterim() {
        let (g, usage, _) = generations([
            record(.start, at: hour0),
            record(.interimUpdate, at: hour0 + 300, up: 3_000_000_000, down: 1, seconds: 300, gigawords: false),
            record(.interimUpdate, at: hour0 + 600, up: 3_200_000_000, down: 2, seconds: 600, gigawords: false),
            // An older interim retransmitted: far below, but older, so not a wrap.
            record(.interimUpdate, at: hour0 + 100, up: 200, down: 1, seconds: 100, gigawords: false),
            // A real wrap of the same session: later, and more than half the range below.
            record(.interimUpdate, at: hour0 + 900, up: 100, down: 3, seconds: 900, gigawords: false),
        ])
        #expect(summary(g) == [[1, (1 << 32) + 100, 3, 900]])
        #expect(usage == ((1 << 32) + 100, 3, 900))
    }

    @Test("Every order of two generations' packets gives the same two sessions")
    func everyOrder() {
        // Generation 1: Start, Interim, Stop; Accounting-On; generation 2 likewise, later.
        let first = [
            record(.start, at: hour0), record(.interimUpdate, at: hour0 + 300, up: 100, down: 1000, seconds: 300),
            record(.stop, at: hour0 + 600, up: 200, down: 2000, seconds: 600),
        ]
        let second = [
            record(.start, at: hour0 + 3600), record(.interimUpdate, at: hour0 + 3900, up: 10, down: 100, seconds: 300),
            record(.stop, at: hour0 + 4200, up: 20, down: 200, seconds: 600),
        ]
        // Within each generation any order; the second generation's packets after the first's Stop.
        for a in permutations(first) {
            for b in permutations(second) {
                let (g, usage, _) = generations(a + b)
                #expect(summary(g) == [[1, 200, 2000, 600], [2, 20, 200, 600]], "order \(a.map(\.eventTime)) \(b.map(\.eventTime))")
                #expect(usage == (220, 2200, 1200))
            }
        }
    }
}

private func permutations<T>(_ items: [T]) -> [[T]] {
    guard items.count > 1 else { return [items] }
    return items.indices.flatMap { i -> [[T]] in
        var rest = items
        let head = rest.remove(at: i)
        return permutations(rest).map { [head] + $0 }
    }
}
