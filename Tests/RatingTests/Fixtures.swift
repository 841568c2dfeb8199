import Accounting
import Foundation

@testable import Rating

func d(_ text: String) -> Decimal { DecimalText.parse(text)! }
func date(_ text: String) -> CivilDate { CivilDate(text)! }

/// UTC seconds of a local wall-clock hour in a time zone (`2026-09-05 02:00`).
func instant(_ text: String, zone: String = "Europe/Vienna") -> Int64 {
    let parts = text.split(separator: " ")
    let day = CivilDate(parts[0])!
    let hm = parts[1].split(separator: ":")
    let local = day.dayNumber * 86400 + Int64(hm[0])! * 3600 + Int64(hm[1])! * 60
    return LocalTime.utc(local: local, zone: zone)!
}

// swift-format-ignore: AlwaysUseLowerCamelCase
// The unit symbol reads best in the figures.
let GB: Int64 = 1_000_000_000

func usage(_ local: String, down: Int64 = 0, up: Int64 = 0, zone: String = "Europe/Vienna") -> HourlyUsage {
    HourlyUsage(hour: PeriodCalendar.floorHour(instant(local, zone: zone)), upload: up, download: down)
}

func planVersion(_ terms: PlanTerms) -> RatedVersion { planVersion(1, terms) }

func planVersion(from: String, _ terms: PlanTerms) -> RatedVersion { planVersion(1, from: from, terms) }

func planVersion(_ id: Int64, plan: String = "Home", from: String = "2026-01-01", _ terms: PlanTerms) -> RatedVersion {
    RatedVersion(id: id, planName: plan, effectiveFrom: date(from), terms: terms)
}

func engine(
    period: String = "2026-09", billingDay: Int = 1, zone: String = "Europe/Vienna", currency: String = "EUR",
    rounding: RoundingMode = .halfEven, versions: [RatedVersion] = []
) -> RatingEngine {
    let calendar = PeriodCalendar(period: BillingPeriod(period, billingDay: billingDay)!, timeZone: zone)!
    return RatingEngine(calendar: calendar, settings: RatingSettings(currency: Currency(code: currency)!, rounding: rounding), versions: versions)
}

func rate(
    _ versions: [RatedVersion], from: String = "2026-01-01", until: String? = nil, usage: [HourlyUsage] = [],
    period: String = "2026-09", zone: String = "Europe/Vienna", currency: String = "EUR", rounding: RoundingMode = .halfEven
) -> SubscriberRating {
    engine(period: period, zone: zone, currency: currency, rounding: rounding, versions: versions)
        .rate(assignments: [PlanAssignment(versions: versions, from: date(from), until: until.map(date))], usage: usage)
}

extension SubscriberRating {
    var total: Int64 { InvoiceTotals(lines).total }
    var subtotal: Int64 { InvoiceTotals(lines).subtotal }
    func lines(_ kind: LineKind) -> [InvoiceLine] { lines.filter { $0.kind == kind } }
    func amounts(_ kind: LineKind) -> [Int64] { lines(kind).map(\.amount) }
}
