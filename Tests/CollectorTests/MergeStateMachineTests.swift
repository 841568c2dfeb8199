import Storage
import Testing

@testable import Collector

typealias MergeMachine = MergeStateMachine

/// A machine driven to `state` through its events (at time 0).
private func machine(in state: MergeMachine.State) -> MergeMachine {
    var machine = MergeMachine()
    switch state {
    case .disconnected(retryAt: 0, delay: 50_000):
        break
    case .standingBy(let nextAttempt):
        machine.connected(now: nextAttempt)
    case .leading:
        machine.connected(now: 0)
        machine.leadership(acquired: true, now: 0)
    case .stopped:
        machine.stop()
    default:
        Issue.record("no path to \(state)")
    }
    #expect(machine.state == state)
    return machine
}

@Suite("Merge state machine")
struct MergeStateMachineTests {
    struct NextCase: Sendable, CustomTestStringConvertible {
        var state: MergeMachine.State, now: Int64, expected: MergeMachine.Action
        var testDescription: String { "\(state) at \(now)" }
    }

    static let nextCases: [NextCase] = [
        NextCase(state: .disconnected(retryAt: 0, delay: 50_000), now: 0, expected: .connect),
        NextCase(state: .disconnected(retryAt: 0, delay: 50_000), now: 9, expected: .connect),
        NextCase(state: .standingBy(nextAttempt: 3_000_000), now: 2_999_999, expected: .wait(until: 3_000_000)),
        NextCase(state: .standingBy(nextAttempt: 3_000_000), now: 3_000_000, expected: .tryToLead),
        NextCase(state: .leading, now: 0, expected: .merge),
        NextCase(state: .leading, now: 77_000_000, expected: .merge),
        NextCase(state: .stopped, now: 0, expected: .wait(until: .max)),
    ]

    @Test("next(now:) per state", arguments: nextCases)
    func next(_ c: NextCase) {
        #expect(machine(in: c.state).next(now: c.now) == c.expected)
    }

    @Test("A disconnected machine waits for its retry time")
    func disconnectedWaits() {
        var m = MergeMachine()
        m.connectFailed(now: 1_000_000)
        #expect(m.state == .disconnected(retryAt: 1_050_000, delay: 100_000))
        #expect(m.next(now: 1_049_999) == .wait(until: 1_050_000))
        #expect(m.next(now: 1_050_000) == .connect)
    }

    @Test("Connect backoff doubles from 50 ms to the 2 s cap; a connection resets it")
    func backoff() {
        var m = MergeMachine()
        var now: Int64 = 0
        var waits: [Int64] = []
        for _ in 0..<8 {
            m.connectFailed(now: now)
            guard case .disconnected(let retryAt, _) = m.state else {
                Issue.record("not disconnected: \(m.state)")
                return
            }
            waits.append(retryAt - now)
            now = retryAt
        }
        #expect(waits == [50_000, 100_000, 200_000, 400_000, 800_000, 1_600_000, 2_000_000, 2_000_000])
        #expect(m.state == .disconnected(retryAt: now, delay: 2_000_000))
        m.connected(now: now)
        #expect(m.state == .standingBy(nextAttempt: now))
        #expect(m.next(now: now) == .tryToLead)
        // A connect failing from a connected state (after a loss) starts at the first delay again.
        m.connectionLost(now: now)
        #expect(m.state == .disconnected(retryAt: now + 50_000, delay: 100_000))
        m.connectFailed(now: now + 50_000)
        #expect(m.state == .disconnected(retryAt: now + 150_000, delay: 200_000))
    }

    @Test("connectFailed outside the disconnected state restarts at the first delay")
    func connectFailedWhileConnected() {
        var m = machine(in: .standingBy(nextAttempt: 0))
        m.connectFailed(now: 10)
        #expect(m.state == .disconnected(retryAt: 50_010, delay: 50_000))
    }

