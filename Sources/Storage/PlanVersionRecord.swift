import Accounting
import Foundation
import Rating

/// A plan version as stored.
public struct PlanVersionRecord: Hashable, Sendable {
    public var id: Int64
    public var planID: Int64
    public var planName: String
    public var effectiveFrom: CivilDate
    public var terms: PlanTerms

    public var rated: RatedVersion { RatedVersion(id: id, planName: planName, effectiveFrom: effectiveFrom, terms: terms) }
}
