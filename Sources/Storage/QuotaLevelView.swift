import Accounting
import Foundation
import Rating

/// One policy's position as the API shows it.
public struct QuotaLevelView: Hashable, Sendable {
    public var level: QuotaLevel
    /// When this threshold was crossed for the current period and allowance, if it was.
    public var crossedAt: String?
}
