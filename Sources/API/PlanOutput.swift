import Rating
import Storage

/// A plan with its versions as the API answers it, each version's terms as the plan document reads them.
struct PlanOutput: Encodable, Sendable {
    struct Version: Encodable, Sendable {
        var id: Int64
        var effectiveFrom: String
        /// The terms as the plan document reads them.
        var terms: RawJSON
    }

    var id: Int64
    var name: String
    var versions: [Version]

    init(_ plan: PlanRecord) {
        id = plan.id
        name = plan.name
        versions = plan.versions.map {
            Version(id: $0.id, effectiveFrom: $0.effectiveFrom.description, terms: RawJSON($0.terms.canonicalJSON))
        }
    }
}
