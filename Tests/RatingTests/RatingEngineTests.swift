import Accounting
import Foundation
import Testing

@testable import Rating

@Suite("Rating: worked examples, totals computed by hand")
struct RatingEngineTests {
    @Test("a full period charges the whole recurring fee once")
    func fullPeriodFee() {
        let rating = rate([planVersion(PlanTerms(currency: "EUR", recurringFee: d("29.90")))])
        #expect(rating.lines.count == 1)
        let fee = rating.lines[0]
        #expect(fee.kind == .recurringFee && fee.amount == 2990 && fee.quantity == 1 && fee.unit == "cycle")
        #expect(fee.from == date("2026-09-01") && fee.until == date("2026-10-01"))
    }

    @Test("a start on the 14th of a 30-day period pays 17/30 of the fee")
    func proratedStart() {
        // 10.00 x 17 / 30 = 5.6666... -> 5.67
        let rating = rate([planVersion(PlanTerms(currency: "EUR", recurringFee: d("10.00")))], from: "2026-09-14")
        #expect(rating.amounts(.recurringFee) == [567])
        #expect(rating.lines[0].quantity == 17 && rating.lines[0].unit == "day")
        #expect(rating.lines[0].from == date("2026-09-14"))
    }

    @Test("an end on the 11th pays 10 days; a start after the period pays nothing")
    func proratedEnd() {
        // 30.00 x 10 / 30 = 10.00
        #expect(rate([planVersion(PlanTerms(currency: "EUR", recurringFee: d("30")))], until: "2026-09-11").amounts(.recurringFee) == [1000])
        let none = rate([planVersion(PlanTerms(currency: "EUR", recurringFee: d("30")))], from: "2026-10-01")
        #expect(none.lines.isEmpty && !none.isBilled)
    }

    @Test("the rounding mode is applied once per line: 0.025 EUR")
    func roundingModes() {
        // 0.05 x 15 / 30 = 0.025
        let plan = [planVersion(PlanTerms(currency: "EUR", recurringFee: d("0.05")))]
        #expect(rate(plan, from: "2026-09-16", rounding: .halfEven).amounts(.recurringFee) == [2])
        #expect(rate(plan, from: "2026-09-16", rounding: .halfUp).amounts(.recurringFee) == [3])
        #expect(rate(plan, from: "2026-09-16", rounding: .halfDown).amounts(.recurringFee) == [2])
        #expect(rate(plan, from: "2026-09-16", rounding: .ceiling).amounts(.recurringFee) == [3])
        #expect(rate(plan, from: "2026-09-16", rounding: .floor).amounts(.recurringFee) == [2])
        // 0.07 x 15 / 30 = 0.035: half-even goes to the even 4.
        #expect(rate([planVersion(PlanTerms(currency: "EUR", recurringFee: d("0.07")))], from: "2026-09-16").amounts(.recurringFee) == [4])
    }

    @Test("usage inside the allowance is shown at zero; both directions count by default")
    func allowance() {
        let plan = PlanTerms(currency: "EUR", recurringFee: 20, included: 100, overage: .perUnit(price: d("0.50")))
        let rating = rate([planVersion(plan)], usage: [usage("2026-09-05 10:00", down: 40 * GB, up: 10 * GB)])
        let included = rating.lines(.includedUsage)
        #expect(included.count == 1 && included[0].quantity == 50 && included[0].amount == 0 && included[0].usageBytes == 50 * GB)
        #expect(rating.lines(.overage).isEmpty)
        #expect(rating.total == 2000)
    }

    @Test("per-unit overage is rounded up to the billing increment")
    func perUnitIncrement() {
        // 130.2 GB - 100 GB included = 30.2 GB -> 31 GB in 1 GB steps x 0.50 = 15.50
        let plan = PlanTerms(currency: "EUR", included: 100, overage: .perUnit(price: d("0.50")), increment: 1)
        let rating = rate([planVersion(plan)], usage: [usage("2026-09-05 10:00", down: 130_200_000_000)])
        let overage = rating.lines(.overage)
        #expect(overage.count == 1 && overage[0].quantity == 31 && overage[0].amount == 1550)
        // Without an increment the exact bytes are billed: 30.2 x 0.50 = 15.10
        var exact = plan
        exact.increment = nil
        #expect(rate([planVersion(exact)], usage: [usage("2026-09-05 10:00", down: 130_200_000_000)]).amounts(.overage) == [1510])
        // Steps of 0.25 GB: 30.2 -> 30.25 x 0.50 = 15.125 -> 15.12 (half-even)
        exact.increment = d("0.25")
        #expect(rate([planVersion(exact)], usage: [usage("2026-09-05 10:00", down: 130_200_000_000)]).amounts(.overage) == [1512])
    }

