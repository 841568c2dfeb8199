import Foundation
import RadacctImport

/// The database side of `tollgate import radacct`: runs, batches of imported sessions with
/// their hourly usage, and the integrity report's totals.
///
/// A batch is written in parts (by subscriber, one transaction each, on one connection or
/// several), then the run's position and counts are recorded: a run that stops anywhere
/// resumes after the last recorded batch, and rows a part of an unrecorded batch had
/// written are known by their run and position (`resumed`), counted but not written again.
/// While a collector leads the merge, each part holds the merge leadership row against the
/// merge transactions (they hold it for share), so that the collector's cached session
/// generations never change under it.
public struct RadacctImportStore {
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// A run of the import, new or resumed.
    public struct Run: Sendable {
        public var id: Int64
        /// Where the run stopped: rows of a file read, or the highest radacctid of a database read.
        public var position: Int64
        public var counts: RadacctImportCounts
        /// Whether an unfinished run of the same source and options was taken up.
        public var resumed: Bool
    }

    /// The tenant's NAS devices, as an import maps radacct's NAS columns to them.
    public func nasDevices(tenantID: Int64) throws -> [RadacctNASMap.Device] {
        let result = try connection.query(
            """
            SELECT id, name, host(address) AS host, masklen(address) AS prefix_length, identifier FROM nas_devices WHERE tenant_id = $1 ORDER BY name
            """, [String(tenantID)])
        let c = try result.columns("id", "name", "host", "prefix_length", "identifier")
        return (0..<result.rowCount).map {
            RadacctNASMap.Device(
                id: result.int64(row: $0, column: c[0]), name: result.value(row: $0, column: c[1]) ?? "",
                address: result.value(row: $0, column: c[2]) ?? "", prefixLength: Int(result.int64(row: $0, column: c[3])),
                identifier: result.value(row: $0, column: c[4]))
        }
    }

    /// The unfinished run of `fingerprint` if there is one (and `resume`), else a new run;
    /// for a dry run an unrecorded one (id 0).
    /// Two imports of the same source into one tenant would take up the same run: the second
    /// is refused while the first holds this session lock (released by `finish`, or when its
    /// connection ends).
    static let runLockClass: Int32 = 0x5447_5249 // "TGRI"

    public func open(tenantID: Int64, source: String, fingerprint: String, resume: Bool, dryRun: Bool = false) throws -> Run {
        if dryRun { return Run(id: 0, position: 0, counts: RadacctImportCounts(), resumed: false) }
        let locked =
            try connection.query(
                "SELECT pg_try_advisory_lock($1, hashtext($2))",
                [String(Self.runLockClass), "\(tenantID) \(fingerprint)"]
            ).value(row: 0, column: 0) == "t"
        guard locked else {
            throw StoreError(.conflict, "another import of this source into this tenant is running; wait for it to end")
        }
        return try connection.transaction { connection in
            if resume {
                let found = try connection.query(
                    """
                    SELECT id, position, counts::text FROM radacct_import_runs
                    WHERE tenant_id = $1 AND fingerprint = $2 AND finished_at IS NULL ORDER BY id DESC LIMIT 1 FOR UPDATE
                    """, [String(tenantID), fingerprint])
                if found.rowCount == 1 {
                    let c = try found.columns("id", "position", "counts")
                    let counts = try JSONDecoder().decode(RadacctImportCounts.self, from: Data((found.value(row: 0, column: c[2]) ?? "{}").utf8))
                    return Run(id: found.int64(row: 0, column: c[0]), position: found.int64(row: 0, column: c[1]), counts: counts, resumed: true)
                }
            }
            let created = try connection.query(
                """
                INSERT INTO radacct_import_runs (tenant_id, source, fingerprint) VALUES ($1, $2, $3) RETURNING id
                """, [String(tenantID), source, fingerprint])
            return Run(id: created.int64(row: 0, column: 0), position: 0, counts: RadacctImportCounts(), resumed: false)
        }
    }

