import Collector
import Foundation
import Synchronization

/// The enforcer's counters, exported with the collector's on /metrics.
public final class EnforcementMetrics: Sendable {
    /// Subscribers evaluated against their policies.
    public let evaluated = Atomic<Int>(0)
    /// Thresholds crossed (recorded), by action.
    private let crossings = Mutex<[String: Int]>([:])
    /// Requests finished, by action and outcome.
    private let outcomes: Mutex<[String: Int]>
    /// Decision to ACK, microseconds: 50 ms .. 2 min.
    public let decisionToAck = Histogram(bounds: [50_000, 100_000, 250_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000,
                                                  30_000_000, 60_000_000, 120_000_000])
    /// Requests sent and not finished yet.
    public let inFlight = Atomic<Int>(0)

    enum QuotaActionName: String, CaseIterable { case notify, throttle, block, disconnect }

    public init() {
        outcomes = Mutex([:])
    }

    func crossed(_ action: String) {
        crossings.withLock { $0[action, default: 0] += 1 }
    }

    func finished(action: String, outcome: String) {
        outcomes.withLock { $0["\(action)|\(outcome)", default: 0] += 1 }
    }

    /// How many requests of `action` ended with `outcome` (acked, naked, timeout, failed).
    public func count(action: String, outcome: String) -> Int {
        outcomes.withLock { $0["\(action)|\(outcome)"] ?? 0 }
    }

    /// The Prometheus text exposition of these metrics.
    public func render() -> String {
        var out = "# HELP tollgate_quota_evaluations_total Subscribers evaluated against their quota policies.\n"
        out += "# TYPE tollgate_quota_evaluations_total counter\n"
        out += "tollgate_quota_evaluations_total \(evaluated.load(ordering: .relaxed))\n"
        out += "# HELP tollgate_quota_crossings_total Quota thresholds crossed, by action.\n# TYPE tollgate_quota_crossings_total counter\n"
        let crossed = crossings.withLock { $0 }
        for name in QuotaActionName.allCases {
            out += "tollgate_quota_crossings_total{action=\"\(name.rawValue)\"} \(crossed[name.rawValue] ?? 0)\n"
        }
        out += "# HELP tollgate_enforcement_requests_total CoA and Disconnect requests finished, by action and outcome.\n"
        out += "# TYPE tollgate_enforcement_requests_total counter\n"
        let counts = outcomes.withLock { $0 }
        for action in ["throttle", "block", "restore", "disconnect"] {
            for outcome in ["acked", "naked", "timeout", "failed"] {
                out += "tollgate_enforcement_requests_total{action=\"\(action)\",outcome=\"\(outcome)\"} \(counts["\(action)|\(outcome)"] ?? 0)\n"
            }
        }
        out += "# HELP tollgate_enforcement_in_flight Requests sent and not answered or timed out yet.\n# TYPE tollgate_enforcement_in_flight gauge\n"
        out += "tollgate_enforcement_in_flight \(inFlight.load(ordering: .relaxed))\n"
        out += decisionToAck.render(name: "tollgate_enforcement_ack_seconds",
                                    help: "From the decision (for a crossing: when it was recorded) to the NAS's ACK.", scale: 1_000_000)
        return out
    }
}