    static let tiers = [PriceTier(upTo: 10, price: 1), PriceTier(upTo: 50, price: d("0.50")), PriceTier(upTo: nil, price: d("0.25"))]

    @Test("graduated tiers: each part of the quantity at its tier's price")
    func graduated() {
        // 60 GB: 10 x 1.00 + 40 x 0.50 + 10 x 0.25 = 10.00 + 20.00 + 2.50
        let plan = PlanTerms(currency: "EUR", overage: .graduated(Self.tiers))
        let rating = rate([planVersion(plan)], usage: [usage("2026-09-05 10:00", down: 60 * GB)])
        #expect(rating.amounts(.overage) == [1000, 2000, 250])
        #expect(rating.lines(.overage).map(\.quantity) == [10, 40, 10])
        // 10 GB exactly stays in tier 1.
        #expect(rate([planVersion(plan)], usage: [usage("2026-09-05 10:00", down: 10 * GB)]).amounts(.overage) == [1000])
    }

    @Test("volume tiers: the whole quantity at the price of the tier it reaches")
    func volume() {
        let plan = PlanTerms(currency: "EUR", overage: .volume(Self.tiers))
        #expect(rate([planVersion(plan)], usage: [usage("2026-09-05 10:00", down: 60 * GB)]).amounts(.overage) == [1500])
        #expect(rate([planVersion(plan)], usage: [usage("2026-09-05 10:00", down: 40 * GB)]).amounts(.overage) == [2000])
        #expect(rate([planVersion(plan)], usage: [usage("2026-09-05 10:00", down: 10 * GB)]).amounts(.overage) == [1000])
    }

    @Test("nights free: usage between 00:00 and 06:00 local time is not counted")
    func nightsFree() {
        let plan = PlanTerms(
            currency: "EUR", overage: .perUnit(price: 1),
            windows: [TimeWindow(name: "Night", fromHour: 0, toHour: 6, factor: 0)])
        let rating = rate(
            [planVersion(plan)],
            usage: [
                usage("2026-09-05 02:00", down: 20 * GB), usage("2026-09-05 05:00", down: 1 * GB),
                usage("2026-09-05 06:00", down: 3 * GB), usage("2026-09-05 12:00", down: 2 * GB),
            ])
        #expect(rating.amounts(.overage) == [500])
        let night = rating.lines(.timeOfDay)
        #expect(night.count == 1 && night[0].quantity == 21 && night[0].amount == 0)
        #expect(night[0].description.contains("not counted"))
    }

    @Test("a half-price window counts half the bytes; a window crossing midnight belongs to its start day")
    func halfPriceAcrossMidnight() {
        // Weekend nights 22:00-06:00 starting Friday and Saturday count half.
        let plan = PlanTerms(
            currency: "EUR", overage: .perUnit(price: 1),
            windows: [TimeWindow(name: "Weekend night", fromHour: 22, toHour: 6, days: [4, 5], factor: d("0.5"))])
        // 2026-09-04 is a Friday. Friday 23:00 and Saturday 03:00 are inside; Friday 03:00
        // belongs to Thursday's night (not listed), so it counts in full.
        let rating = rate(
            [planVersion(plan)],
            usage: [
                usage("2026-09-04 23:00", down: 10 * GB), usage("2026-09-05 03:00", down: 10 * GB),
                usage("2026-09-04 03:00", down: 10 * GB),
            ])
        // 10 + 10 halves = 10, plus 10 in full = 20 GB x 1.00
        #expect(rating.amounts(.overage) == [2000])
        #expect(rating.lines(.timeOfDay).map(\.quantity) == [20])
    }

    @Test("a cap limits usage charges, with its own negative line")
    func cap() {
        // 100 GB x 1.00 = 100.00, capped at 30.00: cap line -70.00
        let plan = PlanTerms(currency: "EUR", recurringFee: 10, overage: .perUnit(price: 1), usageCap: 30)
        let rating = rate([planVersion(plan)], usage: [usage("2026-09-05 10:00", down: 100 * GB)])
        #expect(rating.amounts(.overage) == [10000] && rating.amounts(.cap) == [-7000])
        #expect(rating.total == 4000)
        // Below the cap, no cap line.
        #expect(rate([planVersion(plan)], usage: [usage("2026-09-05 10:00", down: 20 * GB)]).lines(.cap).isEmpty)
        // Prorated: 15 of 30 days -> cap 15.00, fee 5.00
        let half = rate([planVersion(plan)], from: "2026-09-16", usage: [usage("2026-09-20 10:00", down: 100 * GB)])
        #expect(half.total == 500 + 1500)
    }

