import Accounting
import Rating

/// Closes open sessions that have had no update for longer than their stale timeout.
public enum StaleSessionReaper {
    /// Closes sessions whose last update was received longer ago than 3 x their interim
    /// interval, or than `defaultTimeout` seconds when the NAS never said its interval.
    /// Returns how many. Staleness is judged by receipt time on this side: a NAS whose clock
    /// runs behind would otherwise see its live sessions closed, and one whose clock runs
    /// ahead would keep dead ones open. The stop time stays the NAS's last event time.
    @discardableResult
    public static func reap(_ connection: PostgresConnection, defaultTimeout: Int = 1800, now: Int64? = nil, limit: Int = 10_000) throws -> Int {
        try connection.query(
            """
            WITH stale AS (
                SELECT tenant_id, id FROM sessions
                WHERE stopped_at IS NULL AND has_events
                  AND last_received_at < coalesce(to_timestamp($2::double precision), now())
                      - make_interval(secs => coalesce(3 * nullif(interim_interval, 0), $1::integer))
                ORDER BY tenant_id, id
                LIMIT $3
                FOR UPDATE SKIP LOCKED
            )
            UPDATE sessions s SET stopped_at = coalesce(s.last_event_at, s.started_at), close_reason = 'stale'
            FROM stale WHERE s.tenant_id = stale.tenant_id AND s.id = stale.id
            """, [String(defaultTimeout), now.map(String.init), String(limit)]
        ).affectedRows
    }
}
