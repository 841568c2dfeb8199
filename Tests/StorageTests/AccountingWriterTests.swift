import Accounting
import Foundation
import Storage
import Synchronization
import TestSupport
import Testing

private let hour0: Int64 = 1_795_546_800 // 2026-11-24T19:00:00Z

private func item(
    _ tenant: Int64, _ nas: Int64, _ status: AccountingStatus, session: String, user: String, at time: Int64,
    up: UInt64? = nil, down: UInt64? = nil, seconds: UInt32? = nil
) -> BatchItem {
    var r = AccountingRecord(
        tenantID: tenant, nasID: nas, status: status, sessionID: session, userName: user, nasPort: "7",
        eventTime: time, receivedAt: time * 1_000_000 + 123)
    r.upload = up.map { CounterReading(octets: UInt32(truncatingIfNeeded: $0), gigawords: UInt32($0 >> 32)) }
    r.download = down.map { CounterReading(octets: UInt32(truncatingIfNeeded: $0), gigawords: UInt32($0 >> 32)) }
    r.sessionTime = seconds
    return BatchItem(record: r, packet: [4, 1, 0, 20] + [UInt8](repeating: 0, count: 16))
}

/// A migrated database with one tenant and one NAS.
private func setUp() throws -> (url: String, connection: PostgresConnection, tenant: Tenant, nas: NASDevice) {
    let (url, connection) = try TestDatabase.fresh()
    let tenant = try TenantStore(connection: connection).create(slug: "acme", name: "ACME")
    let nas = try NASStore(connection: connection, cipher: TestDatabase.cipher).add(tenant: tenant, name: "bras", address: "10.0.0.1", secret: "s")
    return (url, connection, tenant, nas)
}

private func totals(_ connection: PostgresConnection) throws -> [String?] {
    try connection.query("SELECT sum(upload_bytes)::text, sum(download_bytes)::text, sum(session_seconds)::text FROM usage_hourly").rows[0]
}

/// Runs one writer per element of `work` on its own thread and connection, each writing its
/// packets in batches of its size; deadlocks between them are retried, as the collector does.
/// Returns the errors the writers met.
private func writeConcurrently(url: String, _ work: [[BatchItem]], batchSizes: [Int]) -> [String] {
    let errors = Mutex<[String]>([])
    let threads = work.indices.map { w in
        Thread {
            do {
                let writer = try AccountingWriter(connection: try PostgresConnection(url: url))
                let items = work[w]
                let size = batchSizes[w]
                for start in stride(from: 0, to: items.count, by: size) {
                    var attempts = 0
                    while true {
                        do {
                            try writer.write(Array(items[start..<min(start + size, items.count)]))
                            break
                        } catch let error as PostgresError where error.sqlState == "40P01" && attempts < 5 {
                            attempts += 1
                        }
                    }
                }
            } catch {
                errors.withLock { $0.append("\(error)") }
            }
        }
    }
    for thread in threads { thread.start() }
    while !threads.allSatisfy({ $0.isFinished }) { usleep(10_000) }
    return errors.withLock { $0 }
}