    @Test("tax: each line's rounded amount times the rate, rounded once")
    func tax() {
        let rating = rate(
            [planVersion(PlanTerms(currency: "EUR", recurringFee: 10, overage: .perUnit(price: d("0.05")), taxRate: d("0.19")))],
            usage: [usage("2026-09-05 10:00", down: 1 * GB)])
        // 10.00 x 0.19 = 1.90; 0.05 x 0.19 = 0.0095 -> 0.01
        #expect(rating.lines.map(\.tax) == [190, 1])
        #expect(InvoiceTotals(rating.lines).subtotal == 1005 && InvoiceTotals(rating.lines).tax == 191 && rating.total == 1196)
    }

    @Test("JPY has no minor unit and BHD three")
    func exponents() {
        // 1000 JPY x 10 / 30 = 333.33 -> 333
        let yen = rate([planVersion(PlanTerms(currency: "JPY", recurringFee: 1000))], until: "2026-09-11", currency: "JPY")
        #expect(yen.amounts(.recurringFee) == [333])
        // 5.250 BHD x 10 / 30 = 1.750 -> 1750 fils; 3 GB x 0.125 = 0.375 -> 375 fils
        let dinar = rate(
            [planVersion(PlanTerms(currency: "BHD", recurringFee: d("5.250"), overage: .perUnit(price: d("0.125"))))],
            until: "2026-09-11", usage: [usage("2026-09-05 10:00", down: 3 * GB)], currency: "BHD")
        #expect(dinar.amounts(.recurringFee) == [1750] && dinar.amounts(.overage) == [375])
        #expect(Currency(code: "BHD")!.format(minorUnits: 1750) == "1.750" && Currency(code: "JPY")!.format(minorUnits: 333) == "333")
    }

    @Test("a new plan version mid-cycle splits the period at its date")
    func versionChange() {
        // v1 30.00 for Sept 1-10 (10 days) = 10.00; v2 45.00 for Sept 11-30 (20 days) = 30.00
        let v1 = planVersion(1, from: "2026-01-01", PlanTerms(currency: "EUR", recurringFee: 30, included: 30, overage: .perUnit(price: 1)))
        let v2 = planVersion(2, from: "2026-09-11", PlanTerms(currency: "EUR", recurringFee: 45, included: 30, overage: .perUnit(price: 2)))
        // Usage: 15 GB on Sept 5 (v1 allowance 10 GB: 5 GB over at 1.00), 25 GB on Sept 20 (v2 allowance 20: 5 over at 2.00)
        let rating = rate([v1, v2], usage: [usage("2026-09-05 10:00", down: 15 * GB), usage("2026-09-20 10:00", down: 25 * GB)])
        #expect(rating.amounts(.recurringFee) == [1000, 3000])
        #expect(rating.amounts(.overage) == [500, 1000])
        #expect(rating.lines(.includedUsage).map(\.quantity) == [10, 20])
        #expect(rating.lines.compactMap(\.planVersionID) == [1, 1, 1, 2, 2, 2])
    }

    @Test("a subscriber moving plans mid-cycle pays each plan for its days")
    func planMove() {
        let a = planVersion(1, plan: "A", PlanTerms(currency: "EUR", recurringFee: 30, included: 30, overage: .perUnit(price: 1)))
        let b = planVersion(2, plan: "B", PlanTerms(currency: "EUR", recurringFee: 60))
        let e = engine(versions: [a, b])
        let rating = e.rate(
            assignments: [
                PlanAssignment(versions: [a], from: date("2026-01-01"), until: date("2026-09-21")),
                PlanAssignment(versions: [b], from: date("2026-09-21"), until: nil),
            ],
            usage: [usage("2026-09-10 10:00", down: 25 * GB), usage("2026-09-25 10:00", down: 500 * GB)])
        // A: 20 days of 30 = 20.00, allowance 20 GB, 5 GB over = 5.00; B: 10 days = 20.00, no overage pricing.
        #expect(rating.amounts(.recurringFee) == [2000, 2000])
        #expect(rating.amounts(.overage) == [500])
        #expect(rating.total == 4500)
    }

    @Test("the period is cut at local midnight, across the October DST change")
    func daylightSavingCut() {
        // Vienna: 2026-10 runs from 2026-09-30 22:00 UTC (+02) to 2026-10-31 23:00 UTC (+01), 745 hours.
        let calendar = PeriodCalendar(period: BillingPeriod("2026-10", billingDay: 1)!, timeZone: "Europe/Vienna")!
        #expect(calendar.utcRange == instant("2026-10-01 00:00")..<instant("2026-11-01 00:00"))
        #expect((calendar.utcRange.upperBound - calendar.utcRange.lowerBound) / 3600 == 745)
        #expect(calendar.dayStarts[24] - calendar.dayStarts[25] == -25 * 3600) // Oct 25 has 25 hours
        let plan = [planVersion(PlanTerms(currency: "EUR", overage: .perUnit(price: 1)))]
        let buckets = [
            HourlyUsage(hour: instant("2026-09-30 23:00"), upload: 0, download: 1 * GB), // Sept: previous period
            HourlyUsage(hour: instant("2026-10-01 00:00"), upload: 0, download: 2 * GB), // first hour
            HourlyUsage(hour: instant("2026-10-25 02:00") - 3600, upload: 0, download: 4 * GB), // 02:00 CEST, before the change
            HourlyUsage(hour: instant("2026-10-25 02:00"), upload: 0, download: 8 * GB), // 02:00 CET, after it
            HourlyUsage(hour: instant("2026-10-31 23:00"), upload: 0, download: 16 * GB), // last hour
            HourlyUsage(hour: instant("2026-11-01 00:00"), upload: 0, download: 32 * GB), // next period
        ]
        let rating = rate(plan, usage: buckets, period: "2026-10")
        #expect(rating.amounts(.overage) == [3000])
        // Spring: 2026-03 has 743 hours.
        let march = PeriodCalendar(period: BillingPeriod("2026-03", billingDay: 1)!, timeZone: "Europe/Vienna")!
        #expect((march.utcRange.upperBound - march.utcRange.lowerBound) / 3600 == 743)
    }