    @Test("Leadership acquired leads; refused stands by and asks again after 1 s")
    func leadership() {
        var m = machine(in: .standingBy(nextAttempt: 0))
        m.leadership(acquired: false, now: 500_000)
        #expect(m.state == .standingBy(nextAttempt: 1_500_000))
        #expect(m.next(now: 1_499_999) == .wait(until: 1_500_000))
        #expect(m.next(now: 1_500_000) == .tryToLead)
        m.leadership(acquired: true, now: 1_500_000)
        #expect(m.state == .leading)
        #expect(m.next(now: 1_500_001) == .merge)
    }

    @Test("merged(drained:): straight on while rows wait, else a 20 ms wait")
    func merged() {
        var m = machine(in: .leading)
        #expect(m.merged(drained: false, now: 1_000_000) == .merge)
        #expect(m.merged(drained: true, now: 1_000_000) == .wait(until: 1_020_000))
        #expect(m.state == .leading)
        // Not leading: the answer is what next(now:) says, and the state is kept.
        var standby = machine(in: .standingBy(nextAttempt: 2_000_000))
        #expect(standby.merged(drained: false, now: 1_000_000) == .wait(until: 2_000_000))
        #expect(standby.state == .standingBy(nextAttempt: 2_000_000))
    }

    struct MergeFailureCase: Sendable, CustomTestStringConvertible {
        var failure: WriteFailure, oneByOne: Bool
        var expected: MergeMachine.Action, state: MergeMachine.State
        var testDescription: String { "\(failure) oneByOne \(oneByOne)" }
    }

    static let now: Int64 = 7_000_000
    static let mergeFailures: [MergeFailureCase] = [false, true].flatMap { oneByOne in
        [
            MergeFailureCase(
                failure: .databaseUnavailable, oneByOne: oneByOne, expected: .disconnect,
                state: .disconnected(retryAt: now + 50_000, delay: 100_000)),
            MergeFailureCase(failure: .transient, oneByOne: oneByOne, expected: oneByOne ? .mergeOneByOne : .merge, state: .leading),
            // A refused batch is split; a refused single packet is set aside and the merge goes on.
            MergeFailureCase(failure: .dataRefused, oneByOne: oneByOne, expected: oneByOne ? .merge : .mergeOneByOne, state: .leading),
            MergeFailureCase(
                failure: .other, oneByOne: oneByOne, expected: .disconnect,
                state: .disconnected(retryAt: now + 2_000_000, delay: 2_000_000)),
        ]
    }

    @Test("mergeFailed for every failure, batch and one by one, and the state it leaves", arguments: mergeFailures)
    func mergeFailed(_ c: MergeFailureCase) {
        var m = machine(in: .leading)
        #expect(m.mergeFailed(c.failure, now: Self.now, oneByOne: c.oneByOne) == c.expected)
        #expect(m.state == c.state)
        if case .disconnected(let retryAt, _) = c.state {
            #expect(m.next(now: retryAt - 1) == .wait(until: retryAt))
            #expect(m.next(now: retryAt) == .connect)
        }
    }

    @Test(
        "After stop every event is harmless",
        arguments: [
            MergeMachine.State.disconnected(retryAt: 0, delay: 50_000), .standingBy(nextAttempt: 0), .leading, .stopped,
        ])
    func stop(from state: MergeMachine.State) {
        var m = machine(in: state)
        m.stop()
        #expect(m.state == .stopped)
        m.connected(now: 1)
        m.connectFailed(now: 2)
        m.leadership(acquired: true, now: 3)
        m.leadership(acquired: false, now: 4)
        m.connectionLost(now: 5)
        #expect(m.merged(drained: false, now: 6) == .wait(until: .max))
        #expect(m.merged(drained: true, now: 6) == .wait(until: .max))
        for failure in [WriteFailure.databaseUnavailable, .transient, .dataRefused, .other] {
            for oneByOne in [false, true] {
                #expect(m.mergeFailed(failure, now: 7, oneByOne: oneByOne) == .wait(until: .max))
            }
        }
        #expect(m.state == .stopped)
        #expect(m.next(now: .max - 1) == .wait(until: .max))
    }
}
