import Presentation
import Storage
import TabularText
import Testing

@Suite("Usage per subscriber as the API, the CLI and the console show it")
struct UsagePresentationTests {
    static let total = UsageRow(
        subscriber: "@SUM(1+1)*cmd|' /C calc'!A0", period: nil, uploadBytes: 3_600_000_000, downloadBytes: 1500,
        sessionSeconds: 900)
    static let hour = UsageRow(
        subscriber: "rc-user", period: "2026-11-28 10:00", uploadBytes: 4_294_968_296, downloadBytes: 5000,
        sessionSeconds: 600)

    @Test("totals as JSON: byte counts as integers, no period")
    func totalJSON() throws {
        let usage = UsagePresentation(Self.total)
        let expected = #"{"download_bytes":1500,"session_seconds":900,"subscriber":"@SUM(1+1)*cmd|' /C calc'!A0","upload_bytes":3600000000}"#
        #expect(try Fixtures.apiJSON(usage) == expected)
        #expect(try Fixtures.plainJSON(usage) == expected)
    }

    @Test("a period's usage as JSON: the period's start in the tenant's zone")
    func periodJSON() throws {
        #expect(
            try Fixtures.apiJSON(UsagePresentation(Self.hour))
                == #"{"download_bytes":5000,"period":"2026-11-28 10:00","session_seconds":600,"subscriber":"rc-user","upload_bytes":4294968296}"#)
    }

    @Test("the JSON GET /v1/usage and /v1/usage/top gave when they sent the store's rows as they are")
    func sameAsStoreRows() throws {
        for row in [Self.total, Self.hour] {
            #expect(try Fixtures.apiJSON(UsagePresentation(row)) == (try Fixtures.apiJSON(row)))
        }
    }

    @Test("CSV: the export's columns, an empty period for totals, the formula-leading name neutralised")
    func csv() {
        #expect(
            CSV.lines([UsagePresentation.columns, UsagePresentation(Self.total).cells, UsagePresentation(Self.hour).cells])
                == "subscriber,period,upload_bytes,download_bytes,session_seconds\r\n"
                + "'@SUM(1+1)*cmd|' /C calc'!A0,,3600000000,1500,900\r\n"
                + "rc-user,2026-11-28 10:00,4294968296,5000,600\r\n")
        #expect(UsagePresentation(Self.total).cells == ["@SUM(1+1)*cmd|' /C calc'!A0", nil, "3600000000", "1500", "900"])
    }
}
