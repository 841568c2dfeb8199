import Accounting
import Foundation
import Rating

/// An enforcement request as the log lists it.
public struct EnforcementRecord: Hashable, Sendable {
    public var request: EnforcementRequest
    public var nasName: String?
    public var status: EnforcementStatus
    public var attempts: Int
    public var errorCause: Int64?
    public var detail: String?
    public var decidedAt: String
    public var completedAt: String?
}
