import Accounting
import Rating

/// The reads of the console's usage pages. Each runs in the tenant's row-level-security
/// transaction, reads a bounded number of rows (every listing has a LIMIT, per-subscriber
/// reads go through indexes led by the subscriber) and issues a fixed number of statements
/// however many rows a page shows.
public struct ConsoleUsageStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Whole-tenant usage of the local days `days` (the same figures as `tollgate usage
    /// --from <first> --to <end>`, summed over subscribers).
    public func totals(tenant: Tenant, days: Range<CivilDate>) throws -> ByteTotals {
        let source = DailyUsageSource(days, billingDay: tenant.billingDay)
        let table = source.wholeCycles ? "usage_cycle_totals" : source.table
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT coalesce(sum(upload_bytes), 0)::bigint AS upload, coalesce(sum(download_bytes), 0)::bigint AS download FROM \(table)
                WHERE tenant_id = $1 AND \(source.column) >= $2::date AND \(source.column) < $3::date
                """, [String(tenant.id), days.lowerBound.description, days.upperBound.description])
        }
        let columns = try result.columns("upload", "download")
        return ByteTotals(upload: result.int64(row: 0, column: columns[0]), download: result.int64(row: 0, column: columns[1]))
    }

    /// Sessions open now (those with accounting: a Start or an update).
    public func activeSessionCount(tenant: Tenant) throws -> Int64 {
        try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                "SELECT count(*) FROM sessions WHERE tenant_id = $1 AND stopped_at IS NULL AND has_events",
                [String(tenant.id)]
            ).int64(row: 0, column: 0)
        }
    }

    /// Every NAS (the first `limit` by name) with when it was last heard, its open sessions and
    /// its drops of the last 24 hours (this hour and the 23 before it).
    public func nasHealth(tenant: Tenant, limit: Int = 200) throws -> [NASHealthRow] {
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT n.name, to_char(a.last_heard_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_heard_at,
                       extract(epoch FROM now() - a.last_heard_at)::bigint AS silent_seconds, a.silent_reported_at IS NOT NULL AS reported_silent,
                       (SELECT count(*) FROM sessions s WHERE s.tenant_id = n.tenant_id AND s.nas_id = n.id AND s.stopped_at IS NULL AND s.has_events)
                           AS open_sessions,
                       (SELECT string_agg(d.reason || '=' || d.datagrams, ',' ORDER BY d.datagrams DESC, d.reason) FROM (
                            SELECT reason, sum(datagrams) AS datagrams FROM nas_drops
                            WHERE tenant_id = n.tenant_id AND nas_id = n.id AND hour >= date_trunc('hour', now()) - interval '23 hours'
                            GROUP BY reason) d) AS drops
                FROM nas_devices n LEFT JOIN nas_activity a ON a.tenant_id = n.tenant_id AND a.nas_id = n.id
                WHERE n.tenant_id = $1 ORDER BY n.name LIMIT $2
                """, [String(tenant.id), String(max(1, min(limit, 1000)))])
        }
        let c = try result.columns("name", "last_heard_at", "silent_seconds", "reported_silent", "open_sessions", "drops")
        return (0..<result.rowCount).map { row in
            NASHealthRow(
                name: result.value(row: row, column: c[0]) ?? "", lastHeardAt: result.value(row: row, column: c[1]),
                silentSeconds: result.value(row: row, column: c[2]).flatMap { Int64($0) },
                reportedSilent: result.value(row: row, column: c[3]) == "t", openSessions: result.int64(row: row, column: c[4]),
                drops: (result.value(row: row, column: c[5]) ?? "").split(separator: ",").compactMap { pair in
                    let parts = pair.split(separator: "=")
                    guard parts.count == 2, let count = Int64(parts[1]) else { return nil }
                    return NASDropTotal(reason: String(parts[0]), datagrams: count)
                })
        }
    }

    /// How many NAS the tenant has registered.
    public func nasCount(tenant: Tenant) throws -> Int64 {
        try connection.tenantTransaction(tenant.id) { connection in
            try connection.query("SELECT count(*) FROM nas_devices WHERE tenant_id = $1", [String(tenant.id)]).int64(row: 0, column: 0)
        }
    }

    /// The tenant's packets waiting in the packet log for the merge.
    public func mergeLag(tenant: Tenant) throws -> MergeLag {
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT (SELECT count(*) FROM (
                            SELECT 1 FROM log_streams s JOIN accounting_packets p ON p.stream = s.id AND p.seq > s.merged_seq
                            WHERE s.retired_at IS NULL AND p.tenant_id = $1 LIMIT $2) c) AS unmerged,
                       coalesce(extract(epoch FROM now() - (
                            SELECT min(o.received_at) FROM log_streams s CROSS JOIN LATERAL (
                                SELECT received_at FROM accounting_packets
                                WHERE stream = s.id AND seq > s.merged_seq AND tenant_id = $1 ORDER BY seq LIMIT 1) o
                            WHERE s.retired_at IS NULL))::bigint, 0) AS oldest_seconds
                """, [String(tenant.id), String(MergeLag.countCap)])
        }
        let columns = try result.columns("unmerged", "oldest_seconds")
        return MergeLag(unmerged: result.int64(row: 0, column: columns[0]), oldestSeconds: max(0, result.int64(row: 0, column: columns[1])))
    }

    /// Subscribers using the most of the days `days`, most first: the candidates for "near
    /// or over the allowance" (at most `limit`).
    public func heaviest(tenant: Tenant, days: Range<CivilDate>, limit: Int) throws -> [String] {
        let source = DailyUsageSource(days, billingDay: tenant.billingDay)
        // One cycle has one row per subscriber: ranked without grouping. (No index orders the
        // cycle rows by total: it would make every merge's update of them a non-HOT one.)
        let ranking =
            source.oneCycle
            ? """
            SELECT subscriber FROM usage_cycles WHERE tenant_id = $1 AND cycle_start = $2::date AND $3::date IS NOT NULL
            ORDER BY upload_bytes + download_bytes DESC, subscriber LIMIT $4
            """
            : """
            SELECT subscriber FROM \(source.table) WHERE tenant_id = $1 AND \(source.column) >= $2::date AND \(source.column) < $3::date
            GROUP BY subscriber ORDER BY sum(upload_bytes) + sum(download_bytes) DESC, subscriber LIMIT $4
            """
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                ranking, [String(tenant.id), days.lowerBound.description, days.upperBound.description, String(max(1, min(limit, 5000)))])
        }
        return (0..<result.rowCount).compactMap { result.value(row: $0, column: 0) }
    }

    /// Subscribers restricted now (throttled or blocked), at most `limit`.
    public func restricted(tenant: Tenant, limit: Int) throws -> [String] {
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                "SELECT DISTINCT user_name FROM quota_states WHERE tenant_id = $1 ORDER BY 1 LIMIT $2",
                [String(tenant.id), String(max(1, min(limit, 5000)))])
        }
        return (0..<result.rowCount).compactMap { result.value(row: $0, column: 0) }
    }

    /// Columns the subscriber listing sorts by in the database: the name, and the cycle's
    /// total (read from the cycle rows). Sorting 100,000 subscribers by plan or by one
    /// direction would read and sort all of them for every page.
    public enum SubscriberSort: String, Sendable, CaseIterable {
        case user, total
    }

    /// A page of subscribers whose name contains `search` (case-insensitive), sorted by
    /// `sort`, with their plan on `today` and their usage of the local days `cycle`: `limit`
    /// rows after skipping `offset`, and whether more follow.
    ///
    /// By name, the page's subscribers are read in the order of the name index. The heaviest
    /// first over one cycle without a search reads the cycle's rows ranked by total (one per
    /// subscriber with usage) and keeps those that are subscribers, when enough of them have
    /// usage to fill the page. Otherwise (ascending, a search, a range that is not one cycle,
    /// a page reaching subscribers without usage) the matching subscribers are joined to their
    /// totals and sorted.
    public func subscriberPage(
        tenant: Tenant, search: String?, sort: SubscriberSort, descending: Bool, today: CivilDate,
        cycle: Range<CivilDate>, offset: Int, limit: Int
    ) throws -> (rows: [SubscriberListRow], more: Bool) {
        try PageLimit.check(limit)
        guard offset >= 0, offset <= 1_000_000 else { throw StoreError(.invalid, "page is out of range") }
        let source = DailyUsageSource(cycle, billingDay: tenant.billingDay)
        return try connection.tenantTransaction(tenant.id) { connection in
            let page: (users: [(name: String, plan: String?)], more: Bool)
            if sort == .total, descending, search == nil, source.oneCycle,
                let heaviest = try Self.heaviestSubscribers(
                    connection, tenant: tenant, cycle: cycle.lowerBound, today: today, count: offset + limit + 1)
            {
                page = (Array(heaviest.dropFirst(offset).prefix(limit)), heaviest.count > offset + limit)
            } else {
                page = try Self.sortedSubscribers(
                    connection, tenant: tenant, search: search, sort: sort, descending: descending, today: today,
                    cycle: cycle, source: source, offset: offset, limit: limit)
            }
            let users = page.users.map(\.name)
            let usage = try Self.usage(connection, tenant: tenant, users: users, days: cycle)
            let rows = page.users.map { user in
                SubscriberListRow(userName: user.name, plan: user.plan, usage: usage[user.name] ?? ByteTotals(upload: 0, download: 0), quota: nil)
            }
            return (rows, page.more)
        }
    }

    /// The subscriber's plan on `$3` (a date), for a query over `subscribers s`.
    static let planOnDay = """
        (SELECT p.name FROM plan_assignments a JOIN plans p ON p.tenant_id = a.tenant_id AND p.id = a.plan_id
         WHERE a.tenant_id = s.tenant_id AND a.subscriber_id = s.id AND a.starts_on <= $3::date AND (a.ends_on IS NULL OR a.ends_on > $3::date)
         ORDER BY a.starts_on DESC LIMIT 1) AS plan
        """

    /// The first `count` subscribers by the total of the cycle starting on `cycle`, heaviest
    /// first (then by name), with their plans; nil when the cycle's heaviest rows do not
    /// settle it: too few of them are subscribers, or the last one has no usage (subscribers
    /// without a row would tie with it).
    static func heaviestSubscribers(
        _ connection: PostgresConnection, tenant: Tenant, cycle: CivilDate, today: CivilDate,
        count: Int
    ) throws -> [(name: String, plan: String?)]? {
        // Room for usage of User-Names that are no subscriber among the heaviest.
        let fetched = count * 2 + 100
        let ranked = try connection.query(
            """
            SELECT subscriber, upload_bytes + download_bytes AS total FROM usage_cycles WHERE tenant_id = $1 AND cycle_start = $2::date
            ORDER BY upload_bytes + download_bytes DESC, subscriber LIMIT $3
            """, [String(tenant.id), cycle.description, String(fetched)])
        let rankedColumns = try ranked.columns("subscriber", "total")
        var names = ArrayParameter(reservingCapacity: ranked.rowCount * 12)
        for row in 0..<ranked.rowCount { names.append(ranked.value(row: row, column: rankedColumns[0])) }
        let registered = try connection.query(
            """
            SELECT s.user_name, \(planOnDay) FROM subscribers s WHERE s.tenant_id = $1 AND s.user_name = ANY($2::text[]) AND $3::date IS NOT NULL
            """, [String(tenant.id), names.literal, today.description])
        let registeredColumns = try registered.columns("user_name", "plan")
        var plans: [String: String?] = [:]
        for row in 0..<registered.rowCount {
            guard let name = registered.value(row: row, column: registeredColumns[0]) else { continue }
            plans[name] = registered.value(row: row, column: registeredColumns[1])
        }
        var kept: [(name: String, plan: String?)] = []
        var lastTotal: Int64 = 0
        for row in 0..<ranked.rowCount where kept.count < count {
            guard let name = ranked.value(row: row, column: rankedColumns[0]), let plan = plans[name] else { continue }
            kept.append((name, plan))
            lastTotal = ranked.int64(row: row, column: rankedColumns[1])
        }
        return kept.count == count && lastTotal > 0 ? kept : nil
    }

    /// A page of the subscribers matching `search` in the order `sort`, by a query over all
    /// of them (whitelisted orderings only: nothing from the request reaches the statement).
    static func sortedSubscribers(
        _ connection: PostgresConnection, tenant: Tenant, search: String?, sort: SubscriberSort, descending: Bool,
        today: CivilDate, cycle: Range<CivilDate>, source: DailyUsageSource, offset: Int,
        limit: Int
    ) throws -> (users: [(name: String, plan: String?)], more: Bool) {
        let direction = descending ? "DESC" : "ASC"
        let statement: String
        switch sort {
        case .user:
            statement = """
                SELECT s.user_name, \(planOnDay) FROM subscribers s
                WHERE s.tenant_id = $1 AND ($2::text IS NULL OR strpos(lower(s.user_name), lower($2)) > 0)
                ORDER BY s.user_name \(direction) LIMIT $4 OFFSET $5
                """
        case .total:
            let usageRows =
                source.oneCycle
                ? """
                SELECT subscriber, upload_bytes AS upload, download_bytes AS download FROM usage_cycles
                WHERE tenant_id = $1 AND cycle_start = $6::date AND $7::date IS NOT NULL
                """
                : """
                SELECT subscriber, sum(upload_bytes) AS upload, sum(download_bytes) AS download FROM \(source.table)
                WHERE tenant_id = $1 AND \(source.column) >= $6::date AND \(source.column) < $7::date GROUP BY subscriber
                """
            statement = """
                SELECT s.user_name, \(planOnDay) FROM subscribers s LEFT JOIN (\(usageRows)) u ON u.subscriber = s.user_name
                WHERE s.tenant_id = $1 AND ($2::text IS NULL OR strpos(lower(s.user_name), lower($2)) > 0)
                ORDER BY coalesce(u.upload, 0) + coalesce(u.download, 0) \(direction), s.user_name LIMIT $4 OFFSET $5
                """
        }
        let result = try connection.query(
            statement,
            [String(tenant.id), search, today.description, String(limit + 1), String(offset)]
                + (sort == .total ? [cycle.lowerBound.description, cycle.upperBound.description] : []))
        let columns = try result.columns("user_name", "plan")
        let users = (0..<min(result.rowCount, limit)).map { row in
            (name: result.value(row: row, column: columns[0]) ?? "", plan: result.value(row: row, column: columns[1]))
        }
        return (users, result.rowCount > limit)
    }

    /// Usage of each of `users` over the local days `days`, in one statement.
    static func usage(_ connection: PostgresConnection, tenant: Tenant, users: [String], days: Range<CivilDate>) throws -> [String: ByteTotals] {
        guard !users.isEmpty else { return [:] }
        var names = ArrayParameter(reservingCapacity: users.count * 12)
        for user in users { names.append(user) }
        let source = DailyUsageSource(days, billingDay: tenant.billingDay)
        // An equality on the cycle lets the planner look each subscriber up by the primary key.
        let range =
            source.oneCycle
            ? "cycle_start = $3::date AND $4::date IS NOT NULL"
            : "\(source.column) >= $3::date AND \(source.column) < $4::date"
        let result = try connection.query(
            """
            SELECT subscriber, sum(upload_bytes)::bigint AS upload, sum(download_bytes)::bigint AS download FROM \(source.table)
            WHERE tenant_id = $1 AND subscriber = ANY($2::text[]) AND \(range)
            GROUP BY subscriber
            """, [String(tenant.id), names.literal, days.lowerBound.description, days.upperBound.description])
        let columns = try result.columns("subscriber", "upload", "download")
        var totals: [String: ByteTotals] = [:]
        for row in 0..<result.rowCount {
            guard let user = result.value(row: row, column: columns[0]) else { continue }
            totals[user] = ByteTotals(upload: result.int64(row: row, column: columns[1]), download: result.int64(row: row, column: columns[2]))
        }
        return totals
    }

    /// Whether `user` is a subscriber of the tenant or has any usage recorded.
    public func isKnown(tenant: Tenant, user: String) throws -> Bool {
        try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT EXISTS (SELECT 1 FROM subscribers WHERE tenant_id = $1 AND user_name = $2)
                    OR EXISTS (SELECT 1 FROM usage_daily WHERE tenant_id = $1 AND subscriber = $2)
                """, [String(tenant.id), user]
            ).value(row: 0, column: 0) == "t"
        }
    }

    /// A subscriber's usage per local day of `days` (days without usage are left out).
    public func daily(tenant: Tenant, user: String, days: Range<CivilDate>) throws -> [UsagePoint] {
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT to_char(day, 'YYYY-MM-DD') AS key, upload_bytes AS upload, download_bytes AS download FROM usage_daily
                WHERE tenant_id = $1 AND subscriber = $2 AND day >= $3::date AND day < $4::date ORDER BY day LIMIT 400
                """, [String(tenant.id), user, days.lowerBound.description, days.upperBound.description])
        }
        return try Self.points(result)
    }

    /// A subscriber's usage per local hour of `day` (an hour a clock change repeats is summed).
    public func hourly(tenant: Tenant, user: String, day: CivilDate) throws -> [UsagePoint] {
        guard let from = LocalTime.utc(local: day.dayNumber * 86400, zone: tenant.timeZone),
            let to = LocalTime.utc(local: day.adding(days: 1).dayNumber * 86400, zone: tenant.timeZone)
        else {
            throw StoreError(.invalid, "the tenant's time zone '\(tenant.timeZone)' is unknown to this system")
        }
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT to_char(extract(hour FROM hour AT TIME ZONE $5)::integer, 'FM00') AS key, sum(upload_bytes)::bigint AS upload,
                       sum(download_bytes)::bigint AS download
                FROM usage_hourly WHERE tenant_id = $1 AND subscriber = $2 AND hour >= to_timestamp($3) AND hour < to_timestamp($4)
                GROUP BY 1 ORDER BY 1
                """, [String(tenant.id), user, String(from), String(to), tenant.timeZone])
        }
        return try Self.points(result)
    }

    /// Rows of `key`, `upload` and `download` as points.
    static func points(_ result: PostgresResult) throws -> [UsagePoint] {
        let c = try result.columns("key", "upload", "download")
        return (0..<result.rowCount).map { row in
            UsagePoint(
                key: result.value(row: row, column: c[0]) ?? "", upload: result.int64(row: row, column: c[1]),
                download: result.int64(row: row, column: c[2]))
        }
    }

    /// The subscriber's quota crossings, newest first.
    public func crossings(tenant: Tenant, user: String, limit: Int = 50) throws -> [CrossingRecord] {
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT id, action, threshold, threshold_bytes, used_bytes, period_key,
                       to_char(crossed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS crossed_at
                FROM quota_crossings WHERE tenant_id = $1 AND user_name = $2 ORDER BY id DESC LIMIT $3
                """, [String(tenant.id), user, String(max(1, min(limit, 500)))])
        }
        let c = try result.columns("id", "action", "threshold", "threshold_bytes", "used_bytes", "period_key", "crossed_at")
        return (0..<result.rowCount).map { row in
            CrossingRecord(
                id: result.int64(row: row, column: c[0]), action: result.value(row: row, column: c[1]) ?? "",
                threshold: result.value(row: row, column: c[2]) ?? "", thresholdBytes: result.int64(row: row, column: c[3]),
                usedBytes: result.int64(row: row, column: c[4]), periodKey: result.value(row: row, column: c[5]) ?? "",
                crossedAt: result.value(row: row, column: c[6]) ?? "")
        }
    }

    /// The subscriber's top-ups of every cycle, newest first.
    public func topUps(tenant: Tenant, user: String, limit: Int = 50) throws -> [TopUpRecord] {
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT id, user_name, period, bytes, note, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
                FROM top_ups WHERE tenant_id = $1 AND user_name = $2 ORDER BY id DESC LIMIT $3
                """, [String(tenant.id), user, String(max(1, min(limit, 500)))])
        }
        return try QuotaStore.topUps(result)
    }

    /// Every tenant (the first `limit` by slug after `after`) with its NAS and console users
    /// counted: for the platform admin, outside any tenant's scope.
    public func tenants(after: String?, limit: Int) throws -> [TenantOverviewRow] {
        let tenants = try TenantStore(connection: connection).page(after: after.map { [$0] }, limit: limit).rows
        guard !tenants.isEmpty else { return [] }
        var ids = ArrayParameter()
        for tenant in tenants { ids.append(tenant.id) }
        let result = try connection.query(
            """
            SELECT t.id, (SELECT count(*) FROM nas_devices n WHERE n.tenant_id = t.id) AS nas_count,
                   (SELECT count(*) FROM console_users u WHERE u.tenant_id = t.id) AS console_user_count
            FROM unnest($1::bigint[]) AS t(id)
            """, [ids.literal])
        let c = try result.columns("id", "nas_count", "console_user_count")
        var counts: [Int64: (Int64, Int64)] = [:]
        for row in 0..<result.rowCount {
            counts[result.int64(row: row, column: c[0])] = (result.int64(row: row, column: c[1]), result.int64(row: row, column: c[2]))
        }
        return tenants.map { TenantOverviewRow(tenant: $0, nasCount: counts[$0.id]?.0 ?? 0, consoleUserCount: counts[$0.id]?.1 ?? 0) }
    }
}