    /// Creates this connection's staging tables (once per connection).
    public func prepare() throws {
        try connection.execute(
            """
            CREATE TEMP TABLE IF NOT EXISTS radacct_stage (
                ord integer NOT NULL, position bigint NOT NULL, key text NOT NULL, nas_id bigint NOT NULL, acct_session_id text NOT NULL,
                user_name text NOT NULL, nas_port text NOT NULL, started_at timestamptz NOT NULL,
                last_event_at timestamptz NOT NULL, stopped_at timestamptz, upload bigint NOT NULL, download bigint NOT NULL,
                session_seconds bigint NOT NULL, terminate_cause bigint, interim_interval bigint, framed_ip text,
                calling text, called text, class bytea
            ) ON COMMIT DELETE ROWS;
            CREATE TEMP TABLE IF NOT EXISTS radacct_stage_usage (
                ord integer NOT NULL, hour timestamptz NOT NULL, upload bigint NOT NULL, download bigint NOT NULL, seconds bigint NOT NULL
            ) ON COMMIT DELETE ROWS;
            CREATE TEMP TABLE IF NOT EXISTS radacct_verdicts (ord integer PRIMARY KEY, verdict text NOT NULL) ON COMMIT DELETE ROWS;
            CREATE TEMP TABLE IF NOT EXISTS radacct_batch_usage (
                subscriber text NOT NULL, hour timestamptz NOT NULL, upload bigint NOT NULL, download bigint NOT NULL, seconds bigint NOT NULL
            ) ON COMMIT DELETE ROWS;
            """)
    }

    /// What a part's transaction did: its rows by verdict (`import`, `resumed` or a skip
    /// reason) and the quirks of the rows imported.
    public struct PartOutcome: Sendable {
        public var verdicts: [String: Int] = [:]
        public var importedQuirks: [RadacctQuirk: Int64] = [:]
    }

    /// Writes one part of a batch in one transaction (rolled back for a dry run).
    /// `holdMergeFence`: take the merge leadership row first, while a collector leads.
    public func write(part: RadacctImportBatch, tenantID: Int64, runID: Int64, dryRun: Bool, holdMergeFence: Bool) throws -> PartOutcome {
        // A merge transaction in flight may hold rows this part needs while it waits for the
        // leadership row this part holds: PostgreSQL ends one of the two, and the loser tries again.
        var attempt = 0
        while true {
            do {
                return try writeOnce(part, tenantID: tenantID, runID: runID, dryRun: dryRun, holdMergeFence: holdMergeFence)
            } catch let error as PostgresError where WriteFailure(error) == .transient && attempt < 5 {
                attempt += 1
                usleep(UInt32(50_000 * attempt))
            }
        }
    }

    private func writeOnce(_ part: RadacctImportBatch, tenantID: Int64, runID: Int64, dryRun: Bool, holdMergeFence: Bool) throws -> PartOutcome {
        var part = part
        let streams = part.finished()
        let tenant = String(tenantID)
        let run = String(runID)
        try connection.execute("BEGIN")
        do {
            if holdMergeFence {
                // Waits for a merge in flight and holds the next one off until this commits.
                _ = try connection.query("SELECT 1 FROM merge_leadership WHERE id = 1 FOR NO KEY UPDATE")
            }
            _ = try connection.copyIn(
                """
                COPY radacct_stage (ord, position, key, nas_id, acct_session_id, user_name, nas_port, started_at, last_event_at,
                    stopped_at, upload, download, session_seconds, terminate_cause, interim_interval, framed_ip, calling, called,
                    class) FROM STDIN (FORMAT binary)
                """, streams.sessions)
            _ = try connection.copyIn(
                "COPY radacct_stage_usage (ord, hour, upload, download, seconds) FROM STDIN (FORMAT binary)",
                streams.usage)
            _ = try connection.query(Self.verdictsSQL, [tenant, run])
            _ = try connection.query(Self.sessionsSQL, [tenant, run])
            _ = try connection.query(Self.batchUsageSQL)
            for (index, sql) in Self.usageSQL.enumerated() { _ = try connection.query(sql, index == 0 ? [] : [tenant]) }
            _ = try connection.query(Self.totalsSQL, [tenant, run])
            var outcome = PartOutcome()
            let verdicts = try connection.query("SELECT verdict, count(*) AS verdict_count FROM radacct_verdicts GROUP BY verdict")
            let verdictColumns = try verdicts.columns("verdict", "verdict_count")
            for row in 0..<verdicts.rowCount {
                outcome.verdicts[verdicts.value(row: row, column: verdictColumns[0]) ?? ""] = Int(verdicts.int64(row: row, column: verdictColumns[1]))
            }
            if part.quirks.contains(where: { !$0.isEmpty }) {
                let refused = try connection.query("SELECT ord FROM radacct_verdicts WHERE verdict NOT IN ('import', 'resumed')")
                let notImported = Set((0..<refused.rowCount).map { Int(refused.int64(row: $0, column: 0)) })
                for (ord, kinds) in part.quirks.enumerated() where !notImported.contains(ord) {
                    for kind in kinds { outcome.importedQuirks[kind, default: 0] += 1 }
                }
            }
            try connection.execute(dryRun ? "ROLLBACK" : "COMMIT")
            return outcome
        } catch {
            if connection.isConnected && connection.inTransaction { try? connection.execute("ROLLBACK") }
            throw error
        }
    }

