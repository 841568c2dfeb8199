import Accounting
import Foundation
import Rating

/// What re-rating one subscriber's period needs, read in one snapshot.
public struct RatingInputs: Sendable {
    public var subscriber: SubscriberRecord
    /// The plans the subscriber is assigned to, and the plan asked for, with every version.
    public var plans: [PlanRecord]
    /// The subscriber's hourly buckets of the calendar's bucket range.
    public var usage: [HourlyUsage]
}
