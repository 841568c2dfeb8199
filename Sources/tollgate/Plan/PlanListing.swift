import Accounting
import Rating
import Storage

/// Plans as rows with their latest version's terms, as the `plan` commands print them.
func planListing(_ plans: [PlanRecord]) -> Listing {
    Listing(
        columns: ["name", "versions", "latest_from", "currency", "recurring_fee", "included", "unit", "overage"],
        rows: plans.map { plan in
            let latest = plan.versions.last
            let overage: String
            switch latest?.terms.overage {
            case .perUnit?: overage = "per_unit"
            case .graduated?: overage = "graduated"
            case .volume?: overage = "volume"
            default: overage = "none"
            }
            return [
                .text(plan.name), .number(Int64(plan.versions.count)), .text(latest?.effectiveFrom.description), .text(latest?.terms.currency),
                .text(latest.map { DecimalText.format($0.terms.recurringFee) }), .text(latest.map { DecimalText.format($0.terms.included) }),
                .text(latest?.terms.unit.rawValue), .text(overage),
            ]
        })
}
