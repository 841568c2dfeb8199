import Prometheus
import Storage

/// Webhook counters, kept in a Prometheus registry that /metrics exports.
public final class WebhookMetrics: Sendable {
    /// What one attempt ended in.
    public enum Outcome: String, CaseIterable, Sendable {
        /// Answered 2xx.
        case delivered
        /// Failed; tried again later.
        case retry
        /// Failed and given up.
        case failed
    }

    /// The registry the metrics are kept in (the server's, shared with enforcement's and HTTP's).
    public let registry: PrometheusCollectorRegistry
    /// Attempts by event and outcome.
    private let attempts: [String: Counter]
    /// NAS reported silent.
    let nasSilent: Counter
    /// Deliveries waiting (pending), refreshed by the dispatcher.
    let pending: Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        // Every label set exists from the start, so that a scrape shows the zeros too.
        var attempts: [String: Counter] = [:]
        for event in WebhookEvent.allCases {
            for outcome in Outcome.allCases {
                attempts["\(event.rawValue)|\(outcome.rawValue)"] = registry.makeCounter(
                    name: "tollgate_webhook_attempts_total", labels: [("event", event.rawValue), ("outcome", outcome.rawValue)],
                    help: "Webhook delivery attempts, by event and outcome (delivered, retry, failed: given up).")
            }
        }
        self.attempts = attempts
        pending = registry.makeGauge(
            name: "tollgate_webhook_pending",
            help: "Webhook deliveries waiting to be sent or retried (refreshed periodically).")
        nasSilent = registry.makeCounter(name: "tollgate_nas_silent_total", help: "NAS reported silent (nas.silent).")
    }

    /// Counts one attempt of `event` that ended with `outcome`.
    public func count(event: String, outcome: Outcome) {
        attempts["\(event)|\(outcome.rawValue)"]?.increment()
    }

    /// The Prometheus text exposition of the registry.
    public func render() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
