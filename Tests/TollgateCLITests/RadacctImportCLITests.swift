import Foundation
import Storage
import TestSupport
import Testing

/// The integrity report as `tollgate import radacct --format json` prints it (its keys as names).
// swift-format-ignore: AlwaysUseLowerCamelCase
private struct Report: Decodable {
    struct Subscriber: Decodable, Equatable {
        var subscriber: String
        var sessions: Int64
        var source_upload_bytes: Int64
        var source_download_bytes: Int64
        var imported_upload_bytes: Int64
        var imported_download_bytes: Int64
    }
    var layout: String?
    var run: Int64
    var resumed: Bool
    var dry_run: Bool
    var rows_read: Int64
    var imported: Int64
    var skipped: [String: Int64]
    var unknown_nas: [String: Int64]
    var quirks: [String: Int64]
    var mismatches: Int
    var subscribers: [Subscriber]
}

/// A tenant whose NAS devices are those of the five real radacct dumps (their addresses as the
/// dumps give them; 0.0.0.0 rows go to `chilli` through a NAS map).
private struct ImportWorld {
    var url: String
    var connection: PostgresConnection
    var directory: URL
    var nasMap: String

    init() throws {
        (url, connection) = try TestDatabase.fresh()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        nasMap = directory.appendingPathComponent("nas-map").path
        try "# radacct NASIPAddress = Tollgate NAS\n0.0.0.0 = chilli\n".write(toFile: nasMap, atomically: true, encoding: .utf8)
        try tollgate(["tenant", "create", "legacy", "--name", "Legacy ISP", "--timezone", "UTC"], expect: 0)
        for (name, address) in [
            ("dalo", "192.168.100.1"), ("coova", "10.20.30.2"), ("hotspot1", "172.16.0.5"), ("pppoe", "10.2.2.1"),
            ("chilli", "192.0.2.50"),
        ] {
            try tollgate(["nas", "add", "--tenant", "legacy", "--name", name, "--address", address, "--secret", "secret-\(name)-123"], expect: 0)
        }
    }

    @discardableResult
    func tollgate(_ arguments: [String], expect status: Int32? = nil) throws -> (status: Int32, output: String, error: String) {
        let result = try runTollgate(arguments + ["--database-url", url], environment: ["TOLLGATE_SECRET_KEY": secretKey])
        if let status, result.status != status {
            throw SetUpError("tollgate \(arguments.joined(separator: " ")): status \(result.status)\n\(result.error)")
        }
        return result
    }

    func importFile(_ path: String, _ extra: [String] = []) throws -> Report {
        let result = try tollgate(["import", "radacct", "--tenant", "legacy", "--file", path, "--format", "json"] + extra, expect: 0)
        return try JSONDecoder().decode(Report.self, from: Data(result.output.utf8))
    }

    func scalar(_ sql: String) throws -> String? { try connection.query(sql).rows.first?[0] ?? nil }
}

private func dump(_ name: String) throws -> String { try RealData.path("radacct/" + name) }

