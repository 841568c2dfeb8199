import Accounting
import Foundation
import Rating

/// A subscriber's lasting restriction.
public struct QuotaStateView: Hashable, Sendable {
    public var action: String
    public var rate: String?
    public var period: String
    public var periodKey: String
    public var since: String

    /// `throttled` or `blocked`, as the API and the CLI name the state.
    public var name: String { action == "block" ? "blocked" : "throttled" }
}
