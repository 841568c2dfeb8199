/// When each NAS was last heard from, and which have fallen silent (`nas.silent`).
///
/// `observe` reads the packet log incrementally by stream position (the appenders commit
/// each stream in order, so nothing committed later sits below a position) and keeps the
/// newest receipt time per NAS. `reportSilent` finds NAS not heard from for `intervals`
/// interim intervals: the longest Acct-Interim-Interval of the NAS's open sessions, or the
/// default when they state none (as the stale-session reaper judges sessions). Each silence
/// is reported once; a NAS is reported again only after a packet received later than its
/// last one. A NAS never heard from is not silent.
public enum NASActivity {
    /// Reads up to `limit` new log rows per stream and records their NAS as heard. Returns
    /// the rows read. Collectors that share a database take turns (an advisory lock).
    @discardableResult
    public static func observe(_ connection: PostgresConnection, limit: Int = 100_000) throws -> Int {
        try connection.transaction { connection in
            try connection.query("SELECT pg_advisory_xact_lock(1852404595, 1)")
            let result = try connection.query(
                """
                WITH positions AS (
                    SELECT s.id AS stream, coalesce(w.seq, 0) AS seq
                    FROM log_streams s LEFT JOIN nas_activity_positions w ON w.stream = s.id
                    -- A retired stream is read to its end once more, then left alone.
                    WHERE s.retired_at IS NULL OR w.stream IS NULL OR s.retired_at > now() - interval '1 day'
                ), fresh AS (
                    SELECT positions.stream, p.seq, p.tenant_id, p.nas_id, p.received_at
                    FROM positions CROSS JOIN LATERAL (
                        SELECT seq, tenant_id, nas_id, received_at FROM accounting_packets
                        WHERE stream = positions.stream AND seq > positions.seq ORDER BY seq LIMIT $1
                    ) p
                ), heard AS (
                    INSERT INTO nas_activity (tenant_id, nas_id, last_heard_at)
                    SELECT tenant_id, nas_id, max(received_at) FROM fresh GROUP BY 1, 2 ORDER BY 1, 2
                    ON CONFLICT (tenant_id, nas_id) DO UPDATE SET
                        silent_reported_at = CASE WHEN excluded.last_heard_at > nas_activity.last_heard_at THEN NULL
                                                  ELSE nas_activity.silent_reported_at END,
                        last_heard_at = greatest(nas_activity.last_heard_at, excluded.last_heard_at)
                    RETURNING 1
                ), moved AS (
                    INSERT INTO nas_activity_positions (stream, seq) SELECT stream, max(seq) FROM fresh GROUP BY 1 ORDER BY 1
                    ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM fresh), (SELECT count(*) FROM heard), (SELECT count(*) FROM moved)
                """, [String(limit)])
            return Int(result.int64(row: 0, column: 0))
        }
    }

    /// Marks NAS silent for `intervals` interim intervals (`defaultInterval` seconds when their
    /// open sessions state none) as reported and enqueues one `nas.silent` event for each, in
    /// one transaction. `now` (Unix seconds) replaces the clock in tests.
    public static func reportSilent(
        _ connection: PostgresConnection, defaultInterval: Int = 600, intervals: Int = 3,
        now: Double? = nil, limit: Int = 1000
    ) throws -> [SilentNAS] {
        try connection.transaction { connection in
            let result = try connection.query(
                """
                WITH candidates AS (
                    SELECT a.tenant_id, a.nas_id, a.last_heard_at, coalesce(i.seconds, $1::integer) AS interval_seconds,
                           i.seconds IS NOT NULL AS from_sessions
                    FROM nas_activity a
                    JOIN nas_devices n ON n.tenant_id = a.tenant_id AND n.id = a.nas_id
                    LEFT JOIN LATERAL (
                        SELECT max(nullif(s.interim_interval, 0))::integer AS seconds FROM sessions s
                        WHERE s.tenant_id = a.tenant_id AND s.nas_id = a.nas_id AND s.stopped_at IS NULL
                    ) i ON true
                    WHERE a.silent_reported_at IS NULL
                      AND a.last_heard_at < coalesce(to_timestamp($3::double precision), now())
                          - make_interval(secs => $2::integer * coalesce(i.seconds, $1::integer))
                    ORDER BY a.tenant_id, a.nas_id
                    LIMIT $4
                    FOR UPDATE OF a SKIP LOCKED
                )
                UPDATE nas_activity a SET silent_reported_at = coalesce(to_timestamp($3::double precision), now())
                FROM candidates c, nas_devices n
                WHERE a.tenant_id = c.tenant_id AND a.nas_id = c.nas_id AND n.tenant_id = c.tenant_id AND n.id = c.nas_id
                RETURNING a.tenant_id, a.nas_id, n.name, to_char(c.last_heard_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_heard_at,
                          c.interval_seconds, $2::integer * c.interval_seconds AS threshold_seconds,
                          json_build_object('nas', json_build_object('id', n.id, 'name', n.name, 'address', n.address::text,
                                                                      'identifier', n.identifier),
                                            'silent_since', to_char(c.last_heard_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                            'interval_seconds', c.interval_seconds,
                                            'interval_source', CASE WHEN c.from_sessions THEN 'sessions' ELSE 'default' END,
                                            'threshold_seconds', $2::integer * c.interval_seconds)::text AS event_data
                """, [String(defaultInterval), String(intervals), now.map { String($0) }, String(limit)])
            let tenantIDColumn = try result.column("tenant_id")
            let nasID = try result.column("nas_id")
            let name = try result.column("name")
            let lastHeardAt = try result.column("last_heard_at")
            let interval = try result.column("interval_seconds")
            let threshold = try result.column("threshold_seconds")
            let eventData = try result.column("event_data")
            var silent: [SilentNAS] = []
            for row in 0..<result.rowCount {
                let tenantID = result.int64(row: row, column: tenantIDColumn)
                let deliveries = try WebhookOutbox.enqueue(
                    connection, tenantID: tenantID, event: .nasSilent,
                    data: result.value(row: row, column: eventData) ?? "{}")
                silent.append(
                    SilentNAS(
                        tenantID: tenantID, nasID: result.int64(row: row, column: nasID),
                        name: result.value(row: row, column: name) ?? "",
                        lastHeardAt: result.value(row: row, column: lastHeardAt) ?? "",
                        intervalSeconds: Int(result.int64(row: row, column: interval)),
                        thresholdSeconds: Int(result.int64(row: row, column: threshold)), deliveries: deliveries))
            }
            return silent.sorted { ($0.tenantID, $0.nasID) < ($1.tenantID, $1.nasID) }
        }
    }
}
