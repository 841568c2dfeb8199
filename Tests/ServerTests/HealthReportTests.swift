import Collector
import Foundation
import Server
import Storage
import Testing

private let here = DatabaseIdentity(
    installationID: UUID(uuidString: "0B0B0B0B-0000-4000-8000-00000000000B")!, systemIdentifier: 7_313_000_000_000_000_002,
    databaseName: "isp_b")
private let elsewhere = DatabaseIdentity(
    installationID: UUID(uuidString: "0A0A0A0A-0000-4000-8000-00000000000A")!,
    systemIdentifier: 7_313_000_000_000_000_001, databaseName: "isp_a")

@Suite("/healthz")
struct HealthReportTests {
    @Test("Normal operation and spooling")
    func okAndSpooling() {
        var report = HealthReport(accepting: true, databaseUp: true, spooling: false, spoolBytes: 0, spoolRefusal: nil, database: here, foreign: [])
        #expect(report.status == "ok" && report.httpStatus == 200)
        #expect(
            report.json == """
                {"database":"up","merge":{"lag_seconds":0,"leader":false},"spool":{"database":{"database":"isp_b","installation_id":"0b0b0b0b-0000-4000-8000-00000000000b","system_identifier":"7313000000000000002"}},"spool_bytes":0,"status":"ok"}

                """)
        report.databaseUp = false
        report.spooling = true
        report.spoolBytes = 4096
        #expect(report.status == "spooling" && report.httpStatus == 200)
        #expect(report.json.contains("\"database\":\"down\"") && report.json.contains("\"spool_bytes\":4096"))
    }

    @Test("A spool written for another database: degraded, still 200, both identities shown")
    func degraded() {
        let report = HealthReport(
            accepting: true, databaseUp: true, spooling: false, spoolBytes: 0, spoolRefusal: nil, database: here,
            foreign: [ForeignSpool(database: elsewhere, segments: 2, bytes: 9000), ForeignSpool(database: nil, segments: 1, bytes: 10)])
        #expect(report.status == "degraded" && report.httpStatus == 200)
        #expect(
            report.json == """
                {"database":"up","merge":{"lag_seconds":0,"leader":false},"spool":{"action":"tollgate spool status; tollgate spool replay --database-url URL (into the database they were written for) or tollgate spool set-aside",\
                "database":{"database":"isp_b","installation_id":"0b0b0b0b-0000-4000-8000-00000000000b","system_identifier":"7313000000000000002"},\
                "foreign":[{"bytes":9000,"segments":2,"written_for":{"database":"isp_a","installation_id":"0a0a0a0a-0000-4000-8000-00000000000a","system_identifier":"7313000000000000001"}},\
                {"bytes":10,"segments":1,"written_for":null}]},"spool_bytes":0,"status":"degraded"}

                """)
    }

    @Test("Usage lagging the answers by more than a minute: degraded, still 200, with the lag and who leads the merge")
    func mergeLag() {
        var report = HealthReport(
            accepting: true, databaseUp: true, spooling: false, spoolBytes: 0, spoolRefusal: nil, database: here, foreign: [],
            mergeLagSeconds: 1.23456, mergeLeader: true)
        #expect(report.status == "ok")
        #expect(report.json.contains("\"merge\":{\"lag_seconds\":1.235,\"leader\":true}"), "\(report.json)")
        report.mergeLagSeconds = 60
        #expect(report.status == "ok")
        report.mergeLagSeconds = 61.5
        report.mergeLeader = false
        #expect(report.status == "degraded" && report.httpStatus == 200)
        #expect(
            report.json.contains(
                "\"merge\":{\"lag_seconds\":61.5,\"leader\":false,\"reason\":\"usage lags the answers by more than 60 s: the merger is behind, or no collector leads the merge\"}"
            ),
            "\(report.json)")
    }

    @Test("Neither the database nor the spool can take a batch: 503 with the reason")
    func unavailable() {
        let report = HealthReport(
            accepting: false, databaseUp: false, spooling: false, spoolBytes: 0, spoolRefusal: "spool full", database: here,
            foreign: [ForeignSpool(database: elsewhere, segments: 1, bytes: 100)])
        #expect(report.status == "unavailable" && report.httpStatus == 503)
        let object = (try? JSONSerialization.jsonObject(with: Data(report.json.utf8))) as? [String: Any] ?? [:]
        let reason = object["reason"] as? String
        #expect(reason == "database not taking writes and the spool cannot take a batch (spool full)")
        let spool = object["spool"] as? [String: Any] ?? [:]
        let refusal = spool["refusal"] as? String
        #expect(refusal == "spool full")
    }

    @Test("The database is back but the spool, still being replayed, is full: 503, and the reason says why")
    func replayingAndFull() {
        let report = HealthReport(
            accepting: false, databaseUp: true, spooling: true, spoolBytes: 1 << 30, spoolRefusal: "spool full", database: here, foreign: [])
        #expect(report.status == "unavailable" && report.httpStatus == 503)
        let object = (try? JSONSerialization.jsonObject(with: Data(report.json.utf8))) as? [String: Any] ?? [:]
        #expect(
            object["reason"] as? String
                == "the spool holds batches still being replayed, so new ones go there too, and it cannot take a batch (spool full)")
        #expect(object["database"] as? String == "up")
    }
}
