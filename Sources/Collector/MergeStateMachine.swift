import Storage

/// The merger's decisions, without I/O: events in (a connection made or lost, leadership
/// won or refused, a merge committed or failed, time passing), the next action out. The
/// merger's thread runs the actions and reports their outcome as the next event.
///
/// One merger per database leads (it holds an advisory lock on its connection, released by
/// PostgreSQL when the connection ends, so a dead leader is replaced at once); the others
/// stand by, ask for the lead about once a second, and watch the lag.
struct MergeStateMachine: Equatable {
    enum State: Equatable {
        /// No connection; the next attempt not before `retryAt` (monotonic microseconds).
        case disconnected(retryAt: Int64, delay: Int64)
        /// Connected, another collector leads; ask again at `nextAttempt`.
        case standingBy(nextAttempt: Int64)
        /// Leading: merging the log.
        case leading
        case stopped
    }

    enum Action: Equatable {
        case connect
        /// Ask for the leadership (try the advisory lock).
        case tryToLead
        /// Read the next batch of the log and apply it.
        case merge
        /// Apply the last batch read one packet at a time: something in it is refused.
        case mergeOneByOne
        /// Drop the connection (and with it the leadership and the session cache).
        case disconnect
        /// Nothing to do until the time given (monotonic microseconds) or a wake-up.
        case wait(until: Int64)
    }

    /// First and longest delay between connection attempts, microseconds.
    static let firstRetryDelay: Int64 = 50_000
    static let longestRetryDelay: Int64 = 2_000_000
    /// How often a standby asks for the leadership.
    static let leadershipInterval: Int64 = 1_000_000
    /// How long a leader that found the log merged up waits for a wake-up before reading again.
    static let idleInterval: Int64 = 20_000

    private(set) var state: State = .disconnected(retryAt: 0, delay: firstRetryDelay)

    /// What to do at `now`.
    func next(now: Int64) -> Action {
        switch state {
        case .disconnected(let retryAt, _):
            return now >= retryAt ? .connect : .wait(until: retryAt)
        case .standingBy(let nextAttempt):
            return now >= nextAttempt ? .tryToLead : .wait(until: nextAttempt)
        case .leading:
            return .merge
        case .stopped:
            return .wait(until: .max)
        }
    }

    mutating func connected(now: Int64) {
        guard state != .stopped else { return }
        state = .standingBy(nextAttempt: now)
    }

    mutating func connectFailed(now: Int64) {
        guard case .disconnected(_, let delay) = state else {
            if state != .stopped { state = .disconnected(retryAt: now + Self.firstRetryDelay, delay: Self.firstRetryDelay) }
            return
        }
        let next = min(delay * 2, Self.longestRetryDelay)
        state = .disconnected(retryAt: now + delay, delay: next)
    }

    mutating func leadership(acquired: Bool, now: Int64) {
        guard state != .stopped else { return }
        state = acquired ? .leading : .standingBy(nextAttempt: now + Self.leadershipInterval)
    }

    /// A merge committed (or found nothing): `drained` says whether the log is merged up.
    /// Returns the action after it: straight on while rows wait, else a short wait.
    mutating func merged(drained: Bool, now: Int64) -> Action {
        guard state == .leading else { return next(now: now) }
        return drained ? .wait(until: now + Self.idleInterval) : .merge
    }

    /// A merge failed; returns what to do about it.
    mutating func mergeFailed(_ failure: WriteFailure, now: Int64, oneByOne: Bool) -> Action {
        guard state == .leading else { return next(now: now) }
        switch failure {
        case .databaseUnavailable:
            state = .disconnected(retryAt: now + Self.firstRetryDelay, delay: Self.firstRetryDelay * 2)
            return .disconnect
        case .transient:
            return oneByOne ? .mergeOneByOne : .merge
        case .dataRefused:
            // Batch: find the packet at fault. One by one: that packet is set aside by the caller.
            return oneByOne ? .merge : .mergeOneByOne
        case .other:
            // Not about the database's state or one packet's data: start over on a new
            // connection after a pause rather than spin on it.
            state = .disconnected(retryAt: now + Self.longestRetryDelay, delay: Self.longestRetryDelay)
            return .disconnect
        }
    }

    /// The connection was lost outside a merge (a failed leadership query, a lag read).
    mutating func connectionLost(now: Int64) {
        guard state != .stopped else { return }
        state = .disconnected(retryAt: now + Self.firstRetryDelay, delay: Self.firstRetryDelay * 2)
    }

    mutating func stop() { state = .stopped }
}