    @Test("billing day 15: the period runs from the 15th to the 14th of the next month")
    func billingDay() {
        let period = BillingPeriod("2026-01", billingDay: 15)!
        #expect(period.first == date("2026-01-15") && period.end == date("2026-02-15") && period.dayCount == 31)
        #expect(BillingPeriod.containing(date("2026-01-03"), billingDay: 15).description == "2025-12")
        #expect(BillingPeriod.containing(date("2026-01-15"), billingDay: 15).description == "2026-01")
    }

    @Test("usage outside any assignment is reported as unassigned, never dropped")
    func unassigned() {
        let rating = rate(
            [planVersion(PlanTerms(currency: "EUR", overage: .perUnit(price: 1)))], from: "2026-09-16",
            usage: [usage("2026-09-05 10:00", down: 7 * GB, up: 1 * GB), usage("2026-09-20 10:00", down: 2 * GB)])
        #expect(rating.unassigned == UnassignedUsage(upload: 1 * GB, download: 7 * GB))
        #expect(rating.amounts(.overage) == [200])
        // A User-Name with no subscriber: every byte is unassigned.
        let nobody = engine().rate(assignments: [], usage: [usage("2026-09-05 10:00", down: 3)])
        #expect(nobody.unassigned.download == 3 && nobody.lines.isEmpty && !nobody.isBilled)
    }

    @Test("counted directions and binary units")
    func directionsAndUnits() {
        let download = PlanTerms(currency: "EUR", unit: .GiB, directions: .download, overage: .perUnit(price: 1))
        let bytes: Int64 = 3 << 30
        #expect(rate([planVersion(download)], usage: [usage("2026-09-05 10:00", down: bytes, up: 99 * GB)]).amounts(.overage) == [300])
        var upload = download
        upload.directions = .upload
        #expect(rate([planVersion(upload)], usage: [usage("2026-09-05 10:00", down: 99 * GB, up: bytes)]).amounts(.overage) == [300])
    }

    @Test("versions effective after the assignment start leave the days before them unbilled")
    func versionNotYetEffective() {
        let rating = rate(
            [planVersion(from: "2026-09-11", PlanTerms(currency: "EUR", recurringFee: 30))],
            usage: [usage("2026-09-05 10:00", down: 5)])
        #expect(rating.amounts(.recurringFee) == [2000])
        #expect(rating.unassigned.download == 5)
    }

    @Test("Asia/Kolkata: a bucket belongs to the local day its start falls in")
    func halfHourZone() {
        // 2026-09 in Kolkata (+05:30) starts 2026-08-31 18:30 UTC; the 18:00 UTC bucket starts at 23:30 local, in August.
        let calendar = PeriodCalendar(period: BillingPeriod("2026-09", billingDay: 1)!, timeZone: "Asia/Kolkata")!
        let start = calendar.utcRange.lowerBound
        #expect(start % 3600 == 1800)
        #expect(calendar.dayIndex(ofBucket: start - 1800) == nil)
        #expect(calendar.dayIndex(ofBucket: start + 1800) == 0)
    }

    @Test("America/Santiago: a day whose midnight falls in the DST gap starts right after it")
    func midnightGap() {
        // Chile springs forward at 2026-09-06 00:00 (-04 -> -03): the day starts at 04:00 UTC (01:00 local).
        let calendar = PeriodCalendar(period: BillingPeriod("2026-09", billingDay: 1)!, timeZone: "America/Santiago")!
        #expect(calendar.dayStarts[4] == 1_788_580_800) // 2026-09-05 04:00 UTC
        #expect(calendar.dayStarts[5] == 1_788_667_200) // 2026-09-06 04:00 UTC, not 03:00
        #expect(calendar.dayStarts[6] == 1_788_750_000) // 2026-09-07 03:00 UTC
    }
}
