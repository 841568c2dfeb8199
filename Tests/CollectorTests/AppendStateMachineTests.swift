import Storage
import Testing

@testable import Collector

typealias AppendMachine = AppendStateMachine

/// A machine in the given connection state (connected, or disconnected after `failures` failed connects at time 0).
private func machine(connected: Bool) -> AppendMachine {
    var machine = AppendMachine()
    if connected { machine.connected() }
    return machine
}

@Suite("Append state machine")
struct AppendStateMachineTests {
    struct RouteCase: Sendable, CustomTestStringConvertible {
        var configured: Bool, active: Bool, connected: Bool, expected: AppendMachine.Action
        var testDescription: String {
            "spool \(configured ? "configured" : "none")/\(active ? "active" : "idle"), \(connected ? "connected" : "disconnected")"
        }
    }

    static let routes: [RouteCase] = [
        // A spool holding records takes every batch, connected or not, so its replay keeps the order.
        RouteCase(configured: true, active: true, connected: true, expected: .spool),
        RouteCase(configured: true, active: true, connected: false, expected: .spool),
        RouteCase(configured: true, active: false, connected: true, expected: .append),
        RouteCase(configured: true, active: false, connected: false, expected: .spool),
        RouteCase(configured: false, active: false, connected: true, expected: .append),
        RouteCase(configured: false, active: false, connected: false, expected: .leaveUnanswered),
        // "Active" without a configured spool cannot happen; it must not route to a spool that is not there.
        RouteCase(configured: false, active: true, connected: true, expected: .append),
        RouteCase(configured: false, active: true, connected: false, expected: .leaveUnanswered),
    ]

    @Test("Route for every spool and connection state", arguments: routes)
    func route(_ c: RouteCase) {
        let machine = machine(connected: c.connected)
        #expect(machine.route(spoolConfigured: c.configured, spoolActive: c.active) == c.expected)
    }

    struct FailureCase: Sendable, CustomTestStringConvertible {
        var failure: WriteFailure, count: Int, attempt: Int, spool: Bool
        var expected: AppendMachine.Action
        /// Whether the connection is dropped (retry at once, first delay).
        var disconnects: Bool
        var testDescription: String { "\(failure) count \(count) attempt \(attempt) spool \(spool)" }
    }

    static let failures: [FailureCase] = {
        var cases: [FailureCase] = []
        let within = AppendMachine.transientRetries
        let over = AppendMachine.transientRetries + 1
        for count in [1, 7] {
            for attempt in [1, within, over] {
                for spool in [false, true] {
                    let many = count > 1
                    cases.append(
                        FailureCase(
                            failure: .databaseUnavailable, count: count, attempt: attempt, spool: spool,
                            expected: spool ? .spool : .leaveUnanswered, disconnects: true))
                    cases.append(
                        FailureCase(
                            failure: .transient, count: count, attempt: attempt, spool: spool,
                            expected: attempt <= within ? .append : (many ? .appendOneByOne : .leaveUnanswered),
                            disconnects: false))
                    cases.append(
                        FailureCase(
                            failure: .dataRefused, count: count, attempt: attempt, spool: spool,
                            expected: many ? .appendOneByOne : .leaveUnanswered, disconnects: false))
                    cases.append(
                        FailureCase(
                            failure: .other, count: count, attempt: attempt, spool: spool,
                            expected: .leaveUnanswered, disconnects: true))
                }
            }
        }
        return cases
    }()

    @Test("A failed append: the action and the connection state it leaves", arguments: failures)
    func appendFailed(_ c: FailureCase) {
        var machine = machine(connected: true)
        let now: Int64 = 5_000_000
        let action = machine.appendFailed(c.failure, count: c.count, attempt: c.attempt, spoolConfigured: c.spool, now: now)
        #expect(action == c.expected)
        if c.disconnects {
            #expect(machine.connection == .disconnected(retryAt: now, delay: 50_000))
            #expect(machine.shouldConnect(now: now))
            // Disconnected, the next batch goes to the spool or stays unanswered: never to the dead connection.
            #expect(machine.route(spoolConfigured: c.spool, spoolActive: false) == (c.spool ? .spool : .leaveUnanswered))
        } else {
            #expect(machine.connection == .connected)
            #expect(!machine.shouldConnect(now: now))
        }
    }

    @Test("The retry budget is three appends after the first")
    func transientBudget() {
        #expect(AppendMachine.transientRetries == 3)
        var machine = machine(connected: true)
        let actions = (1...5).map { machine.appendFailed(.transient, count: 2, attempt: $0, spoolConfigured: false, now: 0) }
        #expect(actions == [.append, .append, .append, .appendOneByOne, .appendOneByOne])
    }

    @Test("Connect backoff doubles from 50 ms to the 2 s cap; shouldConnect waits for it")
    func backoff() {
        var machine = AppendMachine()
        #expect(machine.connection == .disconnected(retryAt: 0, delay: 50_000))
        #expect(machine.shouldConnect(now: 0))
        var now: Int64 = 1_000_000
        var retryAts: [Int64] = []
        var delays: [Int64] = []
        for _ in 0..<9 {
            machine.connectFailed(now: now)
            guard case .disconnected(let retryAt, let delay) = machine.connection else {
                Issue.record("connected after a failed connect")
                return
            }
            retryAts.append(retryAt - now)
            delays.append(delay)
            #expect(!machine.shouldConnect(now: retryAt - 1))
            #expect(machine.shouldConnect(now: retryAt))
            now = retryAt
        }
        // The wait before each attempt, and the one after the next failure.
        #expect(retryAts == [50_000, 100_000, 200_000, 400_000, 800_000, 1_600_000, 2_000_000, 2_000_000, 2_000_000])
        #expect(delays == [100_000, 200_000, 400_000, 800_000, 1_600_000, 2_000_000, 2_000_000, 2_000_000, 2_000_000])

        machine.connected()
        #expect(machine.connection == .connected)
        #expect(!machine.shouldConnect(now: .max))
        // A connection lost between batches starts over at once with the first delay.
        machine.connectionLost(now: now)
        #expect(machine.connection == .disconnected(retryAt: now, delay: 50_000))
        #expect(machine.shouldConnect(now: now))
        machine.connectFailed(now: now)
        #expect(machine.connection == .disconnected(retryAt: now + 50_000, delay: 100_000))
    }
}
