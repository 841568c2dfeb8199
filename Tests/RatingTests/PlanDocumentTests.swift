import Accounting
import Foundation
import Testing

@testable import Rating

@Suite("Rating: plan documents and money")
struct PlanDocumentTests {
    func parse(_ json: String) throws(PlanError) -> PlanDocument { try PlanDocument.parse(json: Data(json.utf8)) }

    func error(_ json: String) -> PlanError? {
        do {
            _ = try parse(json)
            return nil
        } catch { return error }
    }

    @Test("a complete plan parses and survives its canonical form")
    func roundTrip() throws {
        let document = try parse(
            """
            {"name": "Home 100", "effective_from": "2026-01-01", "currency": "EUR", "recurring_fee": "29.90", "unit": "GiB",
             "included": 100, "directions": "download", "overage": "graduated", "increment": "0.5",
             "tiers": [{"up_to": "10", "price": "1.00"}, {"price": "0.25"}], "usage_cap": "50", "tax_rate": "0.20",
             "windows": [{"name": "Night", "from": "22:00", "to": "06:00", "days": ["fri", "sat"], "factor": "0"}]}
            """)
        #expect(document.name == "Home 100" && document.effectiveFrom == CivilDate("2026-01-01"))
        #expect(document.terms.recurringFee == d("29.90") && document.terms.unit == .GiB && document.terms.included == 100)
        #expect(document.terms.windows == [TimeWindow(name: "Night", fromHour: 22, toHour: 6, days: [4, 5], factor: 0)])
        let again = try parse(document.terms.canonicalJSON)
        #expect(again.terms == document.terms)
        #expect(again.terms.canonicalJSON == document.terms.canonicalJSON)
    }

