import Accounting
import Foundation
import Rating

/// A plan and its versions, oldest first.
public struct PlanRecord: Hashable, Sendable {
    public var id: Int64
    public var name: String
    public var versions: [PlanVersionRecord]
}
