import Accounting
import Foundation
import Rating

/// How a request ended.
public enum EnforcementStatus: String, Hashable, Sendable, CaseIterable {
    case pending, acked, naked, timeout, failed
}