    @Test(
        "every bad field is refused with its name",
        arguments: [
            (#"{"currency": "EUR", "recurring_fee": 1.5}"#, "recurring_fee"),
            (#"{"currency": "EUR", "recurring_fee": "1.5x"}"#, "recurring_fee"),
            (#"{"currency": "EUR", "recurring_fee": "-1"}"#, "recurring_fee"),
            (#"{"currency": "EUR", "recurring_fee": "1e3"}"#, "recurring_fee"),
            (#"{"currency": "EUR", "recurring_fee": true}"#, "recurring_fee"),
            (#"{"currency": "euro"}"#, "currency"),
            (#"{"recurring_fee": "1"}"#, "currency"),
            (#"{"currency": "EUR", "colour": "red"}"#, "colour"),
            (#"{"currency": "EUR", "unit": "GiGa"}"#, "unit"),
            (#"{"currency": "EUR", "directions": "sideways"}"#, "directions"),
            (#"{"currency": "EUR", "overage": "per_unit"}"#, "price"),
            (#"{"currency": "EUR", "overage": "volume", "tiers": [{"up_to": "5", "price": "1"}]}"#, "tiers[0].up_to"),
            (
                #"{"currency": "EUR", "overage": "graduated", "tiers": [{"up_to": "5", "price": "1"}, {"up_to": "3", "price": "1"}, {"price": "1"}]}"#,
                "tiers[1].up_to"
            ),
            (#"{"currency": "EUR", "overage": "graduated", "tiers": [{"price": "1", "colour": 1}]}"#, "tiers[0].colour"),
            (#"{"currency": "EUR", "tax_rate": "1.5"}"#, "tax_rate"),
            (#"{"currency": "EUR", "increment": "0"}"#, "increment"),
            (#"{"currency": "EUR", "windows": [{"from": "00:30", "to": "06:00", "factor": "0"}]}"#, "windows[0].from"),
            (#"{"currency": "EUR", "windows": [{"from": "00:00", "to": "06:00"}]}"#, "windows[0].factor"),
            (#"{"currency": "EUR", "windows": [{"from": "00:00", "to": "06:00", "factor": "0", "days": ["someday"]}]}"#, "windows[0].days"),
            (#"{"currency": "EUR", "effective_from": "2026-02-30"}"#, "effective_from"),
            (#"{"currency": "EUR", "name": ""}"#, "name"),
            (#"[1, 2]"#, "document"),
            (#"{"currency": "#, "document"),
        ])
    func refused(json: String, field: String) {
        #expect(error(json)?.field == field)
    }

    @Test("a window may cover the whole day (00:00 to 24:00)")
    func wholeDayWindow() throws {
        let document = try parse(
            #"{"currency": "EUR", "windows": [{"name": "Weekend", "from": "00:00", "to": "24:00", "days": ["sat", "sun"], "factor": "0.5"}]}"#)
        let window = document.terms.windows[0]
        #expect(window.contains(hour: 0, weekday: 5) && window.contains(hour: 23, weekday: 6) && !window.contains(hour: 12, weekday: 0))
        #expect(error(#"{"currency": "EUR", "windows": [{"from": "06:00", "to": "06:00", "factor": "0"}]}"#)?.field == "windows[0].to")
    }

    @Test("strict decimal text")
    func decimals() {
        #expect(DecimalText.parse("0.50") == d("0.5") && DecimalText.parse("-3") == -3)
        for bad in ["", "-", ".5", "5.", "1e3", "1.5x", " 1", "1,5", "0x10", "NaN", "1.2.3"] {
            #expect(DecimalText.parse(bad) == nil, "\(bad)")
        }
        #expect(DecimalText.format(d("1.500")) == "1.5" && DecimalText.format(d("2")) == "2" && DecimalText.format(d("0.0000000004")) == "0")
    }

    @Test("currencies: exponents and formatting")
    func currencies() {
        #expect(Currency(code: "EUR")?.exponent == 2 && Currency(code: "JPY")?.exponent == 0 && Currency(code: "BHD")?.exponent == 3)
        #expect(Currency(code: "eur") == nil && Currency(code: "EURO") == nil)
        #expect(Currency(code: "EUR")!.format(minorUnits: -5) == "-0.05" && Currency(code: "EUR")!.format(minorUnits: 123456) == "1234.56")
    }

    @Test("half-down and floor on negative amounts")
    func negativeRounding() {
        #expect(RoundingMode.halfDown.round(d("-2.5"), scale: 0) == -2)
        #expect(RoundingMode.halfDown.round(d("-2.6"), scale: 0) == -3)
        #expect(RoundingMode.floor.round(d("-2.1"), scale: 0) == -3)
        #expect(RoundingMode.halfEven.round(d("-2.5"), scale: 0) == -2)
    }

    @Test("time windows: hours and days, across midnight")
    func windows() {
        let night = TimeWindow(name: "n", fromHour: 22, toHour: 6, days: [6], factor: 0) // starts Sunday
        #expect(night.contains(hour: 23, weekday: 6) && night.contains(hour: 3, weekday: 0))
        #expect(!night.contains(hour: 3, weekday: 6) && !night.contains(hour: 12, weekday: 6))
        let evening = TimeWindow(name: "e", fromHour: 18, toHour: 24, factor: 2)
        #expect(evening.contains(hour: 23, weekday: 2) && !evening.contains(hour: 0, weekday: 2))
    }
}

@Suite("Rating: adjustments for finalized periods")
struct AdjustmentTests {
    let eur = Currency(code: "EUR")!
    let period = BillingPeriod("2026-09", billingDay: 1)!

    @Test("late usage in a finalized period becomes a debit line that says what it corrects")
    func lateUsage() {
        let plan = [planVersion(PlanTerms(currency: "EUR", recurringFee: 10, overage: .perUnit(price: 1), taxRate: d("0.2")))]
        let billed = rate(plan, usage: [usage("2026-09-05 10:00", down: 2 * GB)]).lines
        let rerated = rate(plan, usage: [usage("2026-09-05 10:00", down: 2 * GB), usage("2026-09-29 10:00", down: 3 * GB)]).lines
        let corrections = Adjustments.corrections(period: period, currency: eur, billed: billed, rerated: rerated)
        #expect(corrections.count == 1)
        #expect(corrections[0].kind == .adjustment && corrections[0].amount == 300 && corrections[0].tax == 60)
        #expect(corrections[0].correctsPeriod == "2026-09" && corrections[0].description.contains("Correction for 2026-09"))
        // Once that correction is billed, nothing more is due.
        #expect(Adjustments.corrections(period: period, currency: eur, billed: billed + corrections, rerated: rerated).isEmpty)
    }

    @Test("a corrected plan gives credits for lines no longer due")
    func credit() {
        let old = [planVersion(1, PlanTerms(currency: "EUR", recurringFee: 30))]
        let corrected = [
            planVersion(1, PlanTerms(currency: "EUR", recurringFee: 30)),
            planVersion(2, from: "2026-09-16", PlanTerms(currency: "EUR", recurringFee: 0)),
        ]
        let corrections = Adjustments.corrections(period: period, currency: eur, billed: rate(old).lines, rerated: rate(corrected).lines)
        // 30.00 billed for the month; now 15 days x 30.00 / 30 = 15.00: credit 15.00
        #expect(corrections.map(\.amount) == [-1500])
        #expect(corrections.reduce(0) { $0 + $1.amount } == rate(corrected).total - rate(old).total)
    }

    @Test("a full-cycle fee corrected to a partial one is one adjustment of the amount")
    func unitChange() {
        let plan = [planVersion(PlanTerms(currency: "EUR", recurringFee: 30))]
        let corrections = Adjustments.corrections(
            period: period, currency: eur, billed: rate(plan).lines, rerated: rate(plan, until: "2026-09-21").lines)
        #expect(corrections.count == 1)
        #expect(corrections[0].amount == -1000 && corrections[0].quantity == 1 && corrections[0].unit == "adjustment")
        #expect(corrections[0].unitPrice == d("-10"))
    }

    @Test("unchanged inputs give no corrections")
    func unchanged() {
        let plan = [planVersion(PlanTerms(currency: "EUR", recurringFee: 10, overage: .perUnit(price: 1)))]
        let lines = rate(plan, usage: [usage("2026-09-05 10:00", down: 2 * GB)]).lines
        #expect(Adjustments.corrections(period: period, currency: eur, billed: lines, rerated: lines).isEmpty)
    }
}
