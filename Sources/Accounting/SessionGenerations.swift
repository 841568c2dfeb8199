/// The generations of one session key: a NAS that reuses an Acct-Session-Id (after a reboot,
/// or because its counter of ids restarted) begins a new *generation* of the same key, so two
/// sessions are never merged and the second session's lower counters are never read as a wrap.
///
/// Pure: `apply` routes a packet to the generation it belongs to (or opens a new one) and
/// applies it there with `SessionAccounting`. The rules, by event time T and the session's
/// implied start S = T - Acct-Session-Time:
/// - A packet belongs to the last generation that started at or before T (the first one when
///   T precedes them all); between a closed generation's stop and the next one's start, to the
///   next one when it happened after that stop (S > stop).
/// - A Start opens a new generation when the latest one is closed and T is at or after its stop,
///   or when the latest one is open and T is later than every event it has seen (the NAS began
///   the id anew without a Stop; the old generation is closed as `superseded` at its last event).
///   A Start within a generation's lifetime (a retransmission, or a Start that arrives after
///   the session's Interim-Updates) goes to that generation.
/// - An Interim-Update or Stop after the latest generation's stop opens a new generation when
///   the session it reports began after that stop (S > stop): a NAS that lost the Start. Without
///   that evidence it is a late packet of the closed generation and adds only counters above its
///   Stop's.
public struct SessionGenerations: Hashable, Sendable {
    /// One generation as stored.
    public struct Generation: Hashable, Sendable {
        /// 1 for the first session with this key, then 2, 3, ...
        public var number: Int32
        public var state: SessionState

        public init(number: Int32, state: SessionState) {
            self.number = number
            self.state = state
        }
    }

    /// What applying one packet did.
    public struct Applied: Hashable, Sendable {
        /// The generation the packet went to (an index into `generations`).
        public var index: Int
        /// A generation that the packet opened was appended (it is `index`).
        public var opened: Bool
        /// The index of a generation the packet closed as superseded, if any.
        public var superseded: Int?
        public var usage: [UsageDelta]
    }

    /// Ascending by number, without gaps among those loaded.
    public private(set) var generations: [Generation]

    /// `generations` must not be empty: a key's first generation exists (possibly without
    /// events) before any packet is applied to it.
    public init(_ generations: [Generation]) {
        precondition(!generations.isEmpty, "a session key has at least one generation")
        self.generations = generations.sorted { $0.number < $1.number }
    }

    /// Routes `record` to its generation, opening one when the rules say so, and applies it.
    public mutating func apply(_ record: AccountingRecord) -> Applied {
        var superseded: Int?
        let index: Int
        let opened: Bool
        switch route(record) {
        case .existing(let i):
            index = i
            opened = false
        case .new(let supersede):
            if supersede, let latest = generations.indices.last {
                var state = generations[latest].state
                state.stoppedAt = state.lastEventAt ?? state.startedAt
                state.closeReason = .superseded
                generations[latest].state = state
                superseded = latest
            }
            generations.append(Generation(number: generations[generations.count - 1].number + 1, state: SessionState()))
            index = generations.count - 1
            opened = true
        }
        let outcome = SessionAccounting.apply(record, to: generations[index].state)
        generations[index].state = outcome.state
        return Applied(index: index, opened: opened, superseded: superseded, usage: outcome.usage)
    }

    /// Where a packet goes.
    public enum Route: Hashable, Sendable {
        case existing(Int)
        /// A new generation; `supersede` closes the open latest one first.
        case new(supersede: Bool)
    }

    /// Where `record` goes, by the rules in the type's documentation.
    public func route(_ record: AccountingRecord) -> Route {
        let t = record.eventTime
        let impliedStart = t - Int64(record.sessionTime ?? 0)
        let last = generations.count - 1
        // The last generation that started at or before the event; a generation without events
        // (just created for this key) takes anything.
        var index = 0
        for (i, g) in generations.enumerated() where g.state.startedAt.map({ $0 <= t }) ?? true {
            index = i
        }
        let g = generations[index].state
        guard g.hasEvents else { return .existing(index) }

        if record.status == .start {
            if let stopped = g.stoppedAt {
                // At or after the stop: a session that began after this one ended (the same
                // second too: a zero-length session's retransmitted Start opens an empty
                // generation, which is harmless, where merging two sessions is not).
                if t >= stopped { return index == last ? .new(supersede: false) : .existing(index + 1) }
                return .existing(index)
            }
            // Open: a Start later than everything this generation has seen is a new session;
            // one at its own start (a retransmission) or before its first event is its own.
            if index == last, g.startedAt != t, let seen = g.lastEventAt ?? g.startedAt, t > seen {
                return .new(supersede: true)
            }
            return .existing(index)
        }
        if let stopped = g.stoppedAt, t > stopped, impliedStart > stopped {
            return index == last ? .new(supersede: false) : .existing(index + 1)
        }
        return .existing(index)
    }
}
