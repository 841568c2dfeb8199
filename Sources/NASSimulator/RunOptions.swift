/// How a run sends: window, retransmission, pacing and the time limit.
public struct RunOptions: Hashable, Sendable {
    /// Requests outstanding at once, over all NAS of the run; default 64. A NAS uses one
    /// socket per 192 outstanding requests so its Identifiers never run out.
    public var window: Int = 64
    /// Time to wait for an answer before sending the identical packet again; default 1 s.
    public var timeout: Duration = .seconds(1)
    /// Retransmissions after the first send before giving up on a request; default 3.
    public var retries: Int = 3
    /// Transmissions of one request to a server without a valid answer after which its NAS
    /// moves to the next of its `SimulatedNAS.failoverTargets`; default 3. Only a NAS with
    /// failover targets moves; `retries` still bounds a request's transmissions over all servers.
    public var failoverAfter = 3
    /// The run stops by itself after this long, whatever is still outstanding; default 60 s.
    public var timeLimit: Duration = .seconds(60)
    /// Cap on new requests per second (retransmissions are not paced); nil for none (the default).
    public var rate: Double?
    /// Whether the report lists expected totals per User-Name; default true.
    public var collectPerUserTotals = true
    /// How many unanswered requests the report describes one by one; default 100.
    public var unansweredDetailLimit = 100
    /// Sockets per NAS; nil (the default) derives it from the window and the number of NAS.
    public var socketsPerNAS: Int?

    public init(
        window: Int = 64, timeout: Duration = .seconds(1), retries: Int = 3,
        timeLimit: Duration = .seconds(60), rate: Double? = nil
    ) {
        self.window = window
        self.timeout = timeout
        self.retries = retries
        self.timeLimit = timeLimit
        self.rate = rate
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        return whole &+ UInt64(attoseconds / 1_000_000_000)
    }
}
