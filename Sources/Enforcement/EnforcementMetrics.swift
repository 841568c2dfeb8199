import Prometheus

/// The enforcer's counters and latencies, kept in a Prometheus registry that /metrics exports.
public final class EnforcementMetrics: Sendable {
    /// The registry the metrics are kept in (the server's, shared with the webhooks' and HTTP's).
    public let registry: PrometheusCollectorRegistry
    /// Subscribers evaluated against their policies.
    let evaluated: Counter
    /// Thresholds crossed (recorded), by action.
    private let crossings: [String: Counter]
    /// Requests finished, by action and outcome.
    private let outcomes: [String: Counter]
    /// From the decision to the NAS's ACK.
    let decisionToAck: DurationHistogram
    /// Requests sent and not finished yet.
    let inFlight: Gauge

    /// The actions a quota threshold can take.
    static let quotaActions = ["notify", "throttle", "block", "disconnect"]
    /// The requests sent to a NAS and how each can end.
    static let requestActions = EnforcementAction.allCases.map(\.rawValue)
    static let requestOutcomes = ["acked", "naked", "timeout", "failed"]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        evaluated = registry.makeCounter(name: "tollgate_quota_evaluations_total", help: "Subscribers evaluated against their quota policies.")
        // Every label set exists from the start, so that a scrape shows the zeros too.
        var crossings: [String: Counter] = [:]
        for action in Self.quotaActions {
            crossings[action] = registry.makeCounter(
                name: "tollgate_quota_crossings_total", labels: [("action", action)],
                help: "Quota thresholds crossed, by action.")
        }
        self.crossings = crossings
        var outcomes: [String: Counter] = [:]
        for action in Self.requestActions {
            for outcome in Self.requestOutcomes {
                outcomes["\(action)|\(outcome)"] = registry.makeCounter(
                    name: "tollgate_enforcement_requests_total", labels: [("action", action), ("outcome", outcome)],
                    help: "CoA and Disconnect requests finished, by action and outcome.")
            }
        }
        self.outcomes = outcomes
        inFlight = registry.makeGauge(name: "tollgate_enforcement_in_flight", help: "Requests sent and not answered or timed out yet.")
        decisionToAck = registry.makeDurationHistogram(
            name: "tollgate_enforcement_ack_seconds",
            buckets: [
                .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
                .seconds(10), .seconds(30), .seconds(60), .seconds(120),
            ],
            help: "From the decision (for a crossing: when it was recorded) to the NAS's ACK.")
    }

    func crossed(_ action: String) {
        crossings[action]?.increment()
    }

    func finished(action: String, outcome: String) {
        outcomes["\(action)|\(outcome)"]?.increment()
    }

    /// The Prometheus text exposition of the registry.
    public func render() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
