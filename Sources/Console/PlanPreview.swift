import Accounting
import Rating
import Storage

/// A subscriber's cycle rated twice, as an invoice run rates it: on the plans as they are,
/// and with a candidate version of one plan added (not stored). Pure: rating inputs in,
/// both ratings out.
struct PlanPreview {
    /// The version id the candidate is rated under: above every stored id, so a candidate from
    /// the same date as a stored version wins as a newly added one would.
    static let candidateVersionID = Int64.max

    var current: SubscriberRating
    var candidate: SubscriberRating
    /// Whether the subscriber is on the plan for a day of the period on or after the
    /// candidate's date (otherwise the candidate cannot change anything).
    var candidateApplies: Bool

    init(
        inputs: RatingInputs, plan: String, terms: PlanTerms, effectiveFrom: CivilDate,
        calendar: PeriodCalendar, settings: RatingSettings
    ) {
        var versions = Dictionary(uniqueKeysWithValues: inputs.plans.map { ($0.id, $0.versions.map(\.rated)) })
        let planID = inputs.plans.first { $0.name == plan }?.id
        let currentEngine = RatingEngine(calendar: calendar, settings: settings, versions: versions.values.flatMap { $0 })
        current = currentEngine.rate(assignments: InvoiceStore.assignments(inputs.subscriber, versions), usage: inputs.usage)
        if let planID {
            versions[planID, default: []].append(
                RatedVersion(id: Self.candidateVersionID, planName: plan, effectiveFrom: effectiveFrom, terms: terms))
        }
        let candidateEngine = RatingEngine(calendar: calendar, settings: settings, versions: versions.values.flatMap { $0 })
        candidate = candidateEngine.rate(assignments: InvoiceStore.assignments(inputs.subscriber, versions), usage: inputs.usage)
        let period = calendar.period
        candidateApplies =
            planID != nil
            && inputs.subscriber.assignments.contains { assignment in
                assignment.planID == planID
                    && max(assignment.startsOn, effectiveFrom, period.first) < min(assignment.endsOn ?? period.end, period.end)
            }
    }
}
