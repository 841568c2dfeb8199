import Accounting
import Foundation
import Rating

/// `GET /v1/subscribers/{user}/quota`: the cycle's usage, allowance, thresholds and state.
public struct QuotaView: Hashable, Sendable {
    public var userName: String
    public var plan: String?
    public var planVersionID: Int64?
    public var cycle: String
    public var segmentFirst: CivilDate?
    public var segmentEnd: CivilDate?
    public var allowanceBytes: Int64
    public var usedBytes: Int64
    public var levels: [QuotaLevelView]
    public var state: QuotaStateView?
    public var topUps: [TopUpRecord]
}
