import Accounting
import Foundation
import Rating

/// A User-Name billed under plans.
public struct SubscriberRecord: Hashable, Sendable {
    public var id: Int64
    public var userName: String
    public var assignments: [AssignmentRecord]

    /// The assignment covering `date`, if any.
    public func assignment(on date: CivilDate) -> AssignmentRecord? {
        assignments.first { $0.startsOn <= date && ($0.endsOn.map { date < $0 } ?? true) }
    }
}
