import Rating
import Storage

/// A subscriber's quota for the current billing cycle: usage, allowance, thresholds and restriction.
struct QuotaOutput: Encodable, Sendable {
    struct Threshold: Encodable, Sendable {
        var index: Int
        var at: String
        var action: String
        var period: String
        var periodKey: String
        var rate: String?
        var fallback: String?
        var thresholdBytes: Int64
        var usedBytes: Int64
        var crossed: Bool
        var crossedAt: String?
    }

    struct State: Encodable, Sendable {
        var action: String
        var rate: String?
        var period: String
        var periodKey: String
        var since: String
    }

    var user: String
    var plan: String?
    var planVersionId: Int64?
    var cycle: String
    var segmentFrom: String?
    var segmentUntil: String?
    var allowanceBytes: Int64
    var usedBytes: Int64
    var state: String
    var restriction: State?
    var thresholds: [Threshold]
    var topUps: [TopUpOutput]

    init(_ view: QuotaView) {
        user = view.userName
        plan = view.plan
        planVersionId = view.planVersionID
        cycle = view.cycle
        segmentFrom = view.segmentFirst?.description
        segmentUntil = view.segmentEnd.map { $0.adding(days: -1).description }
        allowanceBytes = view.allowanceBytes
        usedBytes = view.usedBytes
        state = view.state?.name ?? "normal"
        restriction = view.state.map { State(action: $0.action, rate: $0.rate, period: $0.period, periodKey: $0.periodKey, since: $0.since) }
        thresholds = view.levels.map { item in
            Threshold(
                index: item.level.index, at: item.level.policy.thresholdText, action: item.level.policy.action.rawValue,
                period: item.level.policy.period.rawValue, periodKey: item.level.periodKey, rate: item.level.policy.rate,
                fallback: item.level.policy.fallback?.rawValue, thresholdBytes: item.level.thresholdBytes, usedBytes: item.level.usedBytes,
                crossed: item.level.isCrossed, crossedAt: item.crossedAt)
        }
        topUps = view.topUps.map(TopUpOutput.init)
    }
}
