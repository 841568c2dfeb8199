import Accounting
import Foundation
import Rating

/// Usage of one User-Name that no plan assignment covered in a period.
public struct UnassignedUsageRow: Hashable, Sendable {
    public var userName: String
    /// Whether the User-Name is a subscriber (on no plan for some of the days) or unknown.
    public var isSubscriber: Bool
    public var uploadBytes: Int64
    public var downloadBytes: Int64
}
