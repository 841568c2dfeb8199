/// The generations of one session key: a NAS that reuses an Acct-Session-Id (after a reboot,
/// or because its counter of ids restarted) begins a new *generation* of the same key, so two
/// sessions are never merged and the second session's lower counters are never read as a wrap.
///
/// Pure: `apply` routes a packet to the generation it belongs to (or opens a new one) and
/// applies it there with `SessionAccounting`. The rules, by event time T, the session's implied
/// start S = T - Acct-Session-Time (when the packet carries it) and receipt times:
/// - A packet belongs to the last generation that started at or before T (the first one when
///   T precedes them all).
/// - A packet received after its NAS rebooted (Accounting-On/Off), for a latest generation last
///   heard of before that reboot, opens a new generation: the NAS forgot every earlier session.
/// - A Start that repeats a generation's start (a retransmission) or falls inside its lifetime
///   (a late Start) is that generation's. A Start at or after the latest generation's stop, or
///   later than every event of an open latest generation that has seen its own Start, opens a
///   new generation (the open one is closed as `superseded` at its last event).
/// - An Interim-Update or Stop stamped by the NAS (Event-Timestamp) whose implied start is more
///   than `tolerance` after the latest generation's stop (or after an open one's last event)
///   reports a session that began later: the NAS lost its Start; it opens a new generation.
///   Without Acct-Session-Time, or with an event time derived from the receipt time (which
///   queueing in an overload can move by minutes), there is no such evidence, and it is a late
///   packet of the generation (adding only counters above the stored ones).
public struct SessionGenerations: Hashable, Sendable {
    /// How far an implied session start may lie after a generation's last event before the
    /// packet is taken for another session (event times are whole seconds and retransmitted
    /// packets stamped on receipt drift by the NAS's retry schedule).
    public static let tolerance: Int64 = 60

    /// One generation as stored.
    public struct Generation: Hashable, Sendable {
        /// 1 for the first session with this key, then 2, 3, ...
        public var number: Int32
        public var state: SessionState
        /// When the latest packet applied to it was received, microseconds since 1970 UTC.
        public var lastReceivedAt: Int64

        public init(number: Int32, state: SessionState, lastReceivedAt: Int64 = 0) {
            self.number = number
            self.state = state
            self.lastReceivedAt = lastReceivedAt
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

    /// Ascending by number.
    public private(set) var generations: [Generation]

    /// `generations` must not be empty: a key's first generation exists (possibly without
    /// events) before any packet is applied to it.
    public init(_ generations: [Generation]) {
        precondition(!generations.isEmpty, "a session key has at least one generation")
        self.generations = generations.sorted { $0.number < $1.number }
    }

    /// Routes `record` to its generation, opening one when the rules say so, and applies it.
    /// `nasRebootedAt`: when the packet's NAS last sent Accounting-On/Off before this packet
    /// was received (microseconds), if known.
    public mutating func apply(_ record: AccountingRecord, nasRebootedAt: Int64? = nil) -> Applied {
        var superseded: Int?
        let index: Int
        let opened: Bool
        switch route(record, nasRebootedAt: nasRebootedAt) {
        case .existing(let i):
            index = i
            opened = false
        case .new(let supersede):
            let latest = generations.count - 1
            if supersede, generations[latest].state.isOpen {
                var state = generations[latest].state
                state.stoppedAt = state.lastEventAt ?? state.startedAt
                state.closeReason = .superseded
                generations[latest].state = state
                superseded = latest
            }
            generations.append(Generation(number: generations[latest].number + 1, state: SessionState()))
            index = generations.count - 1
            opened = true
        }
        let outcome = SessionAccounting.apply(record, to: generations[index].state)
        generations[index].state = outcome.state
        generations[index].lastReceivedAt = max(generations[index].lastReceivedAt, record.receivedAt)
        return Applied(index: index, opened: opened, superseded: superseded, usage: outcome.usage)
    }

    /// Where a packet goes.
    public enum Route: Hashable, Sendable {
        case existing(Int)
        /// A new generation; `supersede` closes the latest one first if it is open.
        case new(supersede: Bool)
    }

    /// Where `record` goes, by the rules in the type's documentation.
    public func route(_ record: AccountingRecord, nasRebootedAt: Int64? = nil) -> Route {
        let t = record.eventTime
        let last = generations.count - 1
        // The last generation that started at or before the event; a generation without events
        // (just created for this key) takes anything.
        var index = 0
        for (i, g) in generations.enumerated() where g.state.startedAt.map({ $0 <= t }) ?? true {
            index = i
        }
        let g = generations[index].state
        guard g.hasEvents else { return .existing(index) }
        let isLatest = index == last
        // After this generation ended (or, when open, after its last event).
        let next: Route = isLatest ? .new(supersede: true) : .existing(index + 1)

        if isLatest, let rebooted = nasRebootedAt, rebooted > generations[index].lastReceivedAt,
            rebooted <= record.receivedAt
        {
            return .new(supersede: true)
        }
        if record.status == .start {
            if g.startedAt == t { return .existing(index) }
            if let stopped = g.stoppedAt { return t >= stopped ? next : .existing(index) }
            // Open: a Start later than everything a started session has seen is a new session;
            // a generation opened by an Interim-Update is still waiting for its own Start.
            if isLatest, g.sawStart, let seen = g.lastEventAt ?? g.startedAt, t > seen { return next }
            return .existing(index)
        }
        guard let sessionTime = record.sessionTime, record.eventTimeFromNAS else { return .existing(index) }
        let impliedStart = t - Int64(sessionTime)
        if let stopped = g.stoppedAt {
            return impliedStart > stopped + Self.tolerance ? next : .existing(index)
        }
        if isLatest, let seen = g.lastEventAt ?? g.startedAt, impliedStart > seen + Self.tolerance { return next }
        return .existing(index)
    }
}
