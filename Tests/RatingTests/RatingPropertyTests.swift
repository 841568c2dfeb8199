import Accounting
import Foundation
import PropertyBased
import Testing

@testable import Rating

@Suite("Rating: properties")
struct RatingPropertyTests {
    static let plans: [PlanTerms] = [
        PlanTerms(
            currency: "EUR", recurringFee: d("29.90"), included: 50, overage: .perUnit(price: d("0.37")), increment: d("0.5"),
            windows: [TimeWindow(name: "Night", fromHour: 0, toHour: 6, factor: 0)], usageCap: 40, taxRate: d("0.2")),
        PlanTerms(currency: "EUR", recurringFee: 15, overage: .graduated(RatingEngineTests.tiers), taxRate: d("0.07")),
        PlanTerms(
            currency: "EUR", included: 5, overage: .volume(RatingEngineTests.tiers),
            windows: [TimeWindow(name: "Evening", fromHour: 18, toHour: 23, factor: d("1.5"))]),
    ]

    static let hourGenerator = Gen.int(in: 0...(30 * 24 - 1))
    static let bucketGenerator = zip(hourGenerator, Gen.int(in: 0...40_000), Gen.int(in: 0...40_000)).array(of: 0...30)

    static func buckets(_ raw: [(Int, Int, Int)]) -> [HourlyUsage] {
        let start = instant("2026-09-01 00:00")
        return raw.map { HourlyUsage(hour: start + Int64($0.0) * 3600, upload: Int64($0.1) * 1_000_000, download: Int64($0.2) * 1_000_000) }
    }

    @Test("amounts are never negative except on cap lines (credits)")
    func nonNegative() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...2), Self.bucketGenerator, Gen.int(in: 1...30)) { plan, raw, startDay in
            let from = CivilDate(year: 2026, month: 9, day: startDay)!.description
            let rating = rate([planVersion(Self.plans[plan])], from: from, usage: Self.buckets(raw))
            for line in rating.lines where line.kind != .cap {
                #expect(line.amount >= 0 && line.tax >= 0)
            }
            #expect(rating.total >= 0)
        }
    }

    @Test("splitting an hour's usage into several buckets, in any order, gives the same invoice")
    func splitting() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...2), Self.bucketGenerator, Gen.int(in: 1...5)) { plan, raw, parts in
            let whole = Self.buckets(raw)
            var split: [HourlyUsage] = []
            for bucket in whole {
                var up = bucket.upload
                var down = bucket.download
                for part in 0..<parts {
                    let u = part == parts - 1 ? up : up / 2
                    let dn = part == parts - 1 ? down : down / 3
                    split.append(HourlyUsage(hour: bucket.hour, upload: u, download: dn))
                    up -= u
                    down -= dn
                }
            }
            split.reverse()
            #expect(rate([planVersion(Self.plans[plan])], usage: whole) == rate([planVersion(Self.plans[plan])], usage: split))
        }
    }

    @Test("rating the same inputs twice gives identical lines")
    func idempotent() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...2), Self.bucketGenerator) { plan, raw in
            let first = rate([planVersion(Self.plans[plan])], usage: Self.buckets(raw))
            let second = rate([planVersion(Self.plans[plan])], usage: Self.buckets(raw))
            #expect(first == second)
        }
    }

    @Test("per-unit pricing is additive over disjoint usage")
    func additive() async {
        let plan = PlanTerms(currency: "EUR", unit: .MB, overage: .perUnit(price: d("0.01")))
        await propertyCheck(count: 200, input: Self.bucketGenerator, Self.bucketGenerator) { a, b in
            let amountA = rate([planVersion(plan)], usage: Self.buckets(a)).subtotal
            let amountB = rate([planVersion(plan)], usage: Self.buckets(b)).subtotal
            let together = rate([planVersion(plan)], usage: Self.buckets(a) + Self.buckets(b)).subtotal
            #expect(together == amountA + amountB)
        }
    }

    @Test("usage is either billed under a segment or reported as unassigned")
    func conservation() async {
        let plan = PlanTerms(currency: "EUR", overage: .perUnit(price: 1))
        await propertyCheck(count: 200, input: Self.bucketGenerator, Gen.int(in: 1...30)) { raw, day in
            let usage = Self.buckets(raw)
            let rating = rate([planVersion(plan)], from: CivilDate(year: 2026, month: 9, day: day)!.description, usage: usage)
            let billed = rating.lines(.overage).compactMap(\.usageBytes).reduce(0, +)
            let total = usage.reduce(Int64(0)) { $0 + $1.upload + $1.download }
            #expect(billed + rating.unassigned.upload + rating.unassigned.download == total)
        }
    }

    @Test("the fast decimal text equals Foundation's conversion")
    func decimalText() async {
        await propertyCheck(count: 500, input: Gen.int(in: -999_999_999...999_999_999), Gen.int(in: 0...15), Gen.int(in: 0...12)) {
            significand, scale, digits in
            let value = Decimal(sign: significand < 0 ? .minus : .plus, exponent: -scale, significand: Decimal(significand.magnitude))
            #expect(DecimalText.format(value, maximumFractionDigits: digits) == DecimalText.generalText(value, maximumFractionDigits: digits))
        }
    }
}
