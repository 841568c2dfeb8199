import Foundation
import Storage
import Synchronization

/// Webhook counters, in the Prometheus text format (appended to /metrics).
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

    private let attempts = Mutex<[String: Int]>([:])
    /// NAS reported silent.
    public let nasSilent = Atomic<Int>(0)
    /// Deliveries waiting (pending), refreshed by the dispatcher.
    public let pending = Atomic<Int>(0)

    public init() {}

    public func count(event: String, outcome: Outcome) {
        attempts.withLock { $0["\(event)|\(outcome.rawValue)", default: 0] += 1 }
    }

    public func attempts(event: String, outcome: Outcome) -> Int {
        attempts.withLock { $0["\(event)|\(outcome.rawValue)"] ?? 0 }
    }

    /// Prometheus text exposition format 0.0.4.
    public func render() -> String {
        var out = "# HELP tollgate_webhook_attempts_total Webhook delivery attempts, by event and outcome (delivered, retry, failed: given up).\n"
        out += "# TYPE tollgate_webhook_attempts_total counter\n"
        for event in WebhookEvent.allCases {
            for outcome in Outcome.allCases {
                out += "tollgate_webhook_attempts_total{event=\"\(event.rawValue)\",outcome=\"\(outcome.rawValue)\"} \(attempts(event: event.rawValue, outcome: outcome))\n"
            }
        }
        out += "# HELP tollgate_webhook_pending Webhook deliveries waiting to be sent or retried (refreshed periodically).\n"
        out += "# TYPE tollgate_webhook_pending gauge\ntollgate_webhook_pending \(pending.load(ordering: .relaxed))\n"
        out += "# HELP tollgate_nas_silent_total NAS reported silent (nas.silent).\n"
        out += "# TYPE tollgate_nas_silent_total counter\ntollgate_nas_silent_total \(nasSilent.load(ordering: .relaxed))\n"
        return out
    }
}
