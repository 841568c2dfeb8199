import Accounting
import Foundation
import Testing

@testable import Rating

@Suite("Rating: quota policies and the quota meter")
struct QuotaTests {
    func parse(_ json: String) throws(PlanError) -> PlanDocument { try PlanDocument.parse(json: Data(json.utf8)) }

    func error(_ json: String) -> PlanError? {
        do {
            _ = try parse(json)
            return nil
        } catch { return error }
    }

    static let base = #""currency": "EUR", "included": 100, "unit": "GB", "rate": "100M/100M""#

    @Test("policies parse, keep their order and survive the canonical form")
    func policiesRoundTrip() throws {
        let document = try parse(
            """
            {\(Self.base), "quota": [
              {"at": "80%", "action": "notify"},
              {"at": "100%", "action": "throttle", "rate": "1M/1M", "fallback": "disconnect"},
              {"at": "1.5 TB", "action": "block"},
              {"at": "5 GiB", "action": "disconnect", "period": "day"}]}
            """)
        let quotas = document.terms.quotas
        #expect(document.terms.rate == "100M/100M")
        #expect(
            quotas == [
                QuotaPolicy(threshold: .percent(80), action: .notify),
                QuotaPolicy(threshold: .percent(100), action: .throttle, rate: "1M/1M", fallback: .disconnect),
                QuotaPolicy(threshold: .bytes(1_500_000_000_000), action: .block),
                QuotaPolicy(threshold: .bytes(5 * 1_073_741_824), action: .disconnect, period: .day),
            ])
        let again = try parse(document.terms.canonicalJSON)
        #expect(again.terms == document.terms)
        #expect(again.terms.canonicalJSON == document.terms.canonicalJSON)
    }

    @Test(
        "bad policies are refused with the field named",
        arguments: [
            (#"{"at": "80", "action": "notify"}"#, "quota[0].at"),
            (#"{"at": "0%", "action": "notify"}"#, "quota[0].at"),
            (#"{"at": "-5 GB", "action": "notify"}"#, "quota[0].at"),
            (#"{"at": "50 GBytes", "action": "notify"}"#, "quota[0].at"),
            (#"{"at": 80, "action": "notify"}"#, "quota[0].at"),
            (#"{"at": "80%", "action": "shout"}"#, "quota[0].action"),
            (#"{"at": "80%", "action": "throttle"}"#, "quota[0].rate"),
            (#"{"at": "80%", "action": "notify", "rate": "1M/1M"}"#, "quota[0].rate"),
            (#"{"at": "80%", "action": "throttle", "rate": "1M/1M\u0000"}"#, "quota[0].rate"),
            (#"{"at": "80%", "action": "throttle", "rate": "1M/1M", "fallback": "notify"}"#, "quota[0].fallback"),
            (#"{"at": "80%", "action": "notify", "fallback": "disconnect"}"#, "quota[0].fallback"),
            (#"{"at": "80%", "action": "block", "fallback": "block"}"#, "quota[0].fallback"),
            (#"{"at": "80%", "action": "notify", "period": "month"}"#, "quota[0].period"),
            (#"{"at": "80%", "action": "notify", "when": "now"}"#, "quota[0].when"),
            (#"{"at": "=1+1", "action": "notify"}"#, "quota[0].at"),
            (#"{"at": "80%'; DROP TABLE plans; --", "action": "notify"}"#, "quota[0].at"),
        ])
    func refused(policy: String, field: String) {
        #expect(error("{\(Self.base), \"quota\": [\(policy)]}")?.field == field)
    }

    @Test("a share needs an allowance, and two policies cannot act at one threshold")
    func planLevelChecks() {
        #expect(error(#"{"currency": "EUR", "quota": [{"at": "80%", "action": "notify"}]}"#)?.field == "quota[0].at")
        #expect(error(#"{"currency": "EUR", "quota": [{"at": "8 GB", "action": "notify"}]}"#) == nil)
        #expect(
            error("{\(Self.base), \"quota\": [{\"at\": \"80%\", \"action\": \"notify\"}, {\"at\": \"80 %\", \"action\": \"block\"}]}")?.field
                == "quota[1].at")
        #expect(
            error(
                "{\(Self.base), \"quota\": [{\"at\": \"80%\", \"action\": \"notify\"}, {\"at\": \"80%\", \"action\": \"block\", \"period\": \"day\"}]}"
            ) == nil)
        #expect(error(#"{"currency": "EUR", "included": 10, "rate": ""}"#)?.field == "rate")
        // A throttle or block (also as a fallback) needs the plan's rate to restore; a notice or a disconnect does not.
        #expect(error(#"{"currency": "EUR", "included": 10, "quota": [{"at": "100%", "action": "block"}]}"#)?.field == "rate")
        #expect(
            error(
                #"{"currency": "EUR", "included": 10, "quota": [{"at": "1 GB", "action": "notify"}, {"at": "2 GB", "action": "throttle", "rate": "1M/1M"}]}"#
            )?.field == "rate")
        #expect(
            error(#"{"currency": "EUR", "included": 10, "quota": [{"at": "100%", "action": "disconnect"}, {"at": "80%", "action": "notify"}]}"#)
                == nil)
    }

    @Test("amounts read with units of 10^n and 2^n")
    func amounts() {
        #expect(QuotaPolicy.parseAmount("50 GB") == 50_000_000_000)
        #expect(QuotaPolicy.parseAmount("50GB") == 50_000_000_000)
        #expect(QuotaPolicy.parseAmount("1.5 GiB") == 1_610_612_736)
        #expect(QuotaPolicy.parseAmount("700 B") == 700)
        #expect(QuotaPolicy.parseAmount("0.5 B") == 1)
        #expect(QuotaPolicy.parseAmount("0 B") == 0)
        #expect(QuotaPolicy.parseAmount("GB") == nil)
        #expect(QuotaPolicy.parseAmount("5 gb") == nil)
        #expect(QuotaPolicy.parseAmount("99999999999 TB") == nil)
    }

    // MARK: - The meter

    func terms(_ quotas: [QuotaPolicy], directions: CountedDirections = .both, windows: [TimeWindow] = []) -> PlanTerms {
        PlanTerms(currency: "EUR", unit: .GB, included: 30, directions: directions, windows: windows, quotas: quotas)
    }

    let november = BillingPeriod(year: 2026, month: 11, billingDay: 1)!
    func day(_ text: String) -> CivilDate { CivilDate(text)! }

    @Test("a full cycle: shares of the allowance, amounts, the chosen direction only")
    func fullCycle() {
        let subject = QuotaSubject(
            versionID: 7,
            terms: terms(
                [
                    QuotaPolicy(threshold: .percent(80), action: .notify),
                    QuotaPolicy(threshold: .percent(100), action: .throttle, rate: "1M/1M"),
                    QuotaPolicy(threshold: .bytes(40_000_000_000), action: .block),
                ],
                directions: .download),
            cycle: november, segmentFirst: day("2026-11-01"), segmentEnd: day("2026-12-01"), today: day("2026-11-20"))
        let usage = [
            QuotaUsageRow(day: day("2026-11-02"), upload: 9_000_000_000, download: 20_000_000_000),
            QuotaUsageRow(day: day("2026-11-20"), upload: 1, download: 4_000_000_000),
            // Before the cycle: not counted.
            QuotaUsageRow(day: day("2026-10-31"), upload: 0, download: 50_000_000_000),
        ]
        let status = QuotaMeter.status(subject, usage: usage)
        #expect(status.allowanceBytes == 30_000_000_000)
        #expect(status.usedBytes == 24_000_000_000)
        #expect(status.levels.map(\.thresholdBytes) == [24_000_000_000, 30_000_000_000, 40_000_000_000])
        #expect(status.levels.map(\.isCrossed) == [true, false, false])
        #expect(status.levels.allSatisfy { $0.periodKey == "2026-11" && $0.epoch == 0 })
    }

    @Test("mid-cycle start prorates the allowance by day; top-ups move every cycle threshold")
    func prorationAndTopUps() {
        // 15 of 30 days: half the allowance (15 GB); 5 GB topped up twice.
        let subject = QuotaSubject(
            versionID: 1,
            terms: terms([
                QuotaPolicy(threshold: .percent(100), action: .block),
                QuotaPolicy(threshold: .bytes(1_000_000_000), action: .notify),
            ]),
            cycle: november, segmentFirst: day("2026-11-16"), segmentEnd: day("2026-12-01"), today: day("2026-11-20"),
            topUpBytes: 10_000_000_000, topUpCount: 2)
        let status = QuotaMeter.status(
            subject,
            usage: [
                QuotaUsageRow(day: day("2026-11-15"), upload: 99_000_000_000, download: 0),
                QuotaUsageRow(day: day("2026-11-16"), upload: 12_500_000_000, download: 12_500_000_000),
            ])
        #expect(status.allowanceBytes == 25_000_000_000)
        #expect(status.usedBytes == 25_000_000_000)
        #expect(status.levels.map(\.thresholdBytes) == [25_000_000_000, 11_000_000_000])
        #expect(status.levels.map(\.isCrossed) == [true, true])
        #expect(status.levels.map(\.epoch) == [2, 2])
    }

    @Test("nights free count nothing: hourly rows are weighted by their window")
    func windows() {
        let night = TimeWindow(name: "Night", fromHour: 0, toHour: 6, factor: 0)
        let half = TimeWindow(name: "Weekend", fromHour: 6, toHour: 24, days: [5, 6], factor: Decimal(string: "0.5")!)
        let subject = QuotaSubject(
            versionID: 1, terms: terms([QuotaPolicy(threshold: .bytes(10_000_000_000), action: .notify)], windows: [night, half]),
            cycle: november, segmentFirst: day("2026-11-01"), segmentEnd: day("2026-12-01"), today: day("2026-11-28"))
        // 2026-11-28 is a Saturday.
        let status = QuotaMeter.status(
            subject,
            usage: [
                QuotaUsageRow(day: day("2026-11-27"), hour: 3, upload: 0, download: 50_000_000_000), // night: 0
                QuotaUsageRow(day: day("2026-11-27"), hour: 12, upload: 1_000_000_000, download: 0), // full
                QuotaUsageRow(day: day("2026-11-28"), hour: 12, upload: 0, download: 8_000_000_000), // half: 4 GB
            ])
        #expect(status.usedBytes == 5_000_000_000)
        #expect(status.levels[0].isCrossed == false)
    }

    @Test("day and week policies count their own period and ignore top-ups")
    func dayAndWeek() {
        let subject = QuotaSubject(
            versionID: 1,
            terms: terms([
                QuotaPolicy(threshold: .percent(100), action: .throttle, rate: "1M/1M", period: .day),
                QuotaPolicy(threshold: .bytes(3_000_000_000), action: .notify, period: .week),
            ]),
            cycle: november, segmentFirst: day("2026-11-01"), segmentEnd: day("2026-12-01"), today: day("2026-11-26"),
            topUpBytes: 5_000_000_000, topUpCount: 1)
        let status = QuotaMeter.status(
            subject,
            usage: [
                QuotaUsageRow(day: day("2026-11-22"), upload: 0, download: 7_000_000_000), // Sunday of the week before
                QuotaUsageRow(day: day("2026-11-23"), upload: 0, download: 2_000_000_000), // Monday
                QuotaUsageRow(day: day("2026-11-26"), upload: 500_000_000, download: 500_000_000),
            ])
        // Day: 30 GB / 30 days = 1 GB; week: 3 GB of Monday-Thursday.
        #expect(status.levels.map(\.thresholdBytes) == [1_000_000_000, 3_000_000_000])
        #expect(status.levels.map(\.usedBytes) == [1_000_000_000, 3_000_000_000])
        #expect(status.levels.map(\.periodKey) == ["2026-11-26", "2026-W48"])
        #expect(status.levels.map(\.epoch) == [0, 0])
        #expect(subject.usageDays == day("2026-11-01")..<day("2026-11-30"))
    }

    @Test(
        "ISO weeks across year ends",
        arguments: [
            ("2026-11-28", "2026-W48"), ("2027-01-01", "2026-W53"), ("2024-12-30", "2025-W01"), ("2021-01-03", "2020-W53"),
            ("2026-01-05", "2026-W02"),
        ])
    func isoWeeks(date: String, week: String) {
        #expect(QuotaMeter.isoWeek(CivilDate(date)!) == week)
    }
}
