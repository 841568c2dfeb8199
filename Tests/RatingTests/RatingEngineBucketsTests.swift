import Accounting
import Foundation
import Testing

@testable import Rating

@Suite("The buckets an invoice line counted")
struct RatingEngineBucketsTests {
    /// Download only, nights (00:00-06:00 local) at half; a mid-period version change.
    static let nights = PlanTerms(
        currency: "EUR", recurringFee: 10, unit: .GB, included: 1, directions: .download,
        overage: .perUnit(price: 1), windows: [TimeWindow(name: "night", fromHour: 0, toHour: 6, factor: d("0.5"))])
    static let flat = PlanTerms(currency: "EUR", recurringFee: 10, unit: .GB, included: 1, directions: .both, overage: .perUnit(price: 1))

    @Test("Usage lines: their days, their window and their directions, adding up to the bytes they counted; lines on no usage have none")
    func bucketsOfLines() throws {
        let versions = [planVersion(1, from: "2026-01-01", Self.nights), planVersion(2, from: "2026-09-20", Self.flat)]
        let usage = [
            usage("2026-08-31 23:00", down: 7 * GB), // before the period (Vienna's day)
            usage("2026-09-01 00:00", down: 2 * GB, up: 9 * GB), // first local hour: night, version 1
            usage("2026-09-05 12:00", down: 3 * GB, up: 1 * GB), // day, version 1
            usage("2026-09-19 05:00", down: 4 * GB), // last night hour of version 1
            usage("2026-09-20 01:00", down: 5 * GB, up: 2 * GB), // version 2: no windows, both directions
            usage("2026-10-01 00:00", down: 6 * GB), // after the period
        ]
        let engine = engine(versions: versions)
        let rating = engine.rate(assignments: [PlanAssignment(versions: versions, from: date("2026-01-01"), until: nil)], usage: usage)
        func hours(_ buckets: [CountedBucket]?) -> [Int64] { (buckets ?? []).map(\.usage.hour) }
        for line in rating.lines {
            let version = versions.first { $0.id == line.planVersionID }!
            let buckets = engine.buckets(of: line, version: version, usage: usage.reversed())
            switch line.kind {
            case .recurringFee, .cap, .adjustment:
                #expect(buckets == nil)
            case .includedUsage, .overage, .timeOfDay:
                #expect(buckets?.reduce(Int64(0)) { $0 + $1.counted } == line.usageBytes, "\(line.key)")
            }
        }
        let v1Included = try #require(rating.lines.first { $0.kind == .includedUsage && $0.planVersionID == 1 })
        let v1Buckets = try #require(engine.buckets(of: v1Included, version: versions[0], usage: usage))
        #expect(hours(v1Buckets) == [usage[1].hour, usage[2].hour, usage[3].hour])
        #expect(v1Buckets.map(\.counted) == [2 * GB, 3 * GB, 4 * GB])
        #expect(v1Buckets.map(\.windowClass) == [1, 0, 1] && v1Buckets.map(\.factor) == [d("0.5"), 1, d("0.5")])
        #expect(v1Buckets.map(\.day) == [date("2026-09-01"), date("2026-09-05"), date("2026-09-19")])
        let night = try #require(rating.lines.first { $0.kind == .timeOfDay })
        #expect(hours(engine.buckets(of: night, version: versions[0], usage: usage)) == [usage[1].hour, usage[3].hour])
        let v2Included = try #require(rating.lines.first { $0.kind == .includedUsage && $0.planVersionID == 2 })
        let v2Buckets = try #require(engine.buckets(of: v2Included, version: versions[1], usage: usage))
        #expect(hours(v2Buckets) == [usage[4].hour] && v2Buckets.map(\.counted) == [7 * GB])
        // The range to read for a line: from the hour its first local day starts in.
        let range = engine.calendar.bucketRange(from: date("2026-09-20"), until: date("2026-10-01"))
        #expect(range == instant("2026-09-20 00:00")..<instant("2026-10-01 00:00"))
    }
}
