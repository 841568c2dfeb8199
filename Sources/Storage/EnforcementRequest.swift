import Accounting
import Foundation
import Rating

/// A CoA or Disconnect request as recorded: what to send, to which session, and why.
public struct EnforcementRequest: Hashable, Sendable {
    public var tenantID: Int64
    public var id: Int64
    public var userName: String
    public var crossingID: Int64?
    public var sessionID: Int64
    public var nasID: Int64
    public var acctSessionID: String
    public var framedIPAddress: String?
    /// throttle, block, restore or disconnect.
    public var action: String
    /// crossing, reconnect, top-up, new-period or fallback.
    public var reason: String
    /// The throttle rate, or for a restore the plan's normal rate.
    public var rate: String?
    /// What to send instead if the NAS refuses or never answers.
    public var fallback: String?
    /// UTC seconds when the request was decided (for a crossing: when it was recorded).
    public var decidedAt: Double
}
