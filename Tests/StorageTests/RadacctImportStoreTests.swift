import Accounting
import Foundation
import RadacctImport
import Storage
import TestSupport
import Testing

/// A radacct table held in memory, that can fail after some rows as a dropped source would.
private struct RowsReader: RadacctTableReader {
    var columns: [String]
    var rows: [[String?]]
    var failAfter: Int?
    var index = 0

    init(columns: [String], rows: [[String?]], failAfter: Int? = nil) {
        self.columns = columns
        self.rows = rows
        self.failAfter = failAfter
    }

    mutating func next() throws(RadacctSourceError) -> [String?]? {
        if let failAfter, index >= failAfter { throw RadacctSourceError(line: index, "the source went away") }
        guard index < rows.count else { return nil }
        defer { index += 1 }
        return rows[index]
    }
}

/// FreeRADIUS 3.x columns, in its schema's order (the ones the tests fill).
private let columns = [
    "radacctid", "acctsessionid", "acctuniqueid", "username", "nasipaddress", "nasportid", "acctstarttime",
    "acctupdatetime", "acctstoptime", "acctsessiontime", "acctinputoctets", "acctoutputoctets",
    "acctterminatecause", "framedipaddress", "callingstationid", "class",
]

private func row(
    _ id: Int, session: String, unique: String? = nil, user: String, nas: String = "10.0.0.1", port: String = "7",
    start: String, update: String? = nil, stop: String?, seconds: Int?, up: Int64?, down: Int64?,
    cause: String = "User-Request", framed: String = "100.64.0.9"
) -> [String?] {
    [
        String(id), session, unique ?? "u\(id)", user, nas, port, start, update, stop, seconds.map(String.init), up.map(String.init),
        down.map(String.init), cause, framed, "02:00:00:00:00:01", "0x6169",
    ]
}

private struct World {
    var url: String
    var connection: PostgresConnection
    var tenant: Tenant
    var nas: NASDevice

    init() throws {
        (url, connection) = try TestDatabase.fresh()
        tenant = try TenantStore(connection: connection).create(slug: "acme", name: "ACME")
        nas = try NASStore(connection: connection, cipher: TestDatabase.cipher).add(tenant: tenant, name: "bras", address: "10.0.0.1", secret: "s")
    }

    func importRows(
        _ rows: [[String?]], columns: [String] = columns, failAfter: Int? = nil, nasMap: [RadacctNASMapEntry] = [],
        tenant: Tenant? = nil, batchSize: Int = 2, fingerprint: String = "test", dryRun: Bool = false,
        writers: Int = 1
    ) throws -> RadacctImportResult {
        let options = RadacctImportOptions(
            tenantID: (tenant ?? self.tenant).id, timeZone: TimeZone(identifier: "UTC")!, nasMap: nasMap,
            dryRun: dryRun, batchSize: batchSize, writers: writers)
        let url = self.url
        let importer = RadacctImporter(store: RadacctImportStore(connection: connection), options: options) { try PostgresConnection(url: url) }
        return try importer.run(source: "memory", fingerprint: fingerprint, positionKind: .rows) { _ in
            RowsReader(columns: columns, rows: rows, failAfter: failAfter)
        }
    }

    func usage(_ user: String) throws -> [String] {
        try connection.query(
            """
            SELECT to_char(hour AT TIME ZONE 'UTC', 'HH24:MI') || ' ' || upload_bytes || '/' || download_bytes || '/' || session_seconds
            FROM usage_hourly WHERE subscriber = $1 ORDER BY hour
            """, [user]
        ).rows.map { $0[0] ?? "" }
    }

    func scalar(_ sql: String, _ parameters: [String?] = []) throws -> String? {
        try connection.query(sql, parameters).rows.first?[0] ?? nil
    }
}

