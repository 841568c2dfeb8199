/// Datagrams the collector dropped from each registered NAS, by reason and hour: what the
/// NAS's tenant sees of drops (a collector's /metrics counts them for the whole process).
public enum NASDrops {
    /// Drops of one reason from one NAS.
    public struct Count: Hashable, Sendable {
        public var tenantID: Int64
        public var nasID: Int64
        public var reason: String
        /// The hour the drops happened in, Unix seconds of its start.
        public var hour: Int64
        public var datagrams: Int

        public init(tenantID: Int64, nasID: Int64, reason: String, hour: Int64, datagrams: Int) {
            self.tenantID = tenantID
            self.nasID = nasID
            self.reason = reason
            self.hour = hour
            self.datagrams = datagrams
        }
    }

    /// Adds `counts` to their hours' rows, in key order (collectors writing at once lock rows
    /// alike). A NAS removed meanwhile is skipped.
    public static func record(_ connection: PostgresConnection, _ counts: [Count]) throws {
        guard !counts.isEmpty else { return }
        var tenants = ArrayParameter()
        var nases = ArrayParameter()
        var reasons = ArrayParameter()
        var hours = ArrayParameter()
        var datagrams = ArrayParameter()
        for count in counts {
            tenants.append(count.tenantID)
            nases.append(count.nasID)
            reasons.append(count.reason)
            hours.appendTimestamp(seconds: count.hour)
            datagrams.append(Int64(count.datagrams))
        }
        _ = try connection.query(
            """
            INSERT INTO nas_drops (tenant_id, nas_id, hour, reason, datagrams)
            SELECT k.t, k.n, k.h, k.r, sum(k.d)
            FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[], $5::bigint[]) AS k(t, n, h, r, d)
            WHERE EXISTS (SELECT 1 FROM nas_devices v WHERE v.tenant_id = k.t AND v.id = k.n)
            GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            ON CONFLICT (tenant_id, nas_id, hour, reason) DO UPDATE SET datagrams = nas_drops.datagrams + excluded.datagrams
            """, [tenants.literal, nases.literal, hours.literal, reasons.literal, datagrams.literal])
    }

    /// Deletes the hours older than `days` days.
    @discardableResult
    public static func prune(_ connection: PostgresConnection, keepDays days: Int) throws -> Int {
        try connection.query("DELETE FROM nas_drops WHERE hour < now() - make_interval(days => $1::integer)", [String(max(1, days))]).affectedRows
    }
}