@Suite("tollgate import radacct", .enabled(if: TestDatabase.available), .serialized)
struct RadacctImportCLITests {
    @Test("The five real dumps (FreeRADIUS 1.x-3.2) import with every subscriber's usage equal to the source's octets, exactly once")
    func realDumps() throws {
        let world = try ImportWorld()
        defer { try? FileManager.default.removeItem(at: world.directory) }
        let map = ["--nas-map", world.nasMap]

        let dalo = try world.importFile(try dump("daloradius-2007-sample-radacct.mysql.sql"), map)
        #expect(dalo.layout == "FreeRADIUS 1.x")
        #expect(dalo.rows_read == 20 && dalo.imported == 20 && dalo.skipped.isEmpty)
        // Rows 5-20 name NAS 0.0.0.0; row 20's stop time is the zero date.
        #expect(dalo.quirks == ["nas-0.0.0.0": 16, "zero-stop-time": 1])
        let easy = try world.importFile(try dump("easyhotspot-2009-chilli-radacct.mysql.sql"), map)
        #expect(easy.layout == "FreeRADIUS 2.x")
        #expect(easy.rows_read == 3 && easy.imported == 3 && easy.quirks == ["nas-0.0.0.0": 3])
        let mikrotik = try world.importFile(try dump("mikrotik-hotspot-2017-2021-radacct.mysql.sql"), map)
        #expect(mikrotik.layout == "FreeRADIUS 3.x")
        #expect(mikrotik.rows_read == 9 && mikrotik.imported == 9 && mikrotik.quirks.isEmpty)
        let pppoe = try world.importFile(try dump("pppoe-2025-fr32-radacct.mysql.sql"), map)
        #expect(pppoe.rows_read == 8 && pppoe.imported == 8 && pppoe.quirks == ["open": 1])
        // CoovaChilli beside FreeRADIUS reported 127.0.0.1 for 15 rows: reported, not imported.
        let yfi = try world.importFile(try dump("yfi-coovachilli-2009-2012-radacct.mysql.sql"), map)
        #expect(yfi.layout == "FreeRADIUS 2.x")
        #expect(yfi.rows_read == 31 && yfi.imported == 16)
        #expect(yfi.skipped == ["unknown-nas": 15] && yfi.unknown_nas == ["127.0.0.1": 15])
        // Row 73 stopped before it started; row 89's 3591 s span 31 hours.
        #expect(yfi.quirks == ["stop-before-start": 1, "session-time-short": 1])
        for report in [dalo, easy, mikrotik, pppoe, yfi] {
            #expect(report.mismatches == 0)
            for s in report.subscribers {
                #expect(s.source_upload_bytes == s.imported_upload_bytes && s.source_download_bytes == s.imported_download_bytes)
            }
        }
        // Source sums computed apart from the importer, for the rows of known NAS.
        #expect(
            mikrotik.subscribers.first { $0.subscriber == "parham.alvani" }
                == .init(
                    subscriber: "parham.alvani", sessions: 4, source_upload_bytes: 181_344_731, source_download_bytes: 903_306_829,
                    imported_upload_bytes: 181_344_731, imported_download_bytes: 903_306_829))
        #expect(try world.scalar("SELECT sum(upload_bytes)::text || ' ' || sum(download_bytes) FROM usage_hourly") == "264572830 1310236040")
        #expect(try world.scalar("SELECT sum(upload_bytes)::text || ' ' || sum(download_bytes) FROM usage_daily") == "264572830 1310236040")
        #expect(try world.scalar("SELECT count(*)::text FROM sessions") == "56")
        #expect(
            try world.scalar("SELECT sum(upload_bytes)::text || ' ' || sum(download_bytes) FROM usage_hourly WHERE subscriber = 'dvdwalt@ri'")
                == "74338568 21100125")

        // The operator maps CoovaChilli's 127.0.0.1 and runs it again: only those 15 rows are new.
        try "0.0.0.0 = chilli\n127.0.0.1 = coova\n".write(toFile: world.nasMap, atomically: true, encoding: .utf8)
        let again = try world.importFile(try dump("yfi-coovachilli-2009-2012-radacct.mysql.sql"), map)
        #expect(again.imported == 15 && again.skipped == ["already-imported": 16])
        #expect(again.quirks == ["empty-port": 1])
        #expect(
            try world.scalar("SELECT sum(upload_bytes)::text || ' ' || sum(download_bytes) FROM usage_hourly WHERE subscriber = 'dvdwalt@ri'")
                == "107602369 32459573")
        // And everything once more: nothing changes.
        let all = try world.importFile(try dump("daloradius-2007-sample-radacct.mysql.sql"), map)
        #expect(all.imported == 0 && all.skipped == ["already-imported": 20] && all.subscribers.isEmpty)
        #expect(try world.scalar("SELECT count(*)::text FROM sessions") == "71")
    }

    @Test("The table report names the source, the counts by reason and the subscribers that differ; a dry run writes nothing")
    func tableReportAndDryRun() throws {
        let world = try ImportWorld()
        defer { try? FileManager.default.removeItem(at: world.directory) }
        let path = try dump("yfi-coovachilli-2009-2012-radacct.mysql.sql")
        let dry = try world.tollgate(["import", "radacct", "--tenant", "legacy", "--file", path, "--dry-run"], expect: 0)
        #expect(dry.output.contains("(dry run: nothing written)"))
        #expect(dry.output.contains("Imported:  16"))
        #expect(dry.output.contains("  unknown-nas: 15"))
        #expect(dry.output.contains("  unknown NAS 127.0.0.1: 15 rows"))
        #expect(try world.scalar("SELECT count(*)::text FROM sessions") == "0")
        let real = try world.tollgate(["import", "radacct", "--tenant", "legacy", "--file", path], expect: 0)
        #expect(real.output.contains("Source:    \(URL(fileURLWithPath: path).standardizedFileURL.path) (FreeRADIUS 2.x)"))
        #expect(real.output.contains("Subscribers: 1, every imported total equals the source's octets"))
        #expect(real.output.contains("  source upload 74338568, download 21100125; imported upload 74338568, download 21100125"))
        // Every subscriber on request, as a table: one row, its figures side by side.
        let listed = try world.tollgate(
            [
                "import", "radacct", "--tenant", "legacy", "--file", path, "--restart", "--all-subscribers",
                "--nas-map", world.nasMap,
            ], expect: 0)
        try "127.0.0.1 = coova\n".write(toFile: world.nasMap, atomically: true, encoding: .utf8)
        let mapped = try world.tollgate(
            [
                "import", "radacct", "--tenant", "legacy", "--file", path, "--restart", "--all-subscribers",
                "--nas-map", world.nasMap,
            ], expect: 0)
        #expect(!listed.output.contains("dvdwalt@ri  "), "nothing new in the first: no subscriber rows\n\(listed.output)")
        let row = mapped.output.split(separator: "\n").first { $0.hasPrefix("dvdwalt@ri") }.map { $0.split(separator: " ").map(String.init) }
        #expect(row == ["dvdwalt@ri", "15", "33263801", "33263801", "11359448", "11359448", "yes"])
    }

    @Test("A CSV export with SQL and formulas in its strings imports them as text")
    func csvExport() throws {
        let world = try ImportWorld()
        defer { try? FileManager.default.removeItem(at: world.directory) }
        let csv = world.directory.appendingPathComponent("radacct.csv").path
        try """
        radacctid,acctsessionid,acctuniqueid,username,nasipaddress,nasportid,acctstarttime,acctupdatetime,acctstoptime,acctsessiontime,acctinputoctets,acctoutputoctets,acctterminatecause
        1,"x'); DROP TABLE sessions; --",u1,"=HYPERLINK(""http://evil"")",10.2.2.1,,2025-03-19 10:00:00,,2025-03-19 12:00:00,7200,7200,14400,User-Request
        2,s2,u2,"multi
        line",10.2.2.1,LAN,2025-03-19 10:30:00,2025-03-19 10:40:00,,600,10,20,
        3,s3,u3,"@SUM(A1)",10.2.2.1,LAN,2025-03-19 10:30:00,,2025-03-19 10:31:00,60,-1,20,
        """.write(toFile: csv, atomically: true, encoding: .utf8)
        let report = try world.importFile(csv)
        #expect(report.rows_read == 3 && report.imported == 2 && report.skipped == ["negative-values": 1])
        #expect(report.quirks == ["empty-port": 1, "open": 1])
        #expect(report.subscribers.map(\.subscriber) == ["=HYPERLINK(\"http://evil\")", "multi\nline"])
        #expect(
            try world.scalar("SELECT string_agg(acct_session_id, ',' ORDER BY acct_session_id) FROM sessions") == "s2,x'); DROP TABLE sessions; --")
        // 7200 octets over 10:00-12:00: 3600 an hour.
        #expect(
            try world.scalar("SELECT string_agg(upload_bytes::text, ',' ORDER BY hour) FROM usage_hourly WHERE subscriber LIKE '=%'") == "3600,3600")
    }

    @Test("From a PostgreSQL radacct (FreeRADIUS 3.2 schema): timestamptz and inet columns, resumable by radacctid")
    func postgresSource() throws {
        let world = try ImportWorld()
        defer { try? FileManager.default.removeItem(at: world.directory) }
        let admin = try TestDatabase.connect()
        let name = "radius_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try admin.execute("CREATE DATABASE \(name)")
        let sourceURL = TestDatabase.url!.replacingOccurrences(of: "postgresql:///postgres?", with: "postgresql:///\(name)?")
        let source = try PostgresConnection(url: sourceURL)
        try source.execute(
            """
            CREATE TABLE radacct (
                RadAcctId bigserial PRIMARY KEY, AcctSessionId text NOT NULL, AcctUniqueId text NOT NULL UNIQUE, UserName text,
                Realm text, NASIPAddress inet NOT NULL, NASPortId text, NASPortType text, AcctStartTime timestamp with time zone,
                AcctUpdateTime timestamp with time zone, AcctStopTime timestamp with time zone, AcctInterval bigint,
                AcctSessionTime bigint, AcctAuthentic text, ConnectInfo_start text, ConnectInfo_stop text, AcctInputOctets bigint,
                AcctOutputOctets bigint, CalledStationId text, CallingStationId text, AcctTerminateCause text, ServiceType text,
                FramedProtocol text, FramedIPAddress inet, FramedIPv6Address inet, Class text);
            INSERT INTO radacct (AcctSessionId, AcctUniqueId, UserName, NASIPAddress, NASPortId, AcctStartTime, AcctUpdateTime, AcctStopTime,
                                 AcctSessionTime, AcctInputOctets, AcctOutputOctets, AcctTerminateCause, FramedIPAddress, Class) VALUES
                ('80511491', 'f67e9e7a', 'parham.alvani', '172.16.0.5', 'sfp1', '2021-08-23 09:57:36+02', '2021-08-23 17:03:38+00',
                 '2021-08-23 17:04:35+00', 32819, 127083354, 570386619, 'Admin-Reset', '172.23.1.192', '0x6162'),
                ('805125ee', 'a243797f', 'parham.alvani', '172.16.0.5', 'sfp1', '2021-08-24 07:56:08+00', NULL, NULL,
                 33120, 49390730, 311386231, '', NULL, NULL);
            """)
        let first = try world.tollgate(["import", "radacct", "--tenant", "legacy", "--from", sourceURL, "--format", "json"], expect: 0)
        let report = try JSONDecoder().decode(Report.self, from: Data(first.output.utf8))
        #expect(report.layout == "FreeRADIUS 3.x")
        #expect(report.rows_read == 2 && report.imported == 2 && report.quirks == ["open": 1])
        #expect(
            report.subscribers == [
                .init(
                    subscriber: "parham.alvani", sessions: 2, source_upload_bytes: 176_474_084, source_download_bytes: 881_772_850,
                    imported_upload_bytes: 176_474_084, imported_download_bytes: 881_772_850)
            ])
        #expect(
            try world.scalar(
                """
                SELECT string_agg(to_char(started_at AT TIME ZONE 'UTC', 'MM-DD HH24:MI:SS') || ' ' || host(framed_ip_address) || ' ' || encode(class, 'hex'), ',' ORDER BY started_at)
                FROM sessions WHERE stopped_at IS NOT NULL
                """) == "08-23 07:57:36 172.23.1.192 6162")
        // A new row in the source, and the table read again: the rows already imported are
        // known by their AcctUniqueId.
        try source.execute(
            """
            INSERT INTO radacct (AcctSessionId, AcctUniqueId, UserName, NASIPAddress, NASPortId, AcctStartTime, AcctStopTime, AcctSessionTime,
                                 AcctInputOctets, AcctOutputOctets) VALUES
                ('x1', 'n1', 'newbie', '172.16.0.5', 'sfp1', '2021-09-01 10:00:00+00', '2021-09-01 10:30:00+00', 1800, 5, 6)
            """)
        let second = try world.tollgate(["import", "radacct", "--tenant", "legacy", "--from", sourceURL, "--format", "json"], expect: 0)
        let next = try JSONDecoder().decode(Report.self, from: Data(second.output.utf8))
        #expect(next.rows_read == 3 && next.imported == 1 && next.skipped == ["already-imported": 2])
        // A view without radacctid cannot be read in order, so it cannot resume: refused with what to do.
        try source.execute(
            "CREATE VIEW radacct_recent AS SELECT AcctSessionId, AcctUniqueId, UserName, NASIPAddress, NASPortId, AcctStartTime, AcctStopTime, AcctInputOctets, AcctOutputOctets FROM radacct"
        )
        let view = try world.tollgate(["import", "radacct", "--tenant", "legacy", "--from", sourceURL, "--table", "radacct_recent"])
        #expect(view.status == 1 && view.error.contains("radacct_recent has no radacctid column"))
        let missing = try world.tollgate(["import", "radacct", "--tenant", "legacy", "--from", sourceURL, "--table", "public.nope"])
        #expect(missing.status == 2 && missing.error.contains("no table public.nope in the source database"))
        try admin.execute("DROP DATABASE \(name) WITH (FORCE)")
    }

    @Test("Refusals: unknown tenant (exit 2), no source, a file that is not radacct, a NAS map naming no NAS")
    func refusals() throws {
        let world = try ImportWorld()
        defer { try? FileManager.default.removeItem(at: world.directory) }
        let path = try dump("pppoe-2025-fr32-radacct.mysql.sql")
        #expect(try world.tollgate(["import", "radacct", "--tenant", "nobody", "--file", path]).status == 2)
        let neither = try world.tollgate(["import", "radacct", "--tenant", "legacy"])
        #expect(neither.status != 0 && neither.error.contains("give either --from URL or --file PATH"))
        let other = world.directory.appendingPathComponent("other.sql").path
        try "CREATE TABLE `radacct` (`id` int, `name` varchar(10));\nINSERT INTO `radacct` VALUES (1,'a');\n".write(
            toFile: other, atomically: true, encoding: .utf8)
        let notRadacct = try world.tollgate(["import", "radacct", "--tenant", "legacy", "--file", other])
        #expect(notRadacct.status == 1 && notRadacct.error.contains("not a radacct table: no column acctsessionid"))
        let badMap = world.directory.appendingPathComponent("bad-map").path
        try "0.0.0.0 = ghost\n".write(toFile: badMap, atomically: true, encoding: .utf8)
        let ghost = try world.tollgate(["import", "radacct", "--tenant", "legacy", "--file", path, "--nas-map", badMap])
        #expect(ghost.status == 1 && ghost.error.contains("NAS map line 1: the tenant has no NAS named 'ghost'"))
        #expect(try world.scalar("SELECT count(*)::text FROM sessions") == "0")
    }
}
