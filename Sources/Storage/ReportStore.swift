import Accounting
import Rating

/// Tenant-scoped reads: every query runs inside `tenantTransaction`, so row-level security
/// confines it to the tenant even if a filter were missing.
public struct ReportStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The newest `limit` (at most 1000) sessions, optionally open ones or one User-Name's only.
    public func sessions(tenant: Tenant, activeOnly: Bool = false, user: String? = nil, limit: Int = 1000) throws -> [SessionRow] {
        try sessionPage(tenant: tenant, status: activeOnly ? .active : .all, user: user, limit: min(max(limit, 1), PageLimit.range.upperBound)).rows
    }

    /// Usage per subscriber (and per period when grouped), between `from` (inclusive) and
    /// `to` (exclusive), both dates or times in the tenant's time zone.
    public func usage(tenant: Tenant, user: String? = nil, from: String? = nil, to: String? = nil, by grouping: UsageGrouping? = nil) throws
        -> [UsageRow]
    {
        let periodExpression = Self.periodExpression(grouping)
        try checkBounds(from, to)
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT u.subscriber, \(periodExpression) AS period,
                       sum(u.upload_bytes)::bigint AS upload_bytes, sum(u.download_bytes)::bigint AS download_bytes,
                   sum(u.session_seconds)::bigint AS session_seconds
                FROM usage_hourly u JOIN tenants t ON t.id = u.tenant_id
                WHERE ($1::text IS NULL OR u.subscriber = $1)
                  AND ($2::bigint IS NULL OR u.hour >= to_timestamp($2::bigint))
                  AND ($3::bigint IS NULL OR u.hour < to_timestamp($3::bigint))
                GROUP BY 1, 2 ORDER BY 1, 2
                """, [user] + (try Self.instants(from, to, tenant: tenant)))
        }
        return try Self.usageRows(result)
    }

    /// A page of `usage`, by subscriber and period: `limit` rows after the key
    /// `[subscriber, period or ""]` of the previous page's last row.
    ///
    /// Only the subscribers a page can reach are summed (the next `limit + 2` by name from
    /// the key on, each with at least one row), so a page costs the same wherever it starts.
    public func usagePage(
        tenant: Tenant, user: String? = nil, from: String? = nil, to: String? = nil, by grouping: UsageGrouping? = nil,
        after: [String]?, limit: Int
    ) throws -> KeysetPage<UsageRow> {
        try checkBounds(from, to)
        try PageLimit.check(limit)
        let key = try keyParts(after, 2)
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                WITH page_subscribers AS (
                    SELECT DISTINCT u.subscriber FROM usage_hourly u
                    WHERE u.tenant_id = $6 AND ($1::text IS NULL OR u.subscriber = $1)
                      AND ($2::bigint IS NULL OR u.hour >= to_timestamp($2::bigint))
                      AND ($3::bigint IS NULL OR u.hour < to_timestamp($3::bigint))
                      AND ($4::text IS NULL OR u.subscriber >= $4)
                    ORDER BY 1 LIMIT $8::integer
                )
                SELECT * FROM (
                    SELECT u.subscriber, \(Self.periodExpression(grouping)) AS period,
                           sum(u.upload_bytes)::bigint AS upload_bytes, sum(u.download_bytes)::bigint AS download_bytes,
                   sum(u.session_seconds)::bigint AS session_seconds
                    FROM usage_hourly u JOIN tenants t ON t.id = u.tenant_id
                    WHERE u.tenant_id = $6 AND u.subscriber IN (SELECT subscriber FROM page_subscribers)
                      AND ($2::bigint IS NULL OR u.hour >= to_timestamp($2::bigint))
                      AND ($3::bigint IS NULL OR u.hour < to_timestamp($3::bigint))
                    GROUP BY 1, 2
                ) g
                WHERE $4::text IS NULL OR (g.subscriber, coalesce(g.period, '')) > ($4::text, $5::text)
                ORDER BY 1, 2 LIMIT $7
                """,
                [user] + (try Self.instants(from, to, tenant: tenant)) + key + [
                    String(tenant.id), String(limit + 1),
                    // One subscriber at most for a user's usage: told so, the planner looks the
                    // user's buckets up by key instead of scanning every bucket of the range
                    // (a page limit of 1,000 made it estimate 1,001 subscribers: 18 s at 72 M rows).
                    String(user == nil ? limit + 2 : 1),
                ])
        }
        return KeysetPage(fetched: try Self.usageRows(result), limit: limit) { [$0.subscriber, $0.period ?? ""] }
    }

    /// Every row of `usage` in page order, read a chunk at a time. The cursor owns the
    /// connection until it is closed.
    public func openUsageExport(
        tenant: Tenant, user: String? = nil, from: String? = nil, to: String? = nil,
        by grouping: UsageGrouping? = nil
    ) throws -> RowCursor<UsageRow> {
        try checkBounds(from, to)
        return try RowCursor(
            connection: connection, tenantID: tenant.id,
            sql: """
                SELECT u.subscriber, \(Self.periodExpression(grouping)) AS period,
                       sum(u.upload_bytes)::bigint AS upload_bytes, sum(u.download_bytes)::bigint AS download_bytes,
                       sum(u.session_seconds)::bigint AS session_seconds
                FROM usage_hourly u JOIN tenants t ON t.id = u.tenant_id
                WHERE u.tenant_id = $4 AND ($1::text IS NULL OR u.subscriber = $1)
                  AND ($2::bigint IS NULL OR u.hour >= to_timestamp($2::bigint))
                  AND ($3::bigint IS NULL OR u.hour < to_timestamp($3::bigint))
                GROUP BY 1, 2 ORDER BY 1, 2
                """, parameters: [user] + (try Self.instants(from, to, tenant: tenant)) + [String(tenant.id)], decode: Self.usageRows)
    }

    /// A page of `usageTotals`: `limit` periods after period `after[0]`.
    public func usageTotalsPage(
        tenant: Tenant, from: String? = nil, to: String? = nil, by grouping: UsageGrouping? = nil,
        after: [String]?, limit: Int
    ) throws -> KeysetPage<UsageRow> {
        try checkBounds(from, to)
        try PageLimit.check(limit)
        let source = Self.source(from: from, to: to, grouping: grouping, tenant: tenant)
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT * FROM (
                    SELECT '' AS subscriber, \(source.period(grouping)) AS period,
                           sum(u.upload_bytes)::bigint AS upload_bytes, sum(u.download_bytes)::bigint AS download_bytes,
                   sum(u.session_seconds)::bigint AS session_seconds
                    FROM \(source.table) u JOIN tenants t ON t.id = u.tenant_id
                    WHERE u.tenant_id = $3 AND \(source.range)
                    GROUP BY 2
                ) g
                WHERE $4::text IS NULL OR coalesce(g.period, '') > $4
                ORDER BY 2 LIMIT $5
                """, (try source.bounds(from, to, tenant: tenant)) + [String(tenant.id)] + (try keyParts(after, 1)) + [String(limit + 1)])
        }
        return KeysetPage(fetched: try Self.usageRows(result), limit: limit) { [$0.period ?? ""] }
    }

    /// A page of the ranking `topSubscribers` gives: `limit` subscribers after the key
    /// `[ranked bytes, subscriber]` of the previous page's last row.
    public func topPage(
        tenant: Tenant, from: String? = nil, to: String? = nil, by ranking: UsageRanking = .total,
        after: [String]?, limit: Int
    ) throws -> KeysetPage<UsageRow> {
        try checkBounds(from, to)
        try PageLimit.check(limit)
        let key = try keyParts(after, 2)
        if let bytes = key[0], Int64(bytes) == nil { throw StoreError(.invalid, "cursor does not belong to this listing") }
        // The ranked bytes summed over a subscriber's rows, and of one row.
        let (rank, rowRank) =
            switch ranking {
            case .download: ("sum(u.download_bytes)::bigint", "u.download_bytes")
            case .upload: ("sum(u.upload_bytes)::bigint", "u.upload_bytes")
            case .total: ("(sum(u.upload_bytes) + sum(u.download_bytes))::bigint", "u.upload_bytes + u.download_bytes")
            }
        let source = Self.source(from: from, to: to, grouping: nil, tenant: tenant)
        // One billing cycle has one row per subscriber: nothing to group.
        let oneCycle = source == .cycles && UsageCycles.isOneCycle(from: from, to: to, billingDay: tenant.billingDay)
        let rows =
            oneCycle
            ? """
            SELECT u.subscriber, NULL::text AS period, u.upload_bytes, u.download_bytes, u.session_seconds,
                   \(rowRank) AS rank
            FROM usage_cycles u
            WHERE u.tenant_id = $3 AND u.cycle_start = $1::date AND $2::date IS NOT NULL
            """
            : """
            SELECT u.subscriber, NULL::text AS period, sum(u.upload_bytes)::bigint AS upload_bytes,
                   sum(u.download_bytes)::bigint AS download_bytes, sum(u.session_seconds)::bigint AS session_seconds, \(rank) AS rank
            FROM \(source.table) u
            WHERE u.tenant_id = $3 AND \(source.range)
            GROUP BY u.subscriber
            """
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT * FROM (\(rows)) g
                WHERE $4::bigint IS NULL OR g.rank < $4::bigint OR (g.rank = $4::bigint AND g.subscriber > $5::text)
                ORDER BY g.rank DESC, g.subscriber LIMIT $6
                """, (try source.bounds(from, to, tenant: tenant)) + [String(tenant.id)] + key + [String(limit + 1)])
        }
        return KeysetPage(fetched: try Self.usageRows(result), limit: limit) { row in
            let bytes: Int64
            switch ranking {
            case .download: bytes = row.downloadBytes
            case .upload: bytes = row.uploadBytes
            case .total: bytes = row.uploadBytes + row.downloadBytes
            }
            return [String(bytes), row.subscriber]
        }
    }

    /// A page of `unassigned`: `limit` User-Names after `after[0]`.
    public func unassignedPage(tenant: Tenant, period: String, after: [String]?, limit: Int) throws -> KeysetPage<UnassignedUsageRow> {
        try PageLimit.check(limit)
        guard let billing = BillingPeriod(period, billingDay: tenant.billingDay),
            let calendar = PeriodCalendar(period: billing, timeZone: tenant.timeZone)
        else {
            throw StoreError(.invalid, "period '\(period)' must be YYYY-MM")
        }
        let after = try keyParts(after, 1)[0]
        let rows = try connection.tenantTransaction(tenant.id) { connection in
            try InvoiceStore.unknownUsers(connection, tenant: tenant, range: calendar.bucketRange, after: after, limit: limit + 1)
        }
        return KeysetPage(fetched: rows, limit: limit) { [$0.userName] }
    }

    /// Which sessions a listing shows, by whether they are still open (`active`) or closed.
    public enum SessionStatus: String, Sendable, CaseIterable {
        case active, closed, all
    }

    /// One page of sessions, newest first: filtered by status, User-Name, NAS name and start
    /// time (`from` inclusive, `to` exclusive, UTC or tenant-local dates/times), continuing
    /// after the session id `after` (the cursor of the previous page). Returns the page and
    /// the cursor of the next one (nil on the last page).
    public func sessionPage(
        tenant: Tenant, status: SessionStatus = .all, user: String? = nil, nas: String? = nil,
        from: String? = nil, to: String? = nil, after: Int64? = nil, limit: Int = 100
    ) throws -> (rows: [SessionRow], next: Int64?) {
        try checkBounds(from, to)
        try PageLimit.check(limit)
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT s.id, n.name AS nas, s.user_name, s.acct_session_id, s.nas_port,
                       to_char(s.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS started_at,
                       to_char(s.last_event_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_event_at,
                       to_char(s.stopped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS stopped_at,
                       s.close_reason, s.terminate_cause, s.upload_bytes, s.download_bytes, s.session_seconds,
                       host(s.framed_ip_address) AS framed_ip_address, s.generation
                FROM sessions s
                LEFT JOIN nas_devices n ON n.tenant_id = s.tenant_id AND n.id = s.nas_id
                WHERE s.has_events
                  AND ($1 = 'all' OR ($1 = 'active') = (s.stopped_at IS NULL))
                  AND ($2::text IS NULL OR s.user_name = $2)
                  AND ($3::text IS NULL OR n.name = $3)
                  AND ($4::bigint IS NULL OR s.started_at >= to_timestamp($4::bigint))
                  AND ($5::bigint IS NULL OR s.started_at < to_timestamp($5::bigint))
                  AND ($6::bigint IS NULL OR s.id < $6)
                ORDER BY s.id DESC
                LIMIT $7
                """,
                [status.rawValue, user, nas] + (try Self.instants(from, to, tenant: tenant))
                    + [after.map(String.init), String(limit + 1)])
        }
        let rows = Array(try Self.sessions(result).prefix(limit))
        return (rows, result.rowCount > limit ? rows.last?.id : nil)
    }

    /// What top subscribers are ranked by.
    public enum UsageRanking: String, Sendable, CaseIterable {
        case download, upload, total
    }

    /// Where tenant-wide usage is read: the daily rows when the range is whole local days and
    /// no hourly grouping is asked for (24 times fewer rows), else the hourly buckets.
    enum UsageSource {
        /// Per subscriber and billing cycle: ranges of whole cycles, not grouped by time.
        case cycles
        case daily, hourly

        var table: String {
            switch self {
            case .cycles: "usage_cycles"
            case .daily: "usage_daily"
            case .hourly: "usage_hourly"
            }
        }

        /// The WHERE condition for `$1` (from) and `$2` (to), as `bounds` gives them.
        var range: String {
            switch self {
            case .cycles: return "($1::date IS NULL OR u.cycle_start >= $1::date) AND ($2::date IS NULL OR u.cycle_start < $2::date)"
            case .daily: return "($1::date IS NULL OR u.day >= $1::date) AND ($2::date IS NULL OR u.day < $2::date)"
            case .hourly:
                return "($1::bigint IS NULL OR u.hour >= to_timestamp($1::bigint)) AND ($2::bigint IS NULL OR u.hour < to_timestamp($2::bigint))"
            }
        }

        /// `from` and `to` as this source compares them: local dates, or UTC seconds.
        func bounds(_ from: String?, _ to: String?, tenant: Tenant) throws -> [String?] {
            self == .hourly ? try ReportStore.instants(from, to, tenant: tenant) : [from, to]
        }

        func period(_ grouping: UsageGrouping?) -> String {
            switch (self, grouping) {
            case (.daily, .day?): return "to_char(u.day, 'YYYY-MM-DD')"
            case (.daily, .month?): return "to_char(u.day, 'YYYY-MM')"
            default: return ReportStore.periodExpression(grouping)
            }
        }
    }

    /// The smallest table that answers a range: whole billing cycles of the tenant (not
    /// grouped by time) from the cycle rows, whole local days from the daily rows, anything
    /// else from the hourly buckets.
    static func source(from: String?, to: String?, grouping: UsageGrouping?, tenant: Tenant) -> UsageSource {
        func isDay(_ text: String?) -> Bool {
            guard let text else { return true }
            let bytes = Array(text.utf8)
            return bytes.count == 10 && bytes[4] == UInt8(ascii: "-") && bytes[7] == UInt8(ascii: "-")
                && bytes.enumerated().allSatisfy { $0.offset == 4 || $0.offset == 7 || (48...57).contains($0.element) }
        }
        guard grouping != .hour, isDay(from), isDay(to) else { return .hourly }
        let cycleStart = { (text: String?) in text.map { UsageCycles.isCycleStart($0, billingDay: tenant.billingDay) } ?? true }
        return grouping == nil && cycleStart(from) && cycleStart(to) ? .cycles : .daily
    }

    private func checkBounds(_ bounds: String?...) throws {
        for bound in bounds.compactMap({ $0 }) { _ = try Self.seconds(bound) }
    }

    /// A bound read as if it were UTC, in seconds; 400 for anything else. Years 1000-9999 only:
    /// PostgreSQL has no year 0, and dates are read as four digits.
    static func seconds(_ bound: String) throws -> Int64 {
        guard let seconds = Timestamps.parseUTC(bound), Int(bound.prefix(4)).map({ $0 >= 1000 }) == true else {
            throw StoreError(.invalid, "'\(bound)' is not a date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM[:SS][Z])")
        }
        return seconds
    }

    /// `from` and `to` as UTC seconds: with a trailing Z they are UTC, otherwise dates or
    /// times in the tenant's zone. Passed as constants, so they can drive an index scan.
    static func instants(_ bounds: String?..., tenant: Tenant) throws -> [String?] {
        try bounds.map { bound in
            guard let bound else { return nil }
            let seconds = try Self.seconds(bound)
            if bound.hasSuffix("Z") { return String(seconds) }
            guard let utc = LocalTime.utc(local: seconds, zone: tenant.timeZone) else {
                throw StoreError(.invalid, "the tenant's time zone '\(tenant.timeZone)' is unknown to this system")
            }
            return String(utc)
        }
    }

    static func periodExpression(_ grouping: UsageGrouping?) -> String {
        switch grouping {
        case .none: return "NULL::text"
        case .hour: return "to_char(date_trunc('hour', u.hour AT TIME ZONE t.time_zone), 'YYYY-MM-DD HH24:00')"
        case .day: return "to_char(date_trunc('day', u.hour AT TIME ZONE t.time_zone), 'YYYY-MM-DD')"
        case .month: return "to_char(date_trunc('month', u.hour AT TIME ZONE t.time_zone), 'YYYY-MM')"
        }
    }

    /// Rows of a usage statement: subscriber, period, upload_bytes, download_bytes, session_seconds.
    static func usageRows(_ result: PostgresResult) throws -> [UsageRow] {
        let subscriber = try result.column("subscriber")
        let period = try result.column("period")
        let upload = try result.column("upload_bytes")
        let download = try result.column("download_bytes")
        let seconds = try result.column("session_seconds")
        return (0..<result.rowCount).map { row in
            UsageRow(
                subscriber: result.value(row: row, column: subscriber) ?? "", period: result.value(row: row, column: period),
                uploadBytes: result.int64(row: row, column: upload), downloadBytes: result.int64(row: row, column: download),
                sessionSeconds: result.int64(row: row, column: seconds))
        }
    }

    /// Rows of the session listing's statement.
    static func sessions(_ result: PostgresResult) throws -> [SessionRow] {
        let id = try result.column("id")
        let nas = try result.column("nas")
        let user = try result.column("user_name")
        let sessionID = try result.column("acct_session_id")
        let generation = try result.column("generation")
        let nasPort = try result.column("nas_port")
        let startedAt = try result.column("started_at")
        let lastEventAt = try result.column("last_event_at")
        let stoppedAt = try result.column("stopped_at")
        let closeReason = try result.column("close_reason")
        let terminateCause = try result.column("terminate_cause")
        let upload = try result.column("upload_bytes")
        let download = try result.column("download_bytes")
        let seconds = try result.column("session_seconds")
        let framedIP = try result.column("framed_ip_address")
        return (0..<result.rowCount).map { row in
            func text(_ c: Int) -> String? { result.value(row: row, column: c) }
            return SessionRow(
                id: Int64(text(id) ?? "0") ?? 0, nas: text(nas) ?? "", user: text(user) ?? "", sessionID: text(sessionID) ?? "",
                generation: Int(text(generation) ?? "1") ?? 1, nasPort: text(nasPort) ?? "", startedAt: text(startedAt),
                lastUpdateAt: text(lastEventAt), stoppedAt: text(stoppedAt), closeReason: text(closeReason),
                terminateCause: text(terminateCause).flatMap { Int($0) },
                uploadBytes: Int64(text(upload) ?? "0") ?? 0, downloadBytes: Int64(text(download) ?? "0") ?? 0,
                sessionSeconds: Int64(text(seconds) ?? "0") ?? 0, framedIPAddress: text(framedIP))
        }
    }

}
