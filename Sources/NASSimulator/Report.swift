/// What a run did and what the accounting server must now hold.
public struct Report: Sendable, CustomStringConvertible {
    /// Distinct requests sent (first transmissions; a re-sent event with a new Identifier counts).
    public var requestsSent = 0
    /// Identical packets sent again because no valid answer came in time.
    public var retransmissions = 0
    /// Times a NAS gave its server up and moved to the next (`SimulatedNAS.failoverTargets`).
    public var failovers = 0
    /// Requests retransmitted to another server than the one they were first sent to.
    public var requestsMoved = 0
    /// Identical copies sent on purpose (`SessionEvent.Duplicate.identical`).
    public var duplicatesSent = 0
    /// Requests answered by a valid response.
    public var acknowledged = 0
    /// Requests given up after every retry, or still outstanding at the time limit.
    public var unanswered = 0
    /// Requests never sent: the time limit came first, or the script cannot be encoded (a text
    /// attribute over 253 octets).
    public var notSent = 0
    /// Responses to an outstanding request whose authenticators did not verify (ignored).
    public var badResponses = 0
    /// Valid answers to requests already answered (the server answered a copy too).
    public var lateResponses = 0
    /// Datagrams that answer nothing: from another address, not a response, malformed.
    public var ignoredDatagrams = 0
    /// Datagrams the kernel refused to send (they are retransmitted like lost ones).
    public var sendErrors = 0
    /// Whether the run stopped at its time limit (or was cancelled) with work left.
    public var stoppedEarly = false
    /// Acknowledgement latency: first send of a request to its valid response.
    public var latency = LatencySummary()
    /// From the first send to the end of the run.
    public var elapsed: Duration = .zero

    /// What the server must hold once every request of the script is recorded: sessions,
    /// and the sum of each session's highest (final) counters.
    public var expected = UsageTotals()
    /// Expected totals per User-Name (empty when the run did not collect them).
    public var expectedPerUser: [String: UsageTotals] = [:]
    /// The same from acknowledged requests only: what the server must hold at least.
    public var acknowledgedTotals = UsageTotals()
    /// The first unanswered requests, for failure messages.
    public var unansweredRequests: [RequestLabel] = []

    public init() {}

    /// Acknowledged requests per second of `elapsed`.
    public var packetsPerSecond: Double {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Double(acknowledged) / seconds : 0
    }

    /// Every request answered and verified, nothing left unsent.
    public var isComplete: Bool {
        unanswered == 0 && notSent == 0 && acknowledged == requestsSent && badResponses == 0
    }

    public var description: String {
        var lines: [String] = []
        lines.append(
            "requests \(requestsSent), acknowledged \(acknowledged), retransmissions \(retransmissions), "
                + "unanswered \(unanswered), not sent \(notSent), bad responses \(badResponses), late responses \(lateResponses)")
        if failovers > 0 || requestsMoved > 0 {
            lines.append("failovers \(failovers), requests moved to another server \(requestsMoved)")
        }
        lines.append("\(formatRate(packetsPerSecond)) packets/s over \(formatDuration(elapsed)); latency \(latency)")
        lines.append("expected: \(expected)")
        return lines.joined(separator: "\n")
    }

    /// Adds another report's counts (for runs split over several threads).
    mutating func merge(_ other: Report) {
        requestsSent += other.requestsSent
        retransmissions += other.retransmissions
        failovers += other.failovers
        requestsMoved += other.requestsMoved
        duplicatesSent += other.duplicatesSent
        acknowledged += other.acknowledged
        unanswered += other.unanswered
        notSent += other.notSent
        badResponses += other.badResponses
        lateResponses += other.lateResponses
        ignoredDatagrams += other.ignoredDatagrams
        sendErrors += other.sendErrors
        stoppedEarly = stoppedEarly || other.stoppedEarly
        elapsed = max(elapsed, other.elapsed)
        expected.add(other.expected)
        acknowledgedTotals.add(other.acknowledgedTotals)
        for (user, totals) in other.expectedPerUser { expectedPerUser[user, default: UsageTotals()].add(totals) }
        unansweredRequests += other.unansweredRequests
    }
}

/// Sessions and octets, as a collector must count them.
public struct UsageTotals: Hashable, Sendable, CustomStringConvertible {
    public var sessions = 0
    /// Octets subscribers sent (Acct-Input).
    public var upload: UInt64 = 0
    /// Octets subscribers received (Acct-Output).
    public var download: UInt64 = 0

    public init(sessions: Int = 0, upload: UInt64 = 0, download: UInt64 = 0) {
        self.sessions = sessions
        self.upload = upload
        self.download = download
    }

    mutating func add(_ other: UsageTotals) {
        sessions += other.sessions
        upload &+= other.upload
        download &+= other.download
    }

    public var description: String { "\(sessions) sessions, upload \(upload) octets, download \(download) octets" }
}

/// Which request a report line is about.
public struct RequestLabel: Hashable, Sendable, CustomStringConvertible {
    /// The NAS's local address.
    public var nas: String
    /// Acct-Session-Id, or nil for a standalone message.
    public var sessionID: String?
    /// Index of the event in the session's script, or of the message.
    public var index: Int
    /// "Start", "Interim-Update", "Stop", "Accounting-On", "Accounting-Off", "Status-Server".
    public var kind: String

    public var description: String {
        if let sessionID { return "\(nas) session \(sessionID) event \(index) (\(kind))" }
        return "\(nas) \(kind)"
    }
}

/// Percentiles of acknowledgement latency, exact (from every sample).
public struct LatencySummary: Hashable, Sendable, CustomStringConvertible {
    public var count = 0
    public var p50: Duration = .zero
    public var p90: Duration = .zero
    public var p99: Duration = .zero
    public var max: Duration = .zero
    public var mean: Duration = .zero

    public init() {}

    /// Computes the summary from samples in nanoseconds (sorts them).
    public init(nanoseconds samples: [UInt64]) {
        guard !samples.isEmpty else { return }
        let sorted = samples.sorted()
        func at(_ q: Double) -> Duration {
            // Nearest-rank: the smallest sample with at least q of the samples at or below it.
            let rank = Swift.max(1, Int((q * Double(sorted.count)).rounded(.up)))
            return .nanoseconds(Int64(sorted[Swift.min(rank, sorted.count) - 1]))
        }
        count = sorted.count
        p50 = at(0.50)
        p90 = at(0.90)
        p99 = at(0.99)
        max = .nanoseconds(Int64(sorted[sorted.count - 1]))
        var total: UInt64 = 0
        for sample in sorted { total &+= sample }
        mean = .nanoseconds(Int64(total / UInt64(sorted.count)))
    }

    public var description: String {
        "p50 \(formatDuration(p50)), p90 \(formatDuration(p90)), p99 \(formatDuration(p99)), max \(formatDuration(max))"
    }
}

/// Milliseconds with three decimals: "1.234 ms".
public func formatDuration(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    let whole = microseconds / 1000
    let fraction = microseconds % 1000
    let padded = String(fraction).count < 3 ? String(repeating: "0", count: 3 - String(fraction).count) + String(fraction) : String(fraction)
    return "\(whole).\(padded) ms"
}

func formatRate(_ value: Double) -> String {
    String(Int(value.rounded()))
}

extension Duration {
    /// The duration in milliseconds, as a floating-point number (for reports).
    public var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
