import Storage

/// An appender's decisions, without I/O: where a batch goes (the packet log, the spool, or
/// nowhere: left unanswered), what a failed append leads to, and when to connect again. The
/// writer thread runs the actions and reports their outcome as the next event.
///
/// While the spool holds records every batch goes there, so its replay hands the log
/// everything in order; a batch the database cannot take (unavailable: gone, read-only,
/// full, timed out) goes to the spool when there is one, else stays unanswered for its NAS
/// to retransmit; a batch whose data the database refuses is appended one packet at a time,
/// so only the packet at fault stays unanswered.
struct AppendStateMachine: Equatable {
    enum Connection: Equatable {
        case connected
        /// No connection; the next attempt not before `retryAt` (monotonic microseconds).
        case disconnected(retryAt: Int64, delay: Int64)
    }

    enum Action: Equatable {
        /// Append the batch to the log in one transaction.
        case append
        /// Append the batch's packets one transaction each.
        case appendOneByOne
        /// Append the batch to the spool; answer it once durable there.
        case spool
        /// Answer none of the batch: its NAS devices retransmit.
        case leaveUnanswered
    }

    static let firstRetryDelay: Int64 = 50_000
    static let longestRetryDelay: Int64 = 2_000_000
    /// Appends of one batch retried after a deadlock or serialization failure.
    static let transientRetries = 3

    private(set) var connection: Connection = .disconnected(retryAt: 0, delay: firstRetryDelay)

    /// Whether to try connecting at `now`.
    func shouldConnect(now: Int64) -> Bool {
        if case .disconnected(let retryAt, _) = connection { return now >= retryAt }
        return false
    }

    mutating func connected() { connection = .connected }

    /// The connection turned out to be gone (noticed between batches).
    mutating func connectionLost(now: Int64) {
        connection = .disconnected(retryAt: now, delay: Self.firstRetryDelay)
    }

    mutating func connectFailed(now: Int64) {
        let delay: Int64
        if case .disconnected(_, let last) = connection { delay = last } else { delay = Self.firstRetryDelay }
        connection = .disconnected(retryAt: now + delay, delay: min(delay * 2, Self.longestRetryDelay))
    }

    /// Where a batch goes, given the spool (nil: none configured) and whether it holds records.
    func route(spoolConfigured: Bool, spoolActive: Bool) -> Action {
        if spoolConfigured && spoolActive { return .spool }
        if connection == .connected { return .append }
        return spoolConfigured ? .spool : .leaveUnanswered
    }

    /// After an append of `count` packets failed (`attempt` appends of it so far).
    mutating func appendFailed(_ failure: WriteFailure, count: Int, attempt: Int, spoolConfigured: Bool, now: Int64) -> Action {
        switch failure {
        case .databaseUnavailable:
            connection = .disconnected(retryAt: now, delay: Self.firstRetryDelay)
            return spoolConfigured ? .spool : .leaveUnanswered
        case .transient:
            return attempt <= Self.transientRetries ? .append : (count > 1 ? .appendOneByOne : .leaveUnanswered)
        case .dataRefused:
            return count > 1 ? .appendOneByOne : .leaveUnanswered
        case .other:
            // Unknown trouble: a new connection next time, and this batch is not answered.
            connection = .disconnected(retryAt: now, delay: Self.firstRetryDelay)
            return .leaveUnanswered
        }
    }
}
