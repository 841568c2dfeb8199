import Collector
import Foundation
import Logging
import RADIUS
import Storage
import Synchronization
import TestSupport
import Testing

private let hour0: Int64 = 1_795_546_800 // 2026-11-24T19:00:00Z

/// An Accounting-Request datagram (unsigned: the merger decodes, it does not verify).
private func datagram(
    _ status: UInt32, user: String, session: String, up: UInt32? = nil, down: UInt32? = nil,
    seconds: UInt32? = nil
) throws -> [UInt8] {
    var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: UInt8.random(in: 0...255))
    builder.append(type: 40, uint32: status)
    try builder.append(type: 1, text: user)
    try builder.append(type: 44, text: session)
    if let up { builder.append(type: 42, uint32: up) }
    if let down { builder.append(type: 43, uint32: down) }
    if let seconds { builder.append(type: 46, uint32: seconds) }
    return try builder.build().bytes
}

private let start: UInt32 = 1
private let stop: UInt32 = 2
private let interim: UInt32 = 3

/// A log entry of `tenant`/`nas` received at `receivedAt` (microseconds since 1970).
private func entry(
    _ db: Fixture, tenant: Int = 0, _ status: UInt32, user: String, session: String, at receivedAt: Int64,
    up: UInt32? = nil, down: UInt32? = nil, seconds: UInt32? = nil
) throws -> LogEntry {
    LogEntry(
        tenantID: db.tenants[tenant].id, nasID: db.nases[tenant].id, receivedAt: receivedAt, statusType: status,
        userName: user, sessionID: session,
        packet: try datagram(status, user: user, session: session, up: up, down: down, seconds: seconds))
}

/// A migrated database with two tenants, one NAS each.
private struct Fixture {
    let url: String
    let connection: PostgresConnection
    let tenants: [Tenant]
    let nases: [NASDevice]

    init() throws {
        (url, connection) = try TestDatabase.fresh()
        let store = TenantStore(connection: connection)
        tenants = [try store.create(slug: "acme", name: "ACME"), try store.create(slug: "globex", name: "Globex")]
        let nasStore = NASStore(connection: connection, cipher: TestDatabase.cipher)
        nases = [
            try nasStore.add(tenant: tenants[0], name: "bras", address: "10.0.0.1", secret: "s"),
            try nasStore.add(tenant: tenants[1], name: "bras", address: "10.0.0.2", secret: "s"),
        ]
    }

    func appender() throws -> PacketLogAppender { try PacketLogAppender(connection: PostgresConnection(url: url)) }

    func merger(_ metrics: CollectorMetrics = CollectorMetrics(), configure: (Merger) -> Void = { _ in }) -> Merger {
        var logger = Logger(label: "test-merger")
        logger.logLevel = .critical
        let url = url
        let merger = Merger(configuration: MergerConfiguration(), metrics: metrics, logger: logger) { try PostgresConnection(url: url) }
        configure(merger)
        return merger
    }

    /// Per subscriber of usage_hourly: upload, download, seconds.
    func usage() throws -> [[String?]] {
        try connection.query(
            """
            SELECT tenant_id::text, subscriber, sum(upload_bytes)::text, sum(download_bytes)::text, sum(session_seconds)::text
            FROM usage_hourly GROUP BY 1, 2 ORDER BY 1, 2
            """
        ).rows
    }

    /// Every stream's merged position and highest logged seq.
    func positions() throws -> [Int64: (merged: Int64, max: Int64)] {
        let rows = try connection.query(
            """
            SELECT s.id, s.merged_seq, coalesce((SELECT max(seq) FROM accounting_packets p WHERE p.stream = s.id), 0)
            FROM log_streams s ORDER BY s.id
            """)
        var out: [Int64: (merged: Int64, max: Int64)] = [:]
        for row in 0..<rows.rowCount { out[rows.int64(row: row, column: 0)] = (rows.int64(row: row, column: 1), rows.int64(row: row, column: 2)) }
        return out
    }

    func mergedSeq(_ stream: Int64) throws -> Int64 {
        try connection.query("SELECT merged_seq FROM log_streams WHERE id = $1", [String(stream)]).int64(row: 0, column: 0)
    }
}