@Suite("radacct import into sessions and usage", .enabled(if: TestDatabase.available))
struct RadacctImportStoreTests {
    @Test("Rows become sessions whose octets are spread over the hours exactly; the daily and cycle rows follow; a second import adds nothing")
    func importsExactlyOnce() throws {
        let world = try World()
        let rows = [
            // 19:30 to 21:00: 5400 s, one third in the 19:00 hour, two thirds in 20:00.
            row(
                1, session: "a1", user: "alice", start: "2026-11-24 19:30:00", stop: "2026-11-24 21:00:00", seconds: 5400, up: 3000,
                down: 9_000_000_001),
            row(2, session: "b1", user: "bob", start: "2026-11-24 20:10:00", stop: "2026-11-24 20:20:00", seconds: 600, up: 7, down: 11),
            row(3, session: "a2", user: "alice", start: "2026-11-24 22:00:00", stop: nil, seconds: 0, up: 0, down: 0),
        ]
        let first = try world.importRows(rows)
        #expect(first.run.counts.rowsRead == 3)
        #expect(first.run.counts.imported == 3)
        #expect(first.run.counts.skipped.isEmpty)
        #expect(first.run.counts.quirks == ["open": 1])
        #expect(try world.usage("alice") == ["19:00 1000/3000000000/1800", "20:00 2000/6000000001/3600"])
        #expect(try world.usage("bob") == ["20:00 7/11/600"])
        #expect(
            first.totals == [
                RadacctSubscriberTotals(
                    subscriber: "alice", sessions: 2, sourceUpload: 3000, sourceDownload: 9_000_000_001,
                    importedUpload: 3000, importedDownload: 9_000_000_001, importedSeconds: 5400),
                RadacctSubscriberTotals(
                    subscriber: "bob", sessions: 1, sourceUpload: 7, sourceDownload: 11,
                    importedUpload: 7, importedDownload: 11, importedSeconds: 600),
            ])
        #expect(try world.scalar("SELECT sum(download_bytes)::text FROM usage_daily WHERE subscriber = 'alice'") == "9000000001")
        #expect(try world.scalar("SELECT sum(download_bytes)::text FROM usage_cycles WHERE subscriber = 'alice'") == "9000000001")
        #expect(try world.scalar("SELECT sum(download_bytes)::text FROM usage_cycle_totals") == "9000000012")
        // The sessions as stored: closed with their cause, the open one open, every one the latest of its key.
        let sessions = try world.connection.query(
            """
            SELECT acct_session_id, generation, is_latest, stopped_at IS NULL, close_reason, terminate_cause, host(framed_ip_address),
                   encode(class, 'escape'), upload_bytes, download_bytes, session_seconds, imported_at IS NOT NULL
            FROM sessions ORDER BY acct_session_id
            """
        ).rows
        #expect(
            sessions == [
                ["a1", "1", "t", "f", "stop", "1", "100.64.0.9", "ai", "3000", "9000000001", "5400", "t"],
                ["a2", "1", "t", "t", nil, "1", "100.64.0.9", "ai", "0", "0", "0", "t"],
                ["b1", "1", "t", "f", "stop", "1", "100.64.0.9", "ai", "7", "11", "600", "t"],
            ])

        // Again, as a new run: every row is known by its AcctUniqueId.
        let again = try world.importRows(rows, fingerprint: "again")
        #expect(again.run.id != first.run.id)
        #expect(again.run.counts.imported == 0)
        #expect(again.run.counts.skipped == ["already-imported": 3])
        #expect(again.totals.isEmpty)
        #expect(try world.usage("alice") == ["19:00 1000/3000000000/1800", "20:00 2000/6000000001/3600"])
        #expect(try world.scalar("SELECT count(*)::text FROM sessions") == "3")
    }

    @Test("A dry run reports what an import would do and writes nothing")
    func dryRun() throws {
        let world = try World()
        let rows = [
            row(1, session: "a1", user: "alice", start: "2026-11-24 19:30:00", stop: "2026-11-24 19:40:00", seconds: 600, up: 1, down: 2),
            row(
                2, session: "a1", unique: "u1", user: "alice", start: "2026-11-24 19:30:00", stop: "2026-11-24 19:40:00", seconds: 600, up: 1, down: 2
            ),
        ]
        let result = try world.importRows(rows, batchSize: 10, dryRun: true)
        #expect(result.run.counts.imported == 1)
        #expect(result.run.counts.skipped == ["duplicate-unique-id": 1])
        #expect(try world.scalar("SELECT count(*)::text FROM sessions") == "0")
        #expect(try world.scalar("SELECT count(*)::text FROM usage_hourly") == "0")
        #expect(try world.scalar("SELECT count(*)::text FROM radacct_import_runs") == "0")
    }

    @Test("A session the collector received live is not counted again; older rows of its key become generations below the live ones")
    func liveSessionsCountOnce() throws {
        let world = try World()
        let t = world.tenant.id
        let n = world.nas.id
        let base: Int64 = 1_795_546_800 // 2026-11-24T19:00:00Z
        func live(_ status: AccountingStatus, at time: Int64, up: UInt64? = nil, down: UInt64? = nil) -> BatchItem {
            var r = AccountingRecord(
                tenantID: t, nasID: n, status: status, sessionID: "s1", userName: "carol", nasPort: "7",
                eventTime: time, receivedAt: time * 1_000_000)
            r.upload = up.map { CounterReading(octets: UInt32($0), gigawords: 0) }
            r.download = down.map { CounterReading(octets: UInt32($0), gigawords: 0) }
            r.sessionTime = status == .stop ? 600 : 0
            return BatchItem(record: r, packet: [4, 1, 0, 20] + [UInt8](repeating: 0, count: 16))
        }
        try AccountingWriter(connection: world.connection).write([live(.start, at: base + 600), live(.stop, at: base + 1200, up: 500, down: 700)])
        let rows = [
            // The same session as FreeRADIUS recorded it: skipped.
            row(1, session: "s1", user: "carol", start: "2026-11-24 19:10:00", stop: "2026-11-24 19:20:00", seconds: 600, up: 500, down: 700),
            // The same key a day earlier (the NAS reused the session id): imported below the live generation.
            row(2, session: "s1", user: "carol", start: "2026-11-23 19:10:00", stop: "2026-11-23 19:20:00", seconds: 600, up: 40, down: 60),
        ]
        let result = try world.importRows(rows)
        #expect(result.run.counts.imported == 1)
        #expect(result.run.counts.skipped == ["received-live": 1])
        #expect(try world.usage("carol") == ["19:00 40/60/600", "19:00 500/700/600"]) // the 23rd's, then the 24th's
        let generations = try world.connection.query(
            """
            SELECT generation, is_latest, imported_at IS NOT NULL, upload_bytes FROM sessions WHERE user_name = 'carol' ORDER BY generation
            """
        ).rows
        #expect(generations == [["0", "f", "t", "40"], ["1", "t", "f", "500"]])
        // The collector goes on with its own generations: a new session of the key is generation 2.
        try AccountingWriter(connection: world.connection).write([live(.start, at: base + 7200), live(.stop, at: base + 7300, up: 5, down: 5)])
        #expect(
            try world.scalar("SELECT string_agg(generation::text || ':' || is_latest, ',' ORDER BY generation) FROM sessions")
                == "0:false,1:false,2:true")
    }

    @Test("An imported open session is continued by live accounting: only the counters' growth is added")
    func liveContinuesAnImportedSession() throws {
        let world = try World()
        _ = try world.importRows([
            row(
                1, session: "s9", user: "dave", start: "2026-11-24 19:00:00", update: "2026-11-24 19:30:00", stop: nil, seconds: 1800, up: 1000,
                down: 2000)
        ])
        #expect(try world.usage("dave") == ["19:00 1000/2000/1800"])
        var r = AccountingRecord(
            tenantID: world.tenant.id, nasID: world.nas.id, status: .stop, sessionID: "s9", userName: "dave", nasPort: "7",
            eventTime: 1_795_546_800 + 3600 + 1800, receivedAt: (1_795_546_800 + 3600 + 1800) * 1_000_000)
        r.upload = CounterReading(octets: 1600, gigawords: 0)
        r.download = CounterReading(octets: 2900, gigawords: 0)
        r.sessionTime = 5400
        try AccountingWriter(connection: world.connection).write([BatchItem(record: r, packet: [4, 1, 0, 20] + [UInt8](repeating: 0, count: 16))])
        #expect(
            try world.scalar("SELECT sum(upload_bytes)::text || '/' || sum(download_bytes) FROM usage_hourly WHERE subscriber = 'dave'")
                == "1600/2900")
        #expect(try world.scalar("SELECT count(*)::text || ' ' || bool_and(stopped_at IS NOT NULL) FROM sessions") == "1 true")
    }

    @Test("A run that stops half-way resumes after its last committed batch: every row counted once")
    func resumes() throws {
        let world = try World()
        let rows = (1...9).map { i in
            row(
                i, session: "r\(i)", user: "erin", start: "2026-11-24 19:0\(i):00", stop: "2026-11-24 19:0\(i):30", seconds: 30, up: Int64(i),
                down: Int64(10 * i))
        }
        #expect(throws: RadacctSourceError.self) { try world.importRows(rows, failAfter: 5) }
        // Batches of two: rows 1-4 committed, row 5 was read but its batch never written.
        #expect(try world.scalar("SELECT position::text || ' ' || (finished_at IS NULL) FROM radacct_import_runs") == "4 true")
        #expect(try world.scalar("SELECT sum(upload_bytes)::text FROM usage_hourly") == "10")
        let resumed = try world.importRows(rows)
        #expect(resumed.run.resumed)
        #expect(resumed.rowsThisTime == 5)
        #expect(resumed.run.counts.rowsRead == 9)
        #expect(resumed.run.counts.imported == 9)
        #expect(try world.scalar("SELECT sum(upload_bytes)::text || '/' || sum(download_bytes) FROM usage_hourly") == "45/450")
        #expect(resumed.totals.map(\.sessions) == [9])
        #expect(try world.scalar("SELECT count(*)::text FROM radacct_import_runs WHERE finished_at IS NOT NULL") == "1")
    }

    @Test("Rows of unknown NAS are counted by address, never imported; the NAS map places 0.0.0.0")
    func nasMapping() throws {
        let world = try World()
        let rows = [
            row(
                1, session: "n1", user: "fay", nas: "0.0.0.0", start: "2026-11-24 19:00:00", stop: "2026-11-24 19:10:00", seconds: 600, up: 1, down: 1
            ),
            row(
                2, session: "n2", user: "fay", nas: "192.0.2.7", start: "2026-11-24 19:00:00", stop: "2026-11-24 19:10:00", seconds: 600, up: 1,
                down: 1),
            row(
                3, session: "n3", user: "fay", nas: "192.0.2.7", start: "2026-11-24 19:00:00", stop: "2026-11-24 19:10:00", seconds: 600, up: 1,
                down: 1),
        ]
        let unmapped = try world.importRows(rows, fingerprint: "unmapped")
        #expect(unmapped.run.counts.imported == 0)
        #expect(unmapped.run.counts.skipped == ["unknown-nas": 3])
        #expect(unmapped.run.counts.unknownNAS == ["0.0.0.0": 1, "192.0.2.7": 2])
        let mapped = try world.importRows(rows, nasMap: [RadacctNASMapEntry(source: "0.0.0.0", nasName: "bras", line: 1)], fingerprint: "mapped")
        #expect(mapped.run.counts.imported == 1)
        #expect(mapped.run.counts.quirks == ["nas-0.0.0.0": 1])
        #expect(throws: RadacctNASMapError.self) {
            try world.importRows(rows, nasMap: [RadacctNASMapEntry(source: "0.0.0.0", nasName: "nope", line: 3)], fingerprint: "bad")
        }
    }

    @Test("Two rows of one key (a NAS that reused its session id) become generations 1 and 2; other tenants are untouched")
    func generationsAndTenants() throws {
        let world = try World()
        let other = try TenantStore(connection: world.connection).create(slug: "other", name: "Other")
        // Its NAS has another address here; the map points the rows' 10.0.0.1 at it.
        _ = try NASStore(connection: world.connection, cipher: TestDatabase.cipher).add(tenant: other, name: "edge", address: "10.9.9.9", secret: "s")
        let rows = [
            row(1, session: "dup", user: "gus", start: "2026-11-24 19:00:00", stop: "2026-11-24 19:10:00", seconds: 600, up: 1, down: 2),
            row(2, session: "dup", user: "gus", start: "2026-11-25 19:00:00", stop: "2026-11-25 19:10:00", seconds: 600, up: 3, down: 4),
        ]
        _ = try world.importRows(rows, batchSize: 10)
        #expect(
            try world.scalar("SELECT string_agg(generation::text || ':' || is_latest || ':' || upload_bytes, ',' ORDER BY generation) FROM sessions")
                == "1:false:1,2:true:3")
        // The same rows for the other tenant are its own (keys are per tenant).
        let second = try world.importRows(
            rows, nasMap: [RadacctNASMapEntry(source: "10.0.0.1", nasName: "edge", line: 1)], tenant: other,
            fingerprint: "other")
        #expect(second.run.counts.imported == 2)
        #expect(try world.scalar("SELECT count(DISTINCT tenant_id)::text || ' ' || count(*) FROM radacct_imports") == "2 4")
        #expect(try world.scalar("SELECT sum(upload_bytes)::text FROM usage_hourly WHERE tenant_id = $1", [String(world.tenant.id)]) == "4")
    }

    @Test("SQL, formulas, NUL and quotes in every string field arrive as text; a bad framed address is left out, not fatal")
    func hostileStrings() throws {
        let world = try World()
        let evil = "'); DROP TABLE sessions; --"
        var hostile = row(
            1, session: evil, unique: "=HYPERLINK(\"http://x\")", user: "=1+2\u{0}'\"", port: "/* */",
            start: "2026-11-24 19:00:00", stop: "2026-11-24 19:10:00", seconds: 600, up: 5, down: 6, framed: "'; SELECT 1")
        hostile[12] = "DROP TABLE"
        let result = try world.importRows([hostile])
        #expect(result.run.counts.imported == 1)
        let stored = try world.connection.query(
            """
            SELECT acct_session_id, user_name, nas_port, framed_ip_address, terminate_cause FROM sessions
            """
        ).rows
        #expect(stored == [[evil, "=1+2\u{FFFD}'\"", "/* */", nil, nil]])
        #expect(try world.scalar("SELECT unique_id FROM radacct_imports") == "=HYPERLINK(\"http://x\")")
    }

    @Test("Unreadable and negative rows are skipped with their reason; the rest of the batch is imported")
    func badRows() throws {
        let world = try World()
        let rows = [
            row(1, session: "x1", user: "hal", start: "yesterday", stop: "2026-11-24 19:10:00", seconds: 600, up: 1, down: 1),
            row(2, session: "x2", user: "hal", start: "2026-11-24 19:00:00", stop: "2026-11-24 19:10:00", seconds: 600, up: -5, down: 1),
            row(3, session: "x3", user: "hal", start: "2026-11-24 19:00:00", stop: "2026-11-24 19:10:00", seconds: 600, up: nil, down: 9),
            row(4, session: "x4", user: "hal", start: "", stop: "2026-11-24 19:10:00", seconds: 600, up: 2, down: 2),
            row(5, session: "x5", user: "hal", start: "", stop: nil, seconds: nil, up: 2, down: 2),
        ]
        let result = try world.importRows(rows, batchSize: 10)
        #expect(result.run.counts.imported == 2)
        #expect(result.run.counts.skipped == ["unreadable": 1, "negative-values": 1, "no-start-time": 1])
        #expect(result.run.counts.unreadable == ["row 1: acctstarttime \"yesterday\" is not a time"])
        #expect(result.run.counts.quirks == ["null-counters": 1, "start-derived": 1])
        #expect(try world.scalar("SELECT sum(upload_bytes)::text || '/' || sum(download_bytes) FROM usage_hourly") == "2/11")
    }

    @Test(
        "Parallel writers: a batch in parts by subscriber on two connections; a run whose parts committed but whose position was not recorded counts them on resuming, without writing them again"
    )
    func parallelWritersAndResumedParts() throws {
        let world = try World()
        let rows = (1...40).map { i in
            row(
                i, session: "p\(i)", user: "user\(i % 7)", start: "2026-11-24 19:00:00", stop: "2026-11-24 20:00:00", seconds: 3600,
                up: Int64(i), down: Int64(1000 * i))
        }
        let result = try world.importRows(rows, batchSize: 10, writers: 2)
        #expect(result.writers == 2)
        #expect(result.run.counts.imported == 40)
        #expect(result.totals.count == 7 && result.totals.allSatisfy(\.isEqual))
        #expect(try world.scalar("SELECT sum(upload_bytes)::text || '/' || sum(download_bytes) FROM usage_hourly") == "820/820000")
        // As if the process died after the parts of every batch committed, before the run recorded them.
        _ = try world.connection.query("UPDATE radacct_import_runs SET position = 0, rows_read = 0, counts = '{}', finished_at = NULL")
        let resumed = try world.importRows(rows, batchSize: 10, writers: 2)
        #expect(resumed.run.resumed)
        #expect(resumed.run.counts.imported == 40 && resumed.run.counts.skipped.isEmpty)
        #expect(try world.scalar("SELECT sum(upload_bytes)::text || '/' || sum(download_bytes) FROM usage_hourly") == "820/820000")
        #expect(try world.scalar("SELECT count(*)::text FROM sessions") == "40")
        // A collector leading the merge: one writer, each part holding the leadership row.
        let collector = try PostgresConnection(url: world.url)
        #expect(try MergeLeadership.tryAcquire(collector))
        let shared = try world.importRows(rows, batchSize: 10, fingerprint: "again", writers: 2)
        #expect(shared.writers == 1)
        #expect(shared.run.counts.skipped == ["already-imported": 40])
    }

    @Test("An older row of an imported key, imported later, goes below its generations: the latest stays the newest session")
    func olderRowsGoBelow() throws {
        let world = try World()
        _ = try world.importRows([
            row(1, session: "k", user: "kim", start: "2026-11-25 19:00:00", stop: "2026-11-25 19:10:00", seconds: 600, up: 1, down: 1)
        ])
        _ = try world.importRows(
            [
                row(2, session: "k", user: "kim", start: "2026-11-23 19:00:00", stop: "2026-11-23 19:10:00", seconds: 600, up: 2, down: 2),
                row(3, session: "k", user: "kim", start: "2026-11-26 19:00:00", stop: nil, seconds: 60, up: 3, down: 3),
            ],
            batchSize: 10, fingerprint: "archive")
        #expect(
            try world.scalar(
                """
                SELECT string_agg(generation::text || ':' || is_latest || ':' || to_char(started_at AT TIME ZONE 'UTC', 'DD'), ',' ORDER BY generation)
                FROM sessions
                """) == "0:false:23,1:false:25,2:true:26")
    }

    @Test("A second import of the same source into the tenant is refused while the first runs; another source or tenant is not")
    func oneRunOfASourceAtATime() throws {
        let world = try World()
        let first = RadacctImportStore(connection: world.connection)
        let run = try first.open(tenantID: world.tenant.id, source: "s", fingerprint: "same", resume: true)
        let second = RadacctImportStore(connection: try PostgresConnection(url: world.url))
        #expect(throws: StoreError(.conflict, "another import of this source into this tenant is running; wait for it to end")) {
            try second.open(tenantID: world.tenant.id, source: "s", fingerprint: "same", resume: true)
        }
        _ = try second.open(tenantID: world.tenant.id, source: "t", fingerprint: "other", resume: true)
        try first.finish(tenantID: world.tenant.id, run: run, fingerprint: "same")
        let again = try second.open(tenantID: world.tenant.id, source: "s", fingerprint: "same", resume: true)
        #expect(!again.resumed && again.id != run.id)
    }

    @Test("A key twice in one batch is imported once; the second row is a duplicate")
    func duplicateKeysInABatch() throws {
        let world = try World()
        let rows = [
            row(
                1, session: "d1", unique: "same", user: "ida", start: "2026-11-24 19:00:00", stop: "2026-11-24 19:10:00", seconds: 600, up: 1, down: 1
            ),
            row(
                2, session: "d2", unique: "same", user: "jon", start: "2026-11-24 19:00:00", stop: "2026-11-24 19:10:00", seconds: 600, up: 2, down: 2
            ),
        ]
        let result = try world.importRows(rows, batchSize: 10, writers: 2)
        #expect(result.run.counts.imported == 1 && result.run.counts.skipped == ["duplicate-unique-id": 1])
        #expect(try world.scalar("SELECT sum(upload_bytes)::text FROM usage_hourly") == "1")
    }
}
