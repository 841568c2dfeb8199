import Accounting
import Foundation
import Rating

/// A subscriber's time on one plan: local days from `startsOn` until `endsOn` (exclusive).
public struct AssignmentRecord: Hashable, Sendable {
    public var id: Int64
    public var planID: Int64
    public var planName: String
    public var startsOn: CivilDate
    public var endsOn: CivilDate?
}