/// Runs every body on a thread of its own and waits for all; the errors they threw.
private func onThreads(_ bodies: [@Sendable () throws -> Void]) -> [String] {
    let errors = Mutex<[String]>([])
    let threads = bodies.map { body in
        Thread {
            do { try body() } catch { errors.withLock { $0.append("\(error)") } }
        }
    }
    for thread in threads { thread.start() }
    while !threads.allSatisfy({ $0.isFinished }) { usleep(5_000) }
    return errors.withLock { $0 }
}

/// Appends `parts[a]` with `appenders[a]` for every `a` in `indices`, all at once.
private func appendConcurrently(_ appenders: [Handed], _ parts: [[LogEntry]], _ indices: Range<Int>) -> [String] {
    onThreads(
        indices.map { a -> @Sendable () throws -> Void in
            { try appenders[a].appender.append(parts[a]) }
        })
}

/// A PacketLogAppender handed to another thread: each is used by one thread at a time.
private final class Handed: @unchecked Sendable {
    let appender: PacketLogAppender
    init(_ appender: PacketLogAppender) { self.appender = appender }
}

@Suite("Packet log and merger (real PostgreSQL)", .enabled(if: TestDatabase.available), .serialized)
struct PacketLogMergeTests {
    @Test("Concurrent streams, one transaction held open: every row merged exactly once, without waiting for the slow stream")
    func watermark() throws {
        let db = try Fixture()
        let appenders = try (0..<4).map { _ in Handed(try db.appender()) }
        let sessions = 8
        let rounds = 30
        // Round k of session s: cumulative counters; the last round is the Stop. Rounds go to
        // the appenders in rotation, so every session's packets are spread over all streams.
        func share(_ a: Int, rounds range: ClosedRange<Int>) throws -> [LogEntry] {
            var out: [LogEntry] = []
            for k in range {
                for s in 0..<sessions where (k + s) % 4 == a {
                    out.append(
                        try entry(
                            db, k == rounds ? stop : interim, user: "u\(s)", session: "S\(s)",
                            at: (hour0 + Int64(k) * 60) * 1_000_000,
                            up: UInt32(k * 1000 + s), down: UInt32(k * 3000 + s * 7), seconds: UInt32(k * 60)))
                }
            }
            return out
        }
        let metrics = CollectorMetrics()
        let merger = db.merger(metrics)
        merger.start()
        defer { merger.stop() }

        // Phase 1: rounds 1-10 from all four streams at once.
        let phase1 = try (0..<4).map { try share($0, rounds: 1...10) }
        #expect(appendConcurrently(appenders, phase1, 0..<4) == [])
        try waitForMerge(db.connection)
        let slow = appenders[0].appender.stream
        let slowBefore = try db.mergedSeq(slow)
        #expect(slowBefore == Int64(phase1[0].count))

        // Phase 2: stream 0 appends rounds 11-20 in a transaction that stays open for 3 s;
        // the other three append theirs and commit meanwhile.
        let phase2 = try (0..<4).map { try share($0, rounds: 11...20) }
        let slowCommitted = Atomic<Bool>(false)
        let slowThread = Thread {
            try? appenders[0].appender.append(phase2[0], alsoRun: [Statement("SELECT pg_sleep(3)")])
            slowCommitted.store(true, ordering: .sequentiallyConsistent)
        }
        slowThread.start()
        // The slow rows are in the table (uncommitted) before the others commit.
        #expect(
            try waitUntil(seconds: 2) {
                try count(db.connection, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(3)%' AND state = 'active'") == 1
            })
        #expect(appendConcurrently(appenders, phase2, 1..<4) == [])
        let fastMerged = try waitUntil(seconds: 2.5) {
            try (1..<4).allSatisfy { a in
                try db.mergedSeq(appenders[a].appender.stream) == Int64(phase1[a].count + phase2[a].count)
            }
        }
        let slowStillOpen = !slowCommitted.load(ordering: .sequentiallyConsistent)
        // The merger applied rows committed after the slow stream's uncommitted ones, while
        // the slow transaction was still open, and did not move the slow stream's position.
        #expect(fastMerged)
        #expect(slowStillOpen)
        #expect(try db.mergedSeq(slow) == slowBefore)
        while !slowThread.isFinished { usleep(10_000) }
        let slowDone = slowCommitted.load(ordering: .sequentiallyConsistent)
        #expect(slowDone)
        try waitForMerge(db.connection)
        #expect(try db.mergedSeq(slow) == Int64(phase1[0].count + phase2[0].count))

        // Phase 3: the rest, Stops included, from all four at once.
        let phase3 = try (0..<4).map { try share($0, rounds: 21...rounds) }
        #expect(appendConcurrently(appenders, phase3, 0..<4) == [])
        try waitForMerge(db.connection)

        let total = sessions * rounds
        #expect(try count(db.connection, "SELECT count(*) FROM accounting_packets") == total)
        #expect(metrics.mergedPackets.load(ordering: .relaxed) == total)
        #expect(metrics.mergeRefused.load(ordering: .relaxed) == 0)
        let positions = try db.positions()
        #expect(positions.count == 4)
        for a in 0..<4 {
            let position = positions[appenders[a].appender.stream]
            #expect(position?.merged == Int64(phase1[a].count + phase2[a].count + phase3[a].count))
            #expect(position?.merged == position?.max)
        }
        let tenant = String(db.tenants[0].id)
        #expect(
            try db.usage()
                == (0..<sessions).map { s in
                    [tenant, "u\(s)", String(rounds * 1000 + s), String(rounds * 3000 + s * 7), String(rounds * 60)]
                })
        #expect(
            try db.connection.query(
                """
                SELECT acct_session_id, upload_bytes::text, download_bytes::text, session_seconds::text, close_reason FROM sessions ORDER BY 1
                """
            ).rows
                == (0..<sessions).map { s in
                    ["S\(s)", String(rounds * 1000 + s), String(rounds * 3000 + s * 7), String(rounds * 60), "stop"]
                })
    }

    @Test("Two mergers: exactly one leads; when it stops the other takes over and merges exactly")
    func leadership() throws {
        let db = try Fixture()
        let metrics = [CollectorMetrics(), CollectorMetrics()]
        let mergers = metrics.map { db.merger($0) }
        for merger in mergers { merger.start() }
        defer { for merger in mergers { merger.stop() } }
        #expect(try waitUntil(seconds: 5) { mergers.contains { $0.isLeader } })
        // Both have asked at least once more (standbys ask every second): still exactly one.
        usleep(1_500_000)
        #expect(mergers.filter(\.isLeader).count == 1)
        #expect(metrics[0].mergeLeader.load(ordering: .relaxed) + metrics[1].mergeLeader.load(ordering: .relaxed) == 1)
        let leader = mergers[0].isLeader ? 0 : 1
        let other = 1 - leader

        let appender = try db.appender()
        try appender.append(
            (1...20).map { i in
                try entry(db, interim, user: "u\(i % 3)", session: "S\(i)", at: hour0 * 1_000_000, up: 100, down: 1000)
            })
        try waitForMerge(db.connection)
        #expect(try waitUntil(seconds: 2) { metrics[leader].mergedPackets.load(ordering: .relaxed) == 20 })

        mergers[leader].stop()
        #expect(metrics[leader].mergeLeader.load(ordering: .relaxed) == 0)
        try appender.append(
            (1...20).map { i in
                try entry(db, stop, user: "u\(i % 3)", session: "S\(i)", at: (hour0 + 60) * 1_000_000, up: 150, down: 1500, seconds: 60)
            })
        #expect(try waitUntil(seconds: 5) { mergers[other].isLeader })
        try waitForMerge(db.connection, seconds: 10)
        #expect(try waitUntil(seconds: 2) { metrics[other].mergedPackets.load(ordering: .relaxed) == 20 })
        #expect(metrics[leader].mergedPackets.load(ordering: .relaxed) == 20)
        let tenant = String(db.tenants[0].id)
        // u0: sessions 3, 6, ..., 18 (6); u1: 1, 4, ..., 19 (7); u2: 2, 5, ..., 20 (7).
        #expect(
            try db.usage() == [
                [tenant, "u0", "900", "9000", "360"], [tenant, "u1", "1050", "10500", "420"],
                [tenant, "u2", "1050", "10500", "420"],
            ])
        #expect(try count(db.connection, "SELECT count(*) FROM sessions WHERE close_reason = 'stop' AND upload_bytes = 150") == 20)
    }

    @Test("Only streams whose appender is gone and whose rows are all merged are retired")
    func retirement() throws {
        let db = try Fixture()
        var closedMerged: PacketLogAppender? = try db.appender()
        let aliveMerged = try db.appender()
        var closedUnmerged: PacketLogAppender? = try db.appender()
        let aliveUnmerged = try db.appender()
        let ids = [closedMerged!.stream, aliveMerged.stream, closedUnmerged!.stream, aliveUnmerged.stream]
        func rows(_ tag: String) throws -> [LogEntry] {
            try (1...3).map { try entry(db, interim, user: tag, session: "\(tag)\($0)", at: hour0 * 1_000_000, up: 10) }
        }
        try closedMerged!.append(rows("a"))
        try aliveMerged.append(rows("b"))
        let mergeConnection = try PostgresConnection(url: db.url)
        #expect(try db.merger().mergeUntilCaughtUp(mergeConnection))
        try closedUnmerged!.append(rows("c"))
        try aliveUnmerged.append(rows("d"))
        // The guard against retiring a stream opened a moment ago is not what this test is about.
        try db.connection.execute("UPDATE log_streams SET opened_at = now() - interval '1 minute'")
        #expect(try PacketLog.retireFinished(db.connection) == 0)

        closedMerged = nil
        closedUnmerged = nil
        #expect(
            try waitUntil(seconds: 5) { try count(db.connection, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()") <= 4 })
        func retired() throws -> [Int64] {
            let rows = try db.connection.query("SELECT id FROM log_streams WHERE retired_at IS NOT NULL ORDER BY id")
            return (0..<rows.rowCount).map { rows.int64(row: $0, column: 0) }
        }
        #expect(try PacketLog.retireFinished(db.connection) == 1)
        #expect(try retired() == [ids[0]])
        #expect(try PacketLog.unmergedCount(db.connection) == 6)

        // Once merged, the closed stream goes too; the live ones, merged and idle, never.
        #expect(try db.merger().mergeUntilCaughtUp(mergeConnection))
        #expect(try PacketLog.unmergedCount(db.connection) == 0)
        #expect(try PacketLog.retireFinished(db.connection) == 1)
        #expect(try retired() == [ids[0], ids[2]])
        #expect(try PacketLog.retireFinished(db.connection) == 0)
        // The live appenders go on appending to their streams, and those rows are merged.
        try aliveMerged.append(rows("e"))
        #expect(try PacketLog.unmergedCount(db.connection) == 3)
        #expect(try db.merger().mergeUntilCaughtUp(mergeConnection))
        #expect(try db.mergedSeq(ids[1]) == 6)
        #expect(try db.usage().map { $0[1]! } == ["a", "b", "c", "d", "e"])
    }

    @Test("A packet the database refuses is set aside: recorded, counted, passed over; the rest exact")
    func refusal() throws {
        let db = try Fixture()
        try db.connection.execute(
            """
            CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.user_name = 'poison' THEN RAISE EXCEPTION 'poison refused'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION refuse_poison();
            """)
        let appender = try db.appender()
        var entries: [LogEntry] = []
        for s in 0..<10 {
            if s == 4 {
                entries.append(try entry(db, interim, user: "poison", session: "P", at: hour0 * 1_000_000, up: 5, down: 5))
            }
            entries.append(try entry(db, interim, user: "u\(s)", session: "S\(s)", at: hour0 * 1_000_000, up: 100, down: 200, seconds: 10))
            if s == 7 {
                entries.append(try entry(db, stop, user: "poison", session: "P", at: (hour0 + 30) * 1_000_000, up: 9, down: 9))
            }
            entries.append(try entry(db, stop, user: "u\(s)", session: "S\(s)", at: (hour0 + 60) * 1_000_000, up: 300, down: 400, seconds: 60))
        }
        try appender.append(entries)
        #expect(entries.count == 22)
        let metrics = CollectorMetrics()
        let merger = db.merger(metrics)
        merger.start()
        defer { merger.stop() }
        try waitForMerge(db.connection)
        #expect(try waitUntil(seconds: 2) { metrics.mergedPackets.load(ordering: .relaxed) == 20 })
        #expect(metrics.mergeRefused.load(ordering: .relaxed) == 2)
        // Poison is the 9th packet (before S4's) and the 17th (between S7's interim and Stop).
        let refusals = try db.connection.query(
            "SELECT stream::text, seq::text, error LIKE '%poison refused%' FROM log_refusals ORDER BY log_refusals.seq"
        ).rows
        #expect(refusals == [[String(appender.stream), "9", "t"], [String(appender.stream), "17", "t"]])
        #expect(try db.mergedSeq(appender.stream) == 22)
        #expect(try count(db.connection, "SELECT count(*) FROM accounting_packets WHERE user_name = 'poison'") == 2)
        #expect(try count(db.connection, "SELECT count(*) FROM sessions WHERE user_name = 'poison'") == 0)
        let tenant = String(db.tenants[0].id)
        #expect(try db.usage() == (0..<10).map { [tenant, "u\($0)", "300", "400", "60"] })
        #expect(try count(db.connection, "SELECT count(*) FROM sessions WHERE close_reason = 'stop' AND download_bytes = 400") == 10)
        // Still leading and merging after it.
        try appender.append([try entry(db, interim, user: "u0", session: "N", at: hour0 * 1_000_000, up: 1, down: 2)])
        try waitForMerge(db.connection)
        #expect(try waitUntil(seconds: 2) { metrics.mergedPackets.load(ordering: .relaxed) == 21 })
        #expect(merger.isLeader)
    }

    @Test("A logged packet that no longer decodes is recorded and passed over; its neighbours are merged")
    func undecodable() throws {
        let db = try Fixture()
        let appender = try db.appender()
        var damaged = try entry(db, interim, user: "x", session: "X", at: hour0 * 1_000_000, up: 1)
        damaged.packet = [4, 1, 0, 40] + [UInt8](repeating: 0xFF, count: 16)
        try appender.append([
            try entry(db, interim, user: "u", session: "A", at: hour0 * 1_000_000, up: 10, down: 20),
            damaged,
            try entry(db, interim, user: "u", session: "B", at: hour0 * 1_000_000, up: 30, down: 40),
        ])
        let metrics = CollectorMetrics()
        let merger = db.merger(metrics)
        merger.start()
        defer { merger.stop() }
        try waitForMerge(db.connection)
        #expect(try waitUntil(seconds: 2) { metrics.mergeRefused.load(ordering: .relaxed) == 1 })
        #expect(metrics.mergedPackets.load(ordering: .relaxed) == 2, "a packet set aside is not counted as merged")
        let refusals = try db.connection.query("SELECT seq::text, error LIKE 'no longer decodes%' FROM log_refusals").rows
        #expect(refusals == [["2", "t"]])
        #expect(try db.mergedSeq(appender.stream) == 3)
        #expect(try count(db.connection, "SELECT count(*) FROM accounting_packets") == 3)
        #expect(try db.usage() == [[String(db.tenants[0].id), "u", "40", "60", "0"]])
        #expect(try count(db.connection, "SELECT count(*) FROM sessions") == 2)
    }

    @Test("onUsageCommitted hears exactly the subscribers whose usage changed or whose session started, sorted, across tenants")
    func usageHook() throws {
        let db = try Fixture()
        let calls = Mutex<[[UsageCommitted]]>([])
        let appender = try db.appender()
        try appender.append([
            try entry(db, tenant: 1, interim, user: "a", session: "B1", at: hour0 * 1_000_000, up: 7),
            try entry(db, tenant: 0, interim, user: "b", session: "A1", at: hour0 * 1_000_000, up: 10),
            try entry(db, tenant: 0, start, user: "c", session: "A2", at: hour0 * 1_000_000),
            try entry(db, tenant: 0, interim, user: "a", session: "A3", at: hour0 * 1_000_000, down: 5),
            try entry(db, tenant: 1, start, user: "z", session: "B2", at: hour0 * 1_000_000),
            try entry(db, tenant: 0, interim, user: "b", session: "A4", at: hour0 * 1_000_000, up: 1),
        ])
        let merger = db.merger { $0.onUsageCommitted = { subscribers in calls.withLock { $0.append(subscribers) } } }
        merger.start()
        defer { merger.stop() }
        let (a, b) = (db.tenants[0].id, db.tenants[1].id)
        #expect(try waitUntil(seconds: 10) { calls.withLock { $0.count } == 1 })
        // A Start without counters is heard too: it is what re-applies a subscriber's throttle.
        #expect(
            calls.withLock { $0 } == [
                [
                    UsageCommitted(tenantID: a, subscriber: "a"), UsageCommitted(tenantID: a, subscriber: "b"),
                    UsageCommitted(tenantID: a, subscriber: "c"), UsageCommitted(tenantID: b, subscriber: "a"),
                    UsageCommitted(tenantID: b, subscriber: "z"),
                ]
            ])

        // A retransmitted Start and a retransmitted interim change nothing: no call.
        try appender.append([
            try entry(db, tenant: 1, start, user: "z", session: "B2", at: hour0 * 1_000_000),
            try entry(db, tenant: 0, interim, user: "b", session: "A1", at: hour0 * 1_000_000, up: 10),
        ])
        try waitForMerge(db.connection)
        usleep(300_000)
        #expect(calls.withLock { $0.count } == 1)

        try appender.append([try entry(db, tenant: 1, interim, user: "z", session: "B2", at: (hour0 + 60) * 1_000_000, up: 3)])
        #expect(try waitUntil(seconds: 10) { calls.withLock { $0.count } == 2 })
        #expect(calls.withLock { $0.last } == [UsageCommitted(tenantID: b, subscriber: "z")])
    }

    @Test("Retention keeps an expired partition while it holds unmerged rows and drops it once merged")
    func retentionGuard() throws {
        let db = try Fixture()
        let day: Int64 = 20_000 * 86400 // 2024-10-04
        try PacketRetention.maintain(db.connection, retentionDays: 3, today: day)
        let appender = try db.appender()
        try appender.append([try entry(db, interim, user: "old", session: "O", at: (day - 3600) * 1_000_000, up: 11, down: 22)])
        #expect(try count(db.connection, "SELECT count(*) FROM accounting_packets_20241003") == 1)

        // Five days on, 2024-10-03 to 05 are past retention; the first still holds an unmerged row.
        #expect(
            try PacketRetention.maintain(db.connection, retentionDays: 3, today: day + 5 * 86400)
                == ["accounting_packets_20241004", "accounting_packets_20241005"])
        #expect(try count(db.connection, "SELECT count(*) FROM accounting_packets_20241003") == 1)

        #expect(try db.merger().mergeUntilCaughtUp(PostgresConnection(url: db.url)))
        #expect(try db.usage() == [[String(db.tenants[0].id), "old", "11", "22", "0"]])
        #expect(try PacketRetention.maintain(db.connection, retentionDays: 3, today: day + 5 * 86400) == ["accounting_packets_20241003"])
        #expect(try count(db.connection, "SELECT count(*) FROM accounting_packets") == 0)
    }

    @Test("The merge lag shows while rows wait for a leader and returns to 0 once merged")
    func mergeLag() throws {
        let db = try Fixture()
        // Another connection holds the leadership: the merger stands by.
        let holder = try PostgresConnection(url: db.url)
        #expect(try MergeLeadership.tryAcquire(holder))
        let metrics = CollectorMetrics()
        let merger = db.merger(metrics)
        merger.start()
        defer { merger.stop() }
        let receivedAt = Int64(Date().timeIntervalSince1970 * 1_000_000) - 5_000_000
        let appender = try db.appender()
        try appender.append((1...5).map { i in try entry(db, interim, user: "u", session: "L\(i)", at: receivedAt + Int64(i), up: 10) })
        #expect(try waitUntil(seconds: 5) { metrics.mergeLagSeconds > 0 })
        #expect(metrics.mergeLagSeconds >= 5 && metrics.mergeLagSeconds < 60)
        #expect(metrics.mergeOldestUnmerged.load(ordering: .relaxed) == receivedAt + 1)
        #expect(!merger.isLeader)
        #expect(metrics.mergedPackets.load(ordering: .relaxed) == 0)
        // A process that appends without a merger of its own leaves the log to the leader.
        #expect(try db.merger().mergeUntilCaughtUp(PostgresConnection(url: db.url)) == false)
        #expect(try PacketLog.unmergedCount(db.connection) == 5)

        try MergeLeadership.release(holder)
        #expect(try waitUntil(seconds: 5) { merger.isLeader })
        try waitForMerge(db.connection)
        #expect(try waitUntil(seconds: 2) { metrics.mergeLagSeconds == 0 })
        #expect(metrics.mergedPackets.load(ordering: .relaxed) == 5)
        #expect(try db.usage() == [[String(db.tenants[0].id), "u", "50", "0", "0"]])
    }
}
