import Accounting
import Foundation
import Rating

/// What one evaluation round did for one tenant.
public struct EnforcementRound: Sendable {
    public var evaluated = 0
    public var crossings: [QuotaCrossing] = []
    /// Requests recorded in the round, claimed by the caller: send them now.
    public var requests: [EnforcementRequest] = []
}