@Suite("Accounting batch writer", .enabled(if: TestDatabase.available))
struct AccountingWriterTests {
    @Test("A whole session within one second, its Start last in the batch (another log stream), is applied in arrival order: one generation")
    func sameSecondArrivalOrder() throws {
        let (_, connection, tenant, nas) = try setUp()
        let t = tenant.id
        let n = nas.id
        func received(_ entry: BatchItem, _ offset: Int64) -> BatchItem {
            var entry = entry
            entry.record.receivedAt = (hour0 + 60) * 1_000_000 + offset
            return entry
        }
        // As a merge batch holds them: one stream's Interim and Stop, then another stream's Start.
        let batch = [
            received(item(t, n, .interimUpdate, session: "s1", user: "quick", at: hour0 + 60, up: 100, down: 200, seconds: 300), 2_000),
            received(item(t, n, .stop, session: "s1", user: "quick", at: hour0 + 60, up: 150, down: 300, seconds: 600), 3_000),
            received(item(t, n, .start, session: "s1", user: "quick", at: hour0 + 60), 1_000),
        ]
        for cache in [nil, SessionCache()] {
            try connection.execute("TRUNCATE sessions, usage_hourly, usage_daily")
            try AccountingWriter(connection: connection, cache: cache).write(batch)
            #expect(
                try connection.query("SELECT generation, has_start, upload_bytes, download_bytes, close_reason FROM sessions").rows
                    == [["1", "t", "150", "300", "stop"]], "cache: \(cache != nil)")
            #expect(try connection.query("SELECT sum(upload_bytes)::text, sum(download_bytes)::text FROM usage_hourly").rows == [["150", "300"]])
        }
    }

    @Test("A session's packets become one session row and exact hourly usage")
    func session() throws {
        let (_, connection, tenant, nas) = try setUp()
        let writer = try AccountingWriter(connection: connection)
        let t = tenant.id
        let n = nas.id
        try writer.write([
            item(t, n, .start, session: "s1", user: "alice", at: hour0 + 1800),
            item(t, n, .interimUpdate, session: "s1", user: "alice", at: hour0 + 3600, up: 1000, down: 4000, seconds: 1800),
        ])
        try writer.write([
            item(t, n, .stop, session: "s1", user: "alice", at: hour0 + 5400, up: 1500, down: 6000, seconds: 3600)
        ])
        let row = try connection.query(
            """
            SELECT upload_bytes, download_bytes, session_seconds, close_reason, extract(epoch FROM started_at)::bigint,
                   extract(epoch FROM stopped_at)::bigint FROM sessions
            """
        ).rows
        #expect(row == [["1500", "6000", "3600", "stop", String(hour0 + 1800), String(hour0 + 5400)]])
        let buckets = try connection.query(
            """
            SELECT extract(epoch FROM hour)::bigint, upload_bytes, download_bytes, session_seconds FROM usage_hourly ORDER BY hour
            """
        ).rows
        #expect(buckets == [[String(hour0), "1000", "4000", "1800"], [String(hour0 + 3600), "500", "2000", "1800"]])
        #expect(try connection.query("SELECT count(*) FROM accounting_packets").rows == [["3"]])
        let sessions = try ReportStore(connection: connection).sessions(tenant: tenant)
        #expect(sessions.map(\.uploadBytes) == [1500])
        let usage = try ReportStore(connection: connection).usage(tenant: tenant, by: .hour)
        #expect(usage.map(\.period) == ["2026-11-24 19:00", "2026-11-24 20:00"])
    }

    @Test("Replaying batches, duplicated and reordered, never changes the totals")
    func replay() throws {
        let (_, connection, tenant, nas) = try setUp()
        let writer = try AccountingWriter(connection: connection)
        var batch: [BatchItem] = []
        for s in 0..<50 {
            let user = "user\(s % 7)"
            batch.append(item(tenant.id, nas.id, .start, session: "s\(s)", user: user, at: hour0))
            for k in 1...4 {
                batch.append(
                    item(
                        tenant.id, nas.id, .interimUpdate, session: "s\(s)", user: user, at: hour0 + Int64(k * 900),
                        up: UInt64(k * 100 + s), down: UInt64(k * 1000 + s), seconds: UInt32(k * 900)))
            }
            batch.append(
                item(
                    tenant.id, nas.id, .stop, session: "s\(s)", user: user, at: hour0 + 4000,
                    up: UInt64(500 + s), down: UInt64(5000 + s), seconds: 4000))
        }
        try writer.write(batch)
        let expected = try totals(connection)
        #expect(expected == [String((0..<50).reduce(0) { $0 + 500 + $1 }), String((0..<50).reduce(0) { $0 + 5000 + $1 }), "200000"])
        try writer.write(batch.reversed())
        try writer.write(batch + batch)
        try writer.write(Array(batch.shuffled().prefix(100)))
        #expect(try totals(connection) == expected)
        #expect(try connection.query("SELECT count(*) FROM sessions").rows == [["50"]])
    }

    @Test("Two writers on separate connections, with the same packets interleaved, count once")
    func concurrentWriters() throws {
        let (url, connection, tenant, nas) = try setUp()
        var all: [BatchItem] = []
        for s in 0..<40 {
            for k in 1...5 {
                all.append(
                    item(
                        tenant.id, nas.id, .interimUpdate, session: "c\(s)", user: "u\(s)", at: hour0 + Int64(k * 600),
                        up: UInt64(k * 10), down: UInt64(k * 20), seconds: UInt32(k * 600)))
            }
        }
        #expect(writeConcurrently(url: url, [all, all.reversed()], batchSizes: [25, 25]).isEmpty)
        #expect(try totals(connection) == ["2000", "4000", "120000"])
    }

    @Test("Accounting-On closes the NAS's open sessions heard of before it, cause NAS-Reboot")
    func accountingOn() throws {
        let (_, connection, tenant, nas) = try setUp()
        let writer = try AccountingWriter(connection: connection)
        try writer.write([
            item(tenant.id, nas.id, .start, session: "old1", user: "a", at: hour0),
            item(tenant.id, nas.id, .start, session: "old2", user: "b", at: hour0 + 10),
            item(tenant.id, nas.id, .start, session: "done", user: "c", at: hour0),
            item(tenant.id, nas.id, .stop, session: "done", user: "c", at: hour0 + 20),
        ])
        var on = item(tenant.id, nas.id, .accountingOn, session: "", user: "", at: hour0 + 100)
        on.record.sessionID = ""
        let summary = try writer.write([on, item(tenant.id, nas.id, .start, session: "new", user: "d", at: hour0 + 200)])
        #expect(summary.sessionsClosedByNAS == 2)
        let rows = try connection.query("SELECT acct_session_id, close_reason, terminate_cause FROM sessions ORDER BY 1").rows
        #expect(rows == [["done", "stop", nil], ["new", nil, nil], ["old1", "nas-reboot", "11"], ["old2", "nas-reboot", "11"]])
    }

    @Test("Stale sessions are closed after 3 interim intervals, or 30 minutes when unknown")
    func reaper() throws {
        let (_, connection, tenant, nas) = try setUp()
        let writer = try AccountingWriter(connection: connection)
        var withInterval = item(tenant.id, nas.id, .start, session: "fast", user: "a", at: hour0)
        withInterval.record.interimInterval = 60
        try writer.write([withInterval, item(tenant.id, nas.id, .start, session: "slow", user: "b", at: hour0)])
        #expect(try StaleSessionReaper.reap(connection, now: hour0 + 150) == 0)
        #expect(try StaleSessionReaper.reap(connection, now: hour0 + 181) == 1)
        #expect(try StaleSessionReaper.reap(connection, now: hour0 + 1700) == 0)
        #expect(try StaleSessionReaper.reap(connection, now: hour0 + 1801) == 1)
        #expect(try connection.query("SELECT count(*) FROM sessions WHERE close_reason = 'stale'").rows == [["2"]])
    }

    @Test("Raw packet partitions are created ahead and dropped after retention")
    func retention() throws {
        let (_, connection, tenant, nas) = try setUp()
        let day: Int64 = 20_000 * 86400 // 2024-10-04
        try PacketRetention.maintain(connection, retentionDays: 3, today: day)
        var old = item(tenant.id, nas.id, .start, session: "x", user: "a", at: day - 3600)
        old.record.receivedAt = (day - 3600) * 1_000_000
        try AccountingWriter(connection: connection).write([old])
        #expect(try connection.query("SELECT count(*) FROM accounting_packets_20241003").rows == [["1"]])
        let dropped = try PacketRetention.maintain(connection, retentionDays: 3, today: day + 5 * 86400)
        #expect(dropped.contains("accounting_packets_20241003"))
        #expect(try connection.query("SELECT count(*) FROM accounting_packets").rows == [["0"]])
    }

    @Test("Hostile text (NUL, invalid UTF-8, SQL, tabs) is stored, never fails a batch")
    func hostileText() throws {
        let (_, connection, tenant, nas) = try setUp()
        let writer = try AccountingWriter(connection: connection)
        let names = [
            "nul\u{0}byte", "tab\there\nnewline\\back", "'; DROP TABLE sessions; --", String(decoding: [0xff, 0xfe, 0x41], as: UTF8.self), "ü✓",
        ]
        try writer.write(
            names.enumerated().map { i, name in
                item(tenant.id, nas.id, .interimUpdate, session: name, user: name, at: hour0 + Int64(i), up: 1, down: 1, seconds: 1)
            })
        #expect(try connection.query("SELECT count(*) FROM sessions").rows == [["5"]])
        #expect(try connection.query("SELECT user_name FROM sessions WHERE user_name = $1", ["'; DROP TABLE sessions; --"]).rowCount == 1)
        #expect(try connection.query("SELECT user_name FROM sessions WHERE user_name = $1", ["tab\there\nnewline\\back"]).rowCount == 1)
        // Replaying the same hostile packets matches the same sessions.
        try writer.write(names.map { item(tenant.id, nas.id, .interimUpdate, session: $0, user: $0, at: hour0, up: 1, down: 1, seconds: 1) })
        #expect(try connection.query("SELECT count(*) FROM sessions").rows == [["5"]])
    }

    @Test("A reused Acct-Session-Id after Stop and Accounting-On is stored as a second generation, not a wrap")
    func reusedSessionID() throws {
        let (_, connection, tenant, nas) = try setUp()
        let writer = try AccountingWriter(connection: connection)
        let t = tenant.id
        let n = nas.id
        func noGigawords(_ i: BatchItem) -> BatchItem {
            var i = i
            i.record.upload?.gigawords = nil
            i.record.download?.gigawords = nil
            return i
        }
        // One batch each, as radclient sends them, all in the same second, received in order.
        var order: Int64 = 0
        func received(_ i: BatchItem) -> BatchItem {
            var i = i
            order += 1
            i.record.receivedAt = hour0 * 1_000_000 + order
            return i
        }
        let firstStart = received(item(t, n, .start, session: "S1", user: "reuse", at: hour0))
        try writer.write([firstStart])
        try writer.write([
            received(noGigawords(item(t, n, .stop, session: "S1", user: "reuse", at: hour0, up: 3_500_000_000, down: 1000, seconds: 600)))
        ])
        var on = received(item(t, n, .accountingOn, session: "", user: "", at: hour0))
        on.record.sessionID = ""
        try writer.write([on])
        let secondStart = received(item(t, n, .start, session: "S1", user: "reuse", at: hour0))
        let second = try writer.write([secondStart])
        #expect(second.sessionsOpened == 1)
        let secondStop = received(noGigawords(item(t, n, .stop, session: "S1", user: "reuse", at: hour0, up: 100_000_000, down: 500, seconds: 300)))
        try writer.write([secondStop])
        let rows = try connection.query(
            """
            SELECT generation, is_latest, upload_bytes, download_bytes, session_seconds, close_reason FROM sessions ORDER BY generation
            """
        ).rows
        #expect(rows == [["1", "f", "3500000000", "1000", "600", "stop"], ["2", "t", "100000000", "500", "300", "stop"]])
        #expect(try totals(connection) == ["3600000000", "1500", "900"])
        // The second session's Start and Stop and the first's Start retransmitted (another
        // collector, or after lost answers), in the same second: nothing changes.
        try writer.write([received(secondStart), received(secondStop), received(firstStart)])
        #expect(try connection.query("SELECT count(*) FROM sessions").rows == [["2"]])
        #expect(try totals(connection) == ["3600000000", "1500", "900"])
    }

    @Test("A spool replay of the whole reboot history in one batch gives the same two sessions")
    func reuseInOneBatch() throws {
        let (_, connection, tenant, nas) = try setUp()
        let t = tenant.id
        let n = nas.id
        var batch = [
            item(t, n, .start, session: "S1", user: "reuse", at: hour0),
            item(t, n, .stop, session: "S1", user: "reuse", at: hour0, up: 3_500_000_000, down: 1000, seconds: 600),
            item(t, n, .accountingOn, session: "", user: "", at: hour0),
            item(t, n, .start, session: "S1", user: "reuse", at: hour0),
            item(t, n, .stop, session: "S1", user: "reuse", at: hour0, up: 100_000_000, down: 500, seconds: 300),
        ]
        for i in batch.indices {
            batch[i].record.receivedAt = hour0 * 1_000_000 + Int64(i)
            batch[i].record.upload?.gigawords = nil
        }
        let summary = try AccountingWriter(connection: connection).write(batch)
        #expect(summary.sessionsOpened == 1)
        #expect(try totals(connection) == ["3600000000", "1500", "900"])
        #expect(try connection.query("SELECT generation, upload_bytes FROM sessions ORDER BY 1").rows == [["1", "3500000000"], ["2", "100000000"]])
    }

    @Test("Attributes a later packet does not carry are kept, also on the old generation when a new one opens")
    func attributesKept() throws {
        let (_, connection, tenant, nas) = try setUp()
        let writer = try AccountingWriter(connection: connection)
        let t = tenant.id
        let n = nas.id
        var start = item(t, n, .start, session: "A", user: "attr", at: hour0)
        start.record.framedIPAddress = "100.64.0.7"
        start.record.callingStationID = "00-11-22-33-44-55"
        start.record.classValue = [0x63, 0x6c]
        start.record.multiSessionID = "M-1"
        try writer.write([start])
        try writer.write([item(t, n, .stop, session: "A", user: "attr", at: hour0 + 600, up: 1, down: 2, seconds: 600)])
        try writer.write([item(t, n, .start, session: "A", user: "attr", at: hour0 + 900)])
        let rows = try connection.query(
            """
            SELECT generation, host(framed_ip_address), calling_station_id, encode(class, 'hex'), multi_session_id
            FROM sessions ORDER BY generation
            """
        ).rows
        #expect(rows == [["1", "100.64.0.7", "00-11-22-33-44-55", "636c", "M-1"], ["2", nil, nil, nil, nil]])
    }

    @Test("Generations across batches and within one: a late Stop closes the old one, the new one keeps its own counters")
    func generationsInOneBatch() throws {
        let (_, connection, tenant, nas) = try setUp()
        let writer = try AccountingWriter(connection: connection)
        let t = tenant.id
        let n = nas.id
        try writer.write([
            item(t, n, .start, session: "G", user: "gen", at: hour0),
            item(t, n, .interimUpdate, session: "G", user: "gen", at: hour0 + 300, up: 1000, down: 2000, seconds: 300),
            item(t, n, .start, session: "G", user: "gen", at: hour0 + 900),
            item(t, n, .interimUpdate, session: "G", user: "gen", at: hour0 + 1200, up: 10, down: 20, seconds: 300),
        ])
        // The first session's Stop arrives late; then a third session after the second's Stop.
        try writer.write([
            item(t, n, .stop, session: "G", user: "gen", at: hour0 + 600, up: 1500, down: 2500, seconds: 600),
            item(t, n, .stop, session: "G", user: "gen", at: hour0 + 1500, up: 30, down: 40, seconds: 600),
            item(t, n, .start, session: "G", user: "gen", at: hour0 + 1800),
            item(t, n, .stop, session: "G", user: "gen", at: hour0 + 2400, up: 5, down: 6, seconds: 600),
        ])
        let rows = try connection.query(
            """
            SELECT generation, is_latest, upload_bytes, download_bytes, close_reason, extract(epoch FROM stopped_at)::bigint - \(hour0)
            FROM sessions ORDER BY generation
            """
        ).rows
        #expect(
            rows == [
                ["1", "f", "1500", "2500", "stop", "600"], ["2", "f", "30", "40", "stop", "1500"],
                ["3", "t", "5", "6", "stop", "2400"],
            ])
        #expect(try totals(connection) == ["1535", "2546", "1800"])
    }

    @Test("Two writers racing over the generations of the same keys store each session once, exactly")
    func concurrentGenerations() throws {
        let (url, connection, tenant, nas) = try setUp()
        // Per key two sessions, the NAS reusing the id. Both writers get every packet (as two
        // collectors do when a NAS fails over), each in the NAS's order, batched differently:
        // whichever writes a packet first, each session is stored once.
        var history: [BatchItem] = []
        for k in 0..<60 {
            let s = "k\(k)"
            let u = "u\(k % 7)"
            history += [
                item(tenant.id, nas.id, .start, session: s, user: u, at: hour0),
                item(tenant.id, nas.id, .interimUpdate, session: s, user: u, at: hour0 + 300, up: 7, down: 70, seconds: 300),
                item(tenant.id, nas.id, .stop, session: s, user: u, at: hour0 + 600, up: 10, down: 100, seconds: 600),
                item(tenant.id, nas.id, .start, session: s, user: u, at: hour0 + 1200),
                item(tenant.id, nas.id, .interimUpdate, session: s, user: u, at: hour0 + 1500, up: 2, down: 20, seconds: 300),
                item(tenant.id, nas.id, .stop, session: s, user: u, at: hour0 + 1800, up: 3, down: 30, seconds: 600),
            ]
        }
        // Keys interleaved round-robin, each key's packets in order.
        let interleaved = (0..<6).flatMap { step in stride(from: step, to: history.count, by: 6).map { history[$0] } }
        let byWriter = [interleaved, interleaved]
        let batchSizes = [16, 7]
        #expect(writeConcurrently(url: url, byWriter, batchSizes: batchSizes).isEmpty)
        #expect(try totals(connection) == ["780", "7800", "72000"])
        let shape = try connection.query(
            """
            SELECT generation, count(*), sum(upload_bytes), sum(download_bytes), count(*) FILTER (WHERE is_latest),
                   count(*) FILTER (WHERE close_reason = 'stop')
            FROM sessions GROUP BY generation ORDER BY generation
            """
        ).rows
        #expect(shape == [["1", "60", "600", "6000", "0", "60"], ["2", "60", "180", "1800", "60", "60"]])
    }
}