    /// Records the run's position and counts once every part of a batch committed.
    public func record(tenantID: Int64, run: Run) throws {
        try update(tenantID: tenantID, run: run, finished: false)
    }

    private func update(tenantID: Int64, run: Run, finished: Bool) throws {
        let json = String(decoding: try JSONEncoder().encode(run.counts), as: UTF8.self)
        _ = try connection.query(
            """
            UPDATE radacct_import_runs SET position = $3, rows_read = $4, counts = $5::jsonb, updated_at = now(),
                finished_at = CASE WHEN $6 THEN now() END
            WHERE tenant_id = $1 AND id = $2
            """, [String(tenantID), String(run.id), String(run.position), String(run.counts.rowsRead), json, finished ? "true" : "false"])
    }

    /// Records the run's final position and counts (for rows read after the last batch: skipped
    /// ones) and marks it finished.
    public func finish(tenantID: Int64, run: Run, fingerprint: String) throws {
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1, hashtext($2))", [String(Self.runLockClass), "\(tenantID) \(fingerprint)"]) }
        try update(tenantID: tenantID, run: run, finished: true)
    }

    /// The run's totals per subscriber, in subscriber order.
    public func totals(tenantID: Int64, runID: Int64) throws -> [RadacctSubscriberTotals] {
        let result = try connection.query(
            """
            SELECT subscriber, sessions, source_upload, source_download, imported_upload, imported_download, imported_seconds
            FROM radacct_import_totals WHERE tenant_id = $1 AND run_id = $2 ORDER BY subscriber
            """, [String(tenantID), String(runID)])
        let c = try result.columns(
            "subscriber", "sessions", "source_upload", "source_download", "imported_upload", "imported_download", "imported_seconds")
        return (0..<result.rowCount).map { row in
            RadacctSubscriberTotals(
                subscriber: result.value(row: row, column: c[0]) ?? "", sessions: result.int64(row: row, column: c[1]),
                sourceUpload: result.int64(row: row, column: c[2]), sourceDownload: result.int64(row: row, column: c[3]),
                importedUpload: result.int64(row: row, column: c[4]), importedDownload: result.int64(row: row, column: c[5]),
                importedSeconds: result.int64(row: row, column: c[6]))
        }
    }

    /// Each staged row's verdict: the first row of a key (the importer stages a key once per
    /// batch, the others it counts as duplicates) is imported unless the key was imported before: by
    /// this run from the same source position (`resumed`: written before an interruption,
    /// counted now), by this run from another row (a duplicate in the source), or by another
    /// run; or unless the collector received the same session live (same key, overlapping in time).
    static let verdictsSQL = """
        INSERT INTO radacct_verdicts (ord, verdict)
        SELECT s.ord, CASE
            WHEN s.ord <> f.ord THEN 'duplicate-unique-id'
            WHEN i.run_id = $2 AND i.position = s.position THEN 'resumed'
            WHEN i.run_id = $2 THEN 'duplicate-unique-id'
            WHEN i.run_id IS NOT NULL THEN 'already-imported'
            WHEN EXISTS (
                SELECT 1 FROM sessions x
                WHERE x.tenant_id = $1 AND x.nas_id = s.nas_id AND x.acct_session_id = s.acct_session_id
                  AND x.user_name = s.user_name AND x.nas_port = s.nas_port
                  AND (x.imported_at IS NULL OR x.last_received_at > x.imported_at)
                  AND coalesce(x.started_at, x.first_received_at) <= s.last_event_at
                  AND coalesce(x.stopped_at, greatest(x.last_event_at, x.last_received_at)) >= s.started_at) THEN 'received-live'
            ELSE 'import' END
        FROM radacct_stage s
        JOIN (SELECT key, min(ord) AS ord FROM radacct_stage GROUP BY key) f ON f.key = s.key
        LEFT JOIN radacct_imports i ON i.tenant_id = $1 AND i.unique_id = s.key
        """

    /// Inserts the imported sessions. A key with only imported sessions (or none) gets a row
    /// that started at or after its latest one as its next generation (the newest of them the
    /// latest); older rows, and every row of a key the collector has had packets for, go below
    /// its lowest generation (0, -1, ...), never the latest: the collector's generations of a
    /// key stay its own, and generation numbers keep following start times where it reads them.
    static let sessionsSQL = """
        WITH chosen AS (
            SELECT s.*, k.max_gen, k.min_gen, k.max_start, coalesce(k.live, false) AS live
            FROM radacct_stage s
            JOIN radacct_verdicts v ON v.ord = s.ord AND v.verdict = 'import'
            LEFT JOIN LATERAL (
                SELECT max(x.generation) AS max_gen, min(x.generation) AS min_gen, max(x.started_at) AS max_start,
                       bool_or(x.imported_at IS NULL OR x.last_received_at > x.imported_at) AS live
                FROM sessions x
                WHERE x.tenant_id = $1 AND x.nas_id = s.nas_id AND x.acct_session_id = s.acct_session_id
                  AND x.user_name = s.user_name AND x.nas_port = s.nas_port) k ON true
        ), placed AS (
            SELECT c.*, (NOT c.live AND (c.max_gen IS NULL OR c.started_at >= coalesce(c.max_start, '-infinity'))) AS above
            FROM chosen c
        ), numbered AS (
            SELECT p.*,
                   row_number() OVER (PARTITION BY p.nas_id, p.acct_session_id, p.user_name, p.nas_port, p.above ORDER BY p.started_at, p.ord) AS nth,
                   count(*) OVER (PARTITION BY p.nas_id, p.acct_session_id, p.user_name, p.nas_port, p.above) AS total
            FROM placed p
        ), generations AS (
            SELECT n.*,
                   (CASE WHEN n.above THEN coalesce(n.max_gen, 0) + n.nth ELSE least(n.min_gen, 1) - 1 - (n.total - n.nth) END)::integer AS generation,
                   (n.above AND n.nth = n.total) AS latest
            FROM numbered n
        ), cleared AS (
            UPDATE sessions x SET is_latest = false
            FROM (SELECT DISTINCT nas_id, acct_session_id, user_name, nas_port FROM generations WHERE above AND max_gen IS NOT NULL) g
            WHERE x.tenant_id = $1 AND x.nas_id = g.nas_id AND x.acct_session_id = g.acct_session_id
              AND x.user_name = g.user_name AND x.nas_port = g.nas_port AND x.is_latest
            RETURNING 1
        ), inserted AS (
            INSERT INTO sessions (tenant_id, nas_id, acct_session_id, user_name, nas_port, generation, is_latest, has_events,
                has_start, upload_bytes, download_bytes, session_seconds, started_at, last_event_at, stopped_at, close_reason,
                terminate_cause, interim_interval, class, framed_ip_address, calling_station_id, called_station_id,
                first_received_at, last_received_at, imported_at)
            SELECT $1, nas_id, acct_session_id, user_name, nas_port, generation, latest, true,
                true, upload, download, session_seconds, started_at, last_event_at, stopped_at,
                CASE WHEN stopped_at IS NULL THEN NULL ELSE 'stop' END,
                terminate_cause, interim_interval, class, framed_ip::inet, calling, called,
                started_at, last_event_at, now()
            FROM generations
            ORDER BY nas_id, acct_session_id, user_name, nas_port, generation
            RETURNING id, nas_id, acct_session_id, user_name, nas_port, generation
        )
        INSERT INTO radacct_imports (tenant_id, unique_id, run_id, position, session_id)
        SELECT $1, g.key, $2, g.position, i.id
        FROM generations g
        JOIN inserted i ON i.nas_id = g.nas_id AND i.acct_session_id = g.acct_session_id AND i.user_name = g.user_name
                       AND i.nas_port = g.nas_port AND i.generation = g.generation
        """

    /// The imported sessions' usage per subscriber and hour, gathered once for the writes below.
    static let batchUsageSQL = """
        INSERT INTO radacct_batch_usage (subscriber, hour, upload, download, seconds)
        SELECT s.user_name, u.hour, sum(u.upload), sum(u.download), sum(u.seconds)
        FROM radacct_stage_usage u
        JOIN radacct_verdicts v ON v.ord = u.ord AND v.verdict = 'import'
        JOIN radacct_stage s ON s.ord = u.ord
        GROUP BY s.user_name, u.hour
        """

    /// Adds the batch's usage to the hourly buckets, the daily rows, the cycle rows and the
    /// cycle totals, each in key order. The statement triggers on usage_hourly, which would
    /// compare old and new rows of the whole batch, are told this writer keeps the rest.
    static let usageSQL: [String] = [
        AccountingWriter.writerKeepsDailySQL,
        """
        INSERT INTO usage_hourly (tenant_id, subscriber, hour, upload_bytes, download_bytes, session_seconds)
        SELECT $1, subscriber, hour, upload, download, seconds FROM radacct_batch_usage ORDER BY subscriber, hour
        ON CONFLICT (tenant_id, subscriber, hour) DO UPDATE SET
            upload_bytes = usage_hourly.upload_bytes + excluded.upload_bytes,
            download_bytes = usage_hourly.download_bytes + excluded.download_bytes,
            session_seconds = usage_hourly.session_seconds + excluded.session_seconds
        """,
        """
        INSERT INTO usage_daily (tenant_id, day, subscriber, upload_bytes, download_bytes, session_seconds)
        SELECT $1, (b.hour AT TIME ZONE z.time_zone)::date, b.subscriber, sum(b.upload), sum(b.download), sum(b.seconds)
        FROM radacct_batch_usage b JOIN tenants z ON z.id = $1
        GROUP BY 2, 3 ORDER BY 2, 3
        ON CONFLICT (tenant_id, day, subscriber) DO UPDATE SET
            upload_bytes = usage_daily.upload_bytes + excluded.upload_bytes,
            download_bytes = usage_daily.download_bytes + excluded.download_bytes,
            session_seconds = usage_daily.session_seconds + excluded.session_seconds
        """,
        """
        INSERT INTO usage_cycles (tenant_id, cycle_start, subscriber, upload_bytes, download_bytes, session_seconds)
        SELECT $1, billing_cycle_start((b.hour AT TIME ZONE z.time_zone)::date, z.billing_day), b.subscriber,
               sum(b.upload), sum(b.download), sum(b.seconds)
        FROM radacct_batch_usage b JOIN tenants z ON z.id = $1
        GROUP BY 2, 3 ORDER BY 2, 3
        ON CONFLICT (tenant_id, cycle_start, subscriber) DO UPDATE SET
            upload_bytes = usage_cycles.upload_bytes + excluded.upload_bytes,
            download_bytes = usage_cycles.download_bytes + excluded.download_bytes,
            session_seconds = usage_cycles.session_seconds + excluded.session_seconds
        """,
        """
        INSERT INTO usage_cycle_totals (tenant_id, cycle_start, upload_bytes, download_bytes, session_seconds)
        SELECT $1, billing_cycle_start((b.hour AT TIME ZONE z.time_zone)::date, z.billing_day), sum(b.upload), sum(b.download), sum(b.seconds)
        FROM radacct_batch_usage b JOIN tenants z ON z.id = $1
        GROUP BY 2 ORDER BY 2
        ON CONFLICT (tenant_id, cycle_start) DO UPDATE SET
            upload_bytes = usage_cycle_totals.upload_bytes + excluded.upload_bytes,
            download_bytes = usage_cycle_totals.download_bytes + excluded.download_bytes,
            session_seconds = usage_cycle_totals.session_seconds + excluded.session_seconds
        """,
    ]

    /// The run's totals per subscriber: the imported rows' octets as the source gave them,
    /// next to the sum of the hourly usage the same statement block added.
    static let totalsSQL = """
        INSERT INTO radacct_import_totals (tenant_id, run_id, subscriber, sessions, source_upload, source_download,
            imported_upload, imported_download, imported_seconds)
        SELECT $1, $2, s.subscriber, s.sessions, s.upload, s.download,
               coalesce(u.upload, 0), coalesce(u.download, 0), coalesce(u.seconds, 0)
        FROM (SELECT s.user_name AS subscriber, count(*) AS sessions, sum(s.upload) AS upload, sum(s.download) AS download
              FROM radacct_stage s JOIN radacct_verdicts v ON v.ord = s.ord AND v.verdict = 'import'
              GROUP BY s.user_name) s
        LEFT JOIN (SELECT subscriber, sum(upload) AS upload, sum(download) AS download, sum(seconds) AS seconds
                   FROM radacct_batch_usage GROUP BY subscriber) u ON u.subscriber = s.subscriber
        ORDER BY s.subscriber
        ON CONFLICT (tenant_id, run_id, subscriber) DO UPDATE SET
            sessions = radacct_import_totals.sessions + excluded.sessions,
            source_upload = radacct_import_totals.source_upload + excluded.source_upload,
            source_download = radacct_import_totals.source_download + excluded.source_download,
            imported_upload = radacct_import_totals.imported_upload + excluded.imported_upload,
            imported_download = radacct_import_totals.imported_download + excluded.imported_download,
            imported_seconds = radacct_import_totals.imported_seconds + excluded.imported_seconds
        """
}
