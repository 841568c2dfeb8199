import Accounting
import Foundation
import Rating

/// Quota evaluation, crossings, restrictions, top-ups and the enforcement log.
///
/// The evaluation and the requests it decides run in one tenant transaction: a crossing is
/// inserted once (a unique key on plan version, policy, period and allowance epoch), the
/// restriction it leaves is kept, and every request is recorded, claimed by the caller with a
/// lease, before the caller sends it. A request whose lease runs out (its collector stopped)
/// is claimed by another collector.
public struct QuotaStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Parsed plan terms by version id: versions never change, and parsing is the costliest
    /// part of reading a subject.
    public final class TermsCache: @unchecked Sendable {
        private var terms: [Int64: PlanTerms] = [:]
        private let lock = NSLock()
        public init() {}

        func terms(version: Int64, text: String) throws -> PlanTerms {
            if let cached = lock.withLock({ terms[version] }) { return cached }
            let parsed = try PlanDocument.parse(json: Data(text.utf8)).terms
            lock.withLock {
                if terms.count > 10_000 { terms.removeAll() }
                terms[version] = parsed
            }
            return parsed
        }
    }

    static let requestColumns = columns(alias: "")

    /// The columns `requests(_:)` reads, qualified by a table alias ("r.") where a join needs it.
    static func columns(alias a: String) -> String {
        """
        \(a)tenant_id, \(a)id, \(a)user_name, \(a)crossing_id, \(a)session_id, \(a)nas_id, \(a)acct_session_id, \
        host(\(a)framed_ip_address) AS framed_ip_address, \(a)action, \(a)reason, \(a)rate, \(a)fallback, \
        extract(epoch FROM \(a)decided_at)::float8 AS decided_epoch
        """
    }

    /// The numbers of the columns `requests(_:)` reads (`columns(alias:)`), resolved once per result.
    private struct RequestColumns {
        let tenantID, id, userName, crossingID, sessionID, nasID, acctSessionID, framedIPAddress: Int
        let action, reason, rate, fallback, decidedEpoch: Int

        init(_ result: PostgresResult) throws {
            tenantID = try result.column("tenant_id")
            id = try result.column("id")
            userName = try result.column("user_name")
            crossingID = try result.column("crossing_id")
            sessionID = try result.column("session_id")
            nasID = try result.column("nas_id")
            acctSessionID = try result.column("acct_session_id")
            framedIPAddress = try result.column("framed_ip_address")
            action = try result.column("action")
            reason = try result.column("reason")
            rate = try result.column("rate")
            fallback = try result.column("fallback")
            decidedEpoch = try result.column("decided_epoch")
        }
    }

    static func requests(_ result: PostgresResult) throws -> [EnforcementRequest] {
        let c = try RequestColumns(result)
        return (0..<result.rowCount).map { row in
            EnforcementRequest(
                tenantID: result.int64(row: row, column: c.tenantID), id: result.int64(row: row, column: c.id),
                userName: result.value(row: row, column: c.userName) ?? "",
                crossingID: result.value(row: row, column: c.crossingID).flatMap { Int64($0) },
                sessionID: result.int64(row: row, column: c.sessionID), nasID: result.int64(row: row, column: c.nasID),
                acctSessionID: result.value(row: row, column: c.acctSessionID) ?? "",
                framedIPAddress: result.value(row: row, column: c.framedIPAddress),
                action: result.value(row: row, column: c.action) ?? "", reason: result.value(row: row, column: c.reason) ?? "",
                rate: result.value(row: row, column: c.rate), fallback: result.value(row: row, column: c.fallback),
                decidedAt: Double(result.value(row: row, column: c.decidedEpoch) ?? "") ?? 0)
        }
    }

    // MARK: - Evaluation

    /// A subscriber with a plan version in force today, and what its evaluation needs.
    struct Subject {
        var subject: QuotaSubject
        var planName: String
    }

    struct TenantClock {
        var timeZone: String
        var billingDay: Int
        var slug: String
        var today: CivilDate
        var cycle: BillingPeriod
    }

    static func clock(_ connection: PostgresConnection, tenantID: Int64, now: Int64) throws -> TenantClock {
        let result = try connection.query("SELECT time_zone, billing_day, slug FROM tenants WHERE id = $1", [String(tenantID)])
        let c = try result.columns("time_zone", "billing_day", "slug")
        guard result.rowCount == 1, let zone = result.value(row: 0, column: c[0]), let day = Int(result.value(row: 0, column: c[1]) ?? ""),
            let today = LocalTime.date(utc: now, zone: zone)
        else {
            throw StoreError(.notFound, "no tenant \(tenantID) with a known time zone")
        }
        return TenantClock(
            timeZone: zone, billingDay: day, slug: result.value(row: 0, column: c[2]) ?? "", today: today,
            cycle: BillingPeriod.containing(today, billingDay: day))
    }

    /// Subscribers among `users` on a plan version in force today (only versions with quota
    /// policies unless `all`), with their rating segment of the cycle.
    static func subjects(
        _ connection: PostgresConnection, tenantID: Int64, users: [String], clock: TenantClock, all: Bool,
        cache: TermsCache
    ) throws -> [String: Subject] {
        var names = ArrayParameter(reservingCapacity: users.count * 12)
        for user in users { names.append(user) }
        let result = try connection.query(
            """
            SELECT s.user_name, a.starts_on, a.ends_on, v.id, v.effective_from, v.terms,
                   (SELECT min(n.effective_from) FROM plan_versions n
                    WHERE n.tenant_id = v.tenant_id AND n.plan_id = v.plan_id AND n.effective_from > v.effective_from) AS next_effective_from,
                   p.name
            FROM subscribers s
            JOIN plan_assignments a ON a.tenant_id = s.tenant_id AND a.subscriber_id = s.id
                 AND a.starts_on <= $3::date AND (a.ends_on IS NULL OR a.ends_on > $3::date)
            JOIN plans p ON p.tenant_id = a.tenant_id AND p.id = a.plan_id
            JOIN LATERAL (SELECT id, tenant_id, plan_id, effective_from, terms FROM plan_versions
                          WHERE tenant_id = a.tenant_id AND plan_id = a.plan_id AND effective_from <= $3::date
                          ORDER BY effective_from DESC, id DESC LIMIT 1) v ON true
            WHERE s.tenant_id = $1 AND s.user_name = ANY($2::text[]) AND ($4::boolean OR strpos(v.terms, '"quota":') > 0)
            """, [String(tenantID), names.literal, clock.today.description, all ? "true" : "false"])
        let c = try result.columns(
            "user_name", "starts_on", "ends_on", "id", "effective_from", "terms", "next_effective_from", "name")
        var subjects: [String: Subject] = [:]
        for row in 0..<result.rowCount {
            guard let user = result.value(row: row, column: c[0]), let starts = CivilDate(result.value(row: row, column: c[1]) ?? ""),
                let effective = CivilDate(result.value(row: row, column: c[4]) ?? "")
            else { continue }
            let version = result.int64(row: row, column: c[3])
            let terms = try cache.terms(version: version, text: result.value(row: row, column: c[5]) ?? "")
            var end = clock.cycle.end
            if let ends = result.value(row: row, column: c[2]).flatMap({ CivilDate($0) }) { end = min(end, ends) }
            if let next = result.value(row: row, column: c[6]).flatMap({ CivilDate($0) }) { end = min(end, next) }
            let first = max(clock.cycle.first, starts, effective)
            subjects[user] = Subject(
                subject: QuotaSubject(
                    versionID: version, terms: terms, cycle: clock.cycle, segmentFirst: first,
                    segmentEnd: end, today: clock.today), planName: result.value(row: row, column: c[7]) ?? "")
        }
        return subjects
    }

    /// Usage rows of the subjects for the days they need: daily rows, or hourly rows with the
    /// local hour for plans with time-of-day windows.
    static func usage(_ connection: PostgresConnection, tenantID: Int64, subjects: [String: Subject], clock: TenantClock) throws -> [String:
        [QuotaUsageRow]]
    {
        var byUser: [String: [QuotaUsageRow]] = [:]
        let daily = subjects.filter { $0.value.subject.terms.windows.isEmpty }
        let hourly = subjects.filter { !$0.value.subject.terms.windows.isEmpty }
        func range(_ group: [String: Subject]) -> Range<CivilDate>? {
            guard let first = group.values.map(\.subject.usageDays.lowerBound).min(),
                let end = group.values.map(\.subject.usageDays.upperBound).max()
            else { return nil }
            return first..<end
        }
        func names(_ group: [String: Subject]) -> String {
            var parameter = ArrayParameter(reservingCapacity: group.count * 12)
            for user in group.keys { parameter.append(user) }
            return parameter.literal
        }
        if let days = range(daily) {
            let result = try connection.query(
                """
                SELECT subscriber, day, upload_bytes, download_bytes FROM usage_daily
                WHERE tenant_id = $1 AND subscriber = ANY($2::text[]) AND day >= $3::date AND day < $4::date
                """, [String(tenantID), names(daily), days.lowerBound.description, days.upperBound.description])
            let c = try result.columns("subscriber", "day", "upload_bytes", "download_bytes")
            for row in 0..<result.rowCount {
                guard let user = result.value(row: row, column: c[0]), let day = CivilDate(result.value(row: row, column: c[1]) ?? "") else {
                    continue
                }
                byUser[user, default: []].append(
                    QuotaUsageRow(day: day, upload: result.int64(row: row, column: c[2]), download: result.int64(row: row, column: c[3])))
            }
        }
        if let days = range(hourly) {
            // UTC bounds a day wider than the local days, for the index; the local date decides.
            let from = days.lowerBound.adding(days: -1).dayNumber * 86400
            let to = days.upperBound.adding(days: 1).dayNumber * 86400
            let result = try connection.query(
                """
                SELECT subscriber, (hour AT TIME ZONE $5)::date AS local_day, extract(hour FROM hour AT TIME ZONE $5)::integer AS local_hour,
                       upload_bytes, download_bytes
                FROM usage_hourly
                WHERE tenant_id = $1 AND subscriber = ANY($2::text[]) AND hour >= to_timestamp($6) AND hour < to_timestamp($7)
                  AND (hour AT TIME ZONE $5)::date >= $3::date AND (hour AT TIME ZONE $5)::date < $4::date
                """,
                [
                    String(tenantID), names(hourly), days.lowerBound.description, days.upperBound.description, clock.timeZone,
                    String(from), String(to),
                ])
            let c = try result.columns("subscriber", "local_day", "local_hour", "upload_bytes", "download_bytes")
            for row in 0..<result.rowCount {
                guard let user = result.value(row: row, column: c[0]), let day = CivilDate(result.value(row: row, column: c[1]) ?? "") else {
                    continue
                }
                byUser[user, default: []].append(
                    QuotaUsageRow(
                        day: day, hour: Int(result.int64(row: row, column: c[2])),
                        upload: result.int64(row: row, column: c[3]), download: result.int64(row: row, column: c[4])))
            }
        }
        return byUser
    }

    /// Adds the cycle's top-ups to the subjects.
    static func addTopUps(_ connection: PostgresConnection, tenantID: Int64, subjects: inout [String: Subject], clock: TenantClock) throws {
        guard !subjects.isEmpty else { return }
        var names = ArrayParameter(reservingCapacity: subjects.count * 12)
        for user in subjects.keys { names.append(user) }
        let result = try connection.query(
            """
            SELECT user_name, sum(bytes)::bigint AS top_up_bytes, count(*) AS top_up_count FROM top_ups
            WHERE tenant_id = $1 AND period = $2 AND user_name = ANY($3::text[]) GROUP BY user_name
            """, [String(tenantID), clock.cycle.description, names.literal])
        let c = try result.columns("user_name", "top_up_bytes", "top_up_count")
        for row in 0..<result.rowCount {
            guard let user = result.value(row: row, column: c[0]) else { continue }
            subjects[user]?.subject.topUpBytes = result.int64(row: row, column: c[1])
            subjects[user]?.subject.topUpCount = Int(result.int64(row: row, column: c[2]))
        }
    }

    struct CrossingKey: Hashable {
        var user: String
        var version: Int64
        var index: Int
        var periodKey: String
        var epoch: Int
    }

    /// Crossings already recorded for the subjects' current periods, with when.
    static func recordedCrossings(_ connection: PostgresConnection, tenantID: Int64, users: [String], clock: TenantClock) throws -> [CrossingKey:
        String]
    {
        guard !users.isEmpty else { return [:] }
        var names = ArrayParameter(reservingCapacity: users.count * 12)
        for user in users { names.append(user) }
        var keys = ArrayParameter()
        for key in [clock.cycle.description, clock.today.description, QuotaMeter.isoWeek(clock.today)] { keys.append(key) }
        let result = try connection.query(
            """
            SELECT user_name, plan_version_id, policy_index, period_key, epoch, \(Self.utc("crossed_at")) AS crossed_at
            FROM quota_crossings WHERE tenant_id = $1 AND user_name = ANY($2::text[]) AND period_key = ANY($3::text[])
            """, [String(tenantID), names.literal, keys.literal])
        let c = try result.columns("user_name", "plan_version_id", "policy_index", "period_key", "epoch", "crossed_at")
        var recorded: [CrossingKey: String] = [:]
        for row in 0..<result.rowCount {
            recorded[
                CrossingKey(
                    user: result.value(row: row, column: c[0]) ?? "", version: result.int64(row: row, column: c[1]),
                    index: Int(result.int64(row: row, column: c[2])), periodKey: result.value(row: row, column: c[3]) ?? "",
                    epoch: Int(result.int64(row: row, column: c[4])))] = result.value(row: row, column: c[5]) ?? ""
        }
        return recorded
    }

    /// Of `tenantIDs`, those with quota work: a plan version with quota policies, or a
    /// subscriber restricted now (whose new sessions need requests). One statement for every
    /// tenant a merge touched, so that tenants without quotas cost no round of their own: on a
    /// platform of hundreds of tenants most merges touch hundreds of them.
    public func tenantsWithQuotaWork(_ tenantIDs: [Int64]) throws -> Set<Int64> {
        guard !tenantIDs.isEmpty else { return [] }
        var ids = ArrayParameter(reservingCapacity: tenantIDs.count * 4)
        for id in tenantIDs { ids.append(id) }
        // Two semi-joins rather than EXISTS ... OR EXISTS, which the planner may answer by
        // hashing the whole of plan_versions: each reads only the listed tenants' rows.
        let result = try connection.query(
            """
            SELECT t.id FROM unnest($1::bigint[]) AS t (id)
            WHERE EXISTS (SELECT 1 FROM plan_versions v WHERE v.tenant_id = t.id AND strpos(v.terms, '"quota":') > 0)
            UNION
            SELECT t.id FROM unnest($1::bigint[]) AS t (id) WHERE EXISTS (SELECT 1 FROM quota_states q WHERE q.tenant_id = t.id)
            """, [ids.literal])
        return Set((0..<result.rowCount).map { result.int64(row: $0, column: 0) })
    }

    /// Evaluates the subscribers `users` of one tenant (those the last merge touched), records
    /// every threshold newly crossed, the restrictions they leave and the requests they need,
    /// and the requests any restricted subscriber's new sessions need (a session that started
    /// while its subscriber was throttled or blocked). The requests come back claimed by
    /// `claimant` for `lease` seconds: the caller sends them.
    public func enforce(tenantID: Int64, users: [String], now: Int64, claimant: UUID, lease: Int = 120, cache: TermsCache) throws -> EnforcementRound
    {
        try connection.tenantTransaction(tenantID) { connection in
            let clock = try Self.clock(connection, tenantID: tenantID, now: now)
            var subjects = try Self.subjects(connection, tenantID: tenantID, users: users, clock: clock, all: false, cache: cache)
            var round = EnforcementRound(evaluated: subjects.count)
            var newCrossingIDs: [Int64] = []
            if !subjects.isEmpty {
                // A top-up (which locks its subscriber for update) either committed before these
                // reads or waits until this round committed: never a throttle decided on the
                // allowance before a top-up that already lifted the previous one.
                var locked = ArrayParameter(reservingCapacity: subjects.count * 12)
                for user in subjects.keys.sorted() { locked.append(user) }
                try connection.query(
                    """
                    SELECT 1 FROM subscribers WHERE tenant_id = $1 AND user_name = ANY($2::text[]) ORDER BY user_name FOR SHARE
                    """, [String(tenantID), locked.literal])
                try Self.addTopUps(connection, tenantID: tenantID, subjects: &subjects, clock: clock)
                let usage = try Self.usage(connection, tenantID: tenantID, subjects: subjects, clock: clock)
                let recorded = try Self.recordedCrossings(connection, tenantID: tenantID, users: Array(subjects.keys), clock: clock)
                var rows: [(user: String, subject: QuotaSubject, level: QuotaLevel)] = []
                for (user, subject) in subjects.sorted(by: { $0.key < $1.key }) {
                    let status = QuotaMeter.status(subject.subject, usage: usage[user] ?? [])
                    for level in status.levels where level.isCrossed {
                        let key = CrossingKey(
                            user: user, version: subject.subject.versionID, index: level.index, periodKey: level.periodKey, epoch: level.epoch)
                        if recorded[key] == nil { rows.append((user, subject.subject, level)) }
                    }
                }
                if !rows.isEmpty {
                    let inserted = try Self.insertCrossings(connection, tenantID: tenantID, rows: rows)
                    round.crossings = inserted.map(\.crossing)
                    newCrossingIDs = inserted.map(\.crossing.id)
                    try Self.restrict(connection, tenantID: tenantID, inserted: inserted)
                    for crossing in inserted {
                        try WebhookOutbox.enqueue(
                            connection, tenantID: tenantID, event: .quotaCrossed,
                            data: Self.json([
                                "user": crossing.crossing.userName, "threshold": crossing.crossing.threshold,
                                "threshold_bytes": crossing.crossing.thresholdBytes, "used_bytes": crossing.crossing.usedBytes,
                                "action": crossing.crossing.action.rawValue, "period": crossing.period.rawValue,
                                "period_key": crossing.crossing.periodKey, "crossing_id": crossing.crossing.id,
                            ]))
                    }
                }
            }
            round.requests = try Self.requestsForRestricted(connection, tenantID: tenantID, users: users, claimant: claimant, lease: lease)
            if !newCrossingIDs.isEmpty {
                round.requests += try Self.requestsForDisconnects(
                    connection, tenantID: tenantID, crossingIDs: newCrossingIDs, claimant: claimant, lease: lease)
            }
            return round
        }
    }

    struct InsertedCrossing {
        var crossing: QuotaCrossing
        var period: QuotaPeriod
        var rate: String?
        var restoreRate: String?
        var fallback: QuotaAction?
    }

    static func insertCrossings(
        _ connection: PostgresConnection, tenantID: Int64,
        rows: [(user: String, subject: QuotaSubject, level: QuotaLevel)]
    ) throws -> [InsertedCrossing] {
        var users = ArrayParameter()
        var versions = ArrayParameter()
        var indexes = ArrayParameter()
        var periods = ArrayParameter()
        var keys = ArrayParameter()
        var epochs = ArrayParameter()
        var actions = ArrayParameter()
        var thresholds = ArrayParameter()
        var thresholdBytes = ArrayParameter()
        var used = ArrayParameter()
        var rates = ArrayParameter()
        var fallbacks = ArrayParameter()
        var restoreRates: [Int64: [Int: String?]] = [:]
        for row in rows {
            users.append(row.user)
            versions.append(row.subject.versionID)
            indexes.append(Int64(row.level.index))
            periods.append(row.level.policy.period.rawValue)
            keys.append(row.level.periodKey)
            epochs.append(Int64(row.level.epoch))
            actions.append(row.level.policy.action.rawValue)
            thresholds.append(row.level.policy.thresholdText)
            thresholdBytes.append(row.level.thresholdBytes)
            used.append(row.level.usedBytes)
            rates.append(row.level.policy.rate)
            fallbacks.append(row.level.policy.fallback?.rawValue)
            restoreRates[row.subject.versionID, default: [:]][row.level.index] = row.subject.terms.rate
        }
        let result = try connection.query(
            """
            INSERT INTO quota_crossings (tenant_id, user_name, plan_version_id, policy_index, period, period_key, epoch, action, threshold,
                                         threshold_bytes, used_bytes, rate, fallback)
            SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::integer[], $5::text[], $6::text[], $7::integer[], $8::text[], $9::text[],
                                     $10::bigint[], $11::bigint[], $12::text[], $13::text[])
            ON CONFLICT DO NOTHING
            RETURNING id, user_name, action, threshold, threshold_bytes, used_bytes, period_key, period, rate, fallback, plan_version_id, policy_index
            """,
            [
                String(tenantID), users.literal, versions.literal, indexes.literal, periods.literal, keys.literal, epochs.literal,
                actions.literal, thresholds.literal, thresholdBytes.literal, used.literal, rates.literal, fallbacks.literal,
            ])
        let c = try result.columns(
            "id", "user_name", "action", "threshold", "threshold_bytes", "used_bytes", "period_key", "period", "rate", "fallback",
            "plan_version_id", "policy_index")
        return (0..<result.rowCount).map { row in
            let version = result.int64(row: row, column: c[10])
            let index = Int(result.int64(row: row, column: c[11]))
            return InsertedCrossing(
                crossing: QuotaCrossing(
                    id: result.int64(row: row, column: c[0]), userName: result.value(row: row, column: c[1]) ?? "",
                    action: QuotaAction(rawValue: result.value(row: row, column: c[2]) ?? "") ?? .notify,
                    threshold: result.value(row: row, column: c[3]) ?? "", thresholdBytes: result.int64(row: row, column: c[4]),
                    usedBytes: result.int64(row: row, column: c[5]), periodKey: result.value(row: row, column: c[6]) ?? ""),
                period: QuotaPeriod(rawValue: result.value(row: row, column: c[7]) ?? "") ?? .cycle,
                rate: result.value(row: row, column: c[8]), restoreRate: restoreRates[version]?[index] ?? nil,
                fallback: result.value(row: row, column: c[9]).flatMap { QuotaAction(rawValue: $0) })
        }
    }

    /// Keeps the most severe new lasting restriction per subscriber and kind of period, unless
    /// the subscriber is already restricted at least as much for that period.
    static func restrict(_ connection: PostgresConnection, tenantID: Int64, inserted: [InsertedCrossing]) throws {
        struct StateKey: Hashable, Comparable {
            var user: String
            var period: String
            static func < (a: StateKey, b: StateKey) -> Bool { (a.user, a.period) < (b.user, b.period) }
        }
        var strongest: [StateKey: InsertedCrossing] = [:]
        for crossing in inserted where crossing.crossing.action.isLasting {
            let key = StateKey(user: crossing.crossing.userName, period: crossing.period.rawValue)
            if let current = strongest[key], current.crossing.action.severity >= crossing.crossing.action.severity { continue }
            strongest[key] = crossing
        }
        guard !strongest.isEmpty else { return }
        var users = ArrayParameter()
        var crossings = ArrayParameter()
        var actions = ArrayParameter()
        var rates = ArrayParameter()
        var restoreRates = ArrayParameter()
        var fallbacks = ArrayParameter()
        var periods = ArrayParameter()
        var keys = ArrayParameter()
        for (key, crossing) in strongest.sorted(by: { $0.key < $1.key }) {
            let user = key.user
            users.append(user)
            crossings.append(crossing.crossing.id)
            actions.append(crossing.crossing.action.rawValue)
            rates.append(crossing.rate)
            restoreRates.append(crossing.restoreRate)
            fallbacks.append(crossing.fallback?.rawValue)
            periods.append(crossing.period.rawValue)
            keys.append(crossing.crossing.periodKey)
        }
        try connection.query(
            """
            INSERT INTO quota_states AS s (tenant_id, user_name, crossing_id, action, rate, restore_rate, fallback, period, period_key)
            SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
            ON CONFLICT (tenant_id, user_name, period) DO UPDATE SET crossing_id = excluded.crossing_id, action = excluded.action, rate = excluded.rate,
                restore_rate = excluded.restore_rate, fallback = excluded.fallback, period_key = excluded.period_key, since = now()
            -- A block outranks a throttle of the same period; a new period's state replaces the
            -- past one's that the sweep has not lifted yet.
            WHERE (s.action = 'throttle' AND excluded.action = 'block') OR s.period_key <> excluded.period_key
            """,
            [
                String(tenantID), users.literal, crossings.literal, actions.literal, rates.literal, restoreRates.literal,
                fallbacks.literal, periods.literal, keys.literal,
            ])
    }

    /// Requests for every live session of a restricted subscriber among `users` that has not
    /// had its restriction yet (the strongest, when several periods restrict it): sessions
    /// open when it was decided, and sessions started since.
    static func requestsForRestricted(_ connection: PostgresConnection, tenantID: Int64, users: [String], claimant: UUID, lease: Int) throws
        -> [EnforcementRequest]
    {
        var names = ArrayParameter(reservingCapacity: users.count * 12)
        for user in users { names.append(user) }
        let result = try connection.query(
            """
            INSERT INTO enforcement_requests (tenant_id, user_name, crossing_id, session_id, nas_id, acct_session_id, framed_ip_address, action,
                                              reason, decision_key, rate, fallback, lease_until, claimed_by)
            SELECT st.tenant_id, st.user_name, st.crossing_id, se.id, se.nas_id, se.acct_session_id, se.framed_ip_address, st.action,
                   CASE WHEN se.first_received_at > st.since THEN 'reconnect' ELSE 'crossing' END, 'c' || st.crossing_id, st.rate, st.fallback,
                   now() + make_interval(secs => $3), $4::uuid
            FROM (SELECT DISTINCT ON (user_name) * FROM quota_states
                  WHERE tenant_id = $1 AND user_name = ANY($2::text[])
                  ORDER BY user_name, CASE action WHEN 'block' THEN 2 ELSE 1 END DESC, since DESC, crossing_id DESC) st
            JOIN sessions se ON se.tenant_id = st.tenant_id AND se.user_name = st.user_name AND se.stopped_at IS NULL
            WHERE NOT EXISTS (SELECT 1 FROM enforcement_requests r
                              WHERE r.tenant_id = se.tenant_id AND r.session_id = se.id AND r.decision_key = 'c' || st.crossing_id)
            ORDER BY se.id
            ON CONFLICT (tenant_id, session_id, decision_key) DO NOTHING
            RETURNING \(requestColumns)
            """, [String(tenantID), names.literal, String(lease), claimant.uuidString])
        return try requests(result)
    }

    static func requestsForDisconnects(_ connection: PostgresConnection, tenantID: Int64, crossingIDs: [Int64], claimant: UUID, lease: Int) throws
        -> [EnforcementRequest]
    {
        var ids = ArrayParameter()
        for id in crossingIDs { ids.append(id) }
        let result = try connection.query(
            """
            INSERT INTO enforcement_requests (tenant_id, user_name, crossing_id, session_id, nas_id, acct_session_id, framed_ip_address, action,
                                              reason, decision_key, lease_until, claimed_by)
            SELECT c.tenant_id, c.user_name, c.id, se.id, se.nas_id, se.acct_session_id, se.framed_ip_address, 'disconnect', 'crossing', 'c' || c.id,
                   now() + make_interval(secs => $3), $4::uuid
            FROM quota_crossings c
            JOIN sessions se ON se.tenant_id = c.tenant_id AND se.user_name = c.user_name AND se.stopped_at IS NULL
            WHERE c.tenant_id = $1 AND c.id = ANY($2::bigint[]) AND c.action = 'disconnect'
            ORDER BY se.id
            ON CONFLICT (tenant_id, session_id, decision_key) DO NOTHING
            RETURNING \(requestColumns)
            """, [String(tenantID), ids.literal, String(lease), claimant.uuidString])
        return try requests(result)
    }

    /// Lifts restrictions of `users` (those of `periods`, or only those from `crossingIDs`):
    /// each live session gets a restore to the plan's rate, or the strongest restriction left
    /// from another period. Requests of the lifted restrictions not answered yet are dropped
    /// (recorded as failed), so none lands after the lift. Unclaimed unless `claimant`.
    static func lift(
        _ connection: PostgresConnection, tenantID: Int64, users: [String], crossingIDs: [Int64]?, periods: [QuotaPeriod]? = nil,
        reason: String, claimant: UUID?, lease: Int
    ) throws -> [EnforcementRequest] {
        var names = ArrayParameter()
        for user in users { names.append(user) }
        var ids = ArrayParameter()
        for id in crossingIDs ?? [] { ids.append(id) }
        var kinds = ArrayParameter()
        for period in periods ?? [] { kinds.append(period.rawValue) }
        let result = try connection.query(
            """
            WITH lifted AS (
                DELETE FROM quota_states WHERE tenant_id = $1 AND user_name = ANY($2::text[])
                    AND ($3::bigint[] IS NULL OR crossing_id = ANY($3::bigint[])) AND ($7::text[] IS NULL OR period = ANY($7::text[]))
                RETURNING tenant_id, user_name, crossing_id, restore_rate),
            dropped AS (
                UPDATE enforcement_requests SET status = 'failed', detail = 'lifted before it was answered', completed_at = now(), lease_until = NULL
                WHERE tenant_id = $1 AND crossing_id IN (SELECT crossing_id FROM lifted) AND status = 'pending' AND action IN ('throttle', 'block')
                RETURNING 1),
            targets AS (
                SELECT tenant_id, user_name, max(crossing_id) AS lifted_id, max(restore_rate) AS restore_rate FROM lifted GROUP BY tenant_id, user_name),
            remaining AS (
                -- The statement sees the states as they were: the lifted rows are left out by id.
                SELECT DISTINCT ON (user_name) user_name, crossing_id, action, rate, fallback FROM quota_states
                WHERE tenant_id = $1 AND user_name IN (SELECT user_name FROM targets) AND crossing_id NOT IN (SELECT crossing_id FROM lifted)
                ORDER BY user_name, CASE action WHEN 'block' THEN 2 ELSE 1 END DESC, since DESC, crossing_id DESC)
            INSERT INTO enforcement_requests (tenant_id, user_name, crossing_id, session_id, nas_id, acct_session_id, framed_ip_address, action,
                                              reason, decision_key, rate, fallback, lease_until, claimed_by)
            SELECT t.tenant_id, t.user_name, coalesce(r.crossing_id, t.lifted_id), se.id, se.nas_id, se.acct_session_id, se.framed_ip_address,
                   coalesce(r.action, 'restore'), $4,
                   CASE WHEN r.crossing_id IS NULL THEN 'r' || t.lifted_id ELSE 'c' || r.crossing_id || 'r' || t.lifted_id END,
                   CASE WHEN r.crossing_id IS NULL THEN t.restore_rate ELSE r.rate END, r.fallback,
                   CASE WHEN $5::uuid IS NULL THEN NULL ELSE now() + make_interval(secs => $6) END, $5::uuid
            FROM targets t
            LEFT JOIN remaining r ON r.user_name = t.user_name
            JOIN sessions se ON se.tenant_id = t.tenant_id AND se.user_name = t.user_name AND se.stopped_at IS NULL
            ORDER BY se.id
            ON CONFLICT (tenant_id, session_id, decision_key) DO NOTHING
            RETURNING \(requestColumns)
            """,
            [
                String(tenantID), names.literal, crossingIDs == nil ? nil : ids.literal, reason, claimant?.uuidString, String(lease),
                periods == nil ? nil : kinds.literal,
            ])
        return try requests(result)
    }

    // MARK: - Sending and outcomes (any collector)

    /// Claims requests nobody is sending: recorded without a claim (a top-up's restores) or
    /// whose claim ran out (the collector that decided them stopped). Across tenants.
    public func claimPending(claimant: UUID, lease: Int = 120, limit: Int = 500) throws -> [EnforcementRequest] {
        let result = try connection.query(
            """
            UPDATE enforcement_requests r SET lease_until = now() + make_interval(secs => $1), claimed_by = $2::uuid
            FROM (SELECT tenant_id, id FROM enforcement_requests
                  -- Never its own: a request this collector still holds (queued in its client) would go twice.
                  WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < now()) AND claimed_by IS DISTINCT FROM $2::uuid
                  ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) c
            WHERE r.tenant_id = c.tenant_id AND r.id = c.id
            RETURNING \(Self.columns(alias: "r."))
            """, [String(lease), claimant.uuidString, String(limit)])
        return try Self.requests(result).sorted { $0.id < $1.id }
    }

    /// A request's outcome, for `complete`.
    public struct Outcome: Sendable {
        public var request: EnforcementRequest
        public var status: EnforcementStatus
        public var attempts: Int
        public var errorCause: UInt32?
        public var detail: String?

        public init(request: EnforcementRequest, status: EnforcementStatus, attempts: Int, errorCause: UInt32?, detail: String?) {
            self.request = request
            self.status = status
            self.attempts = attempts
            self.errorCause = errorCause
            self.detail = detail
        }
    }

    /// Records a request's outcome (unless another collector already did), the webhook event
    /// it raises, and the fallback request it needs: claimed by `claimant`, for the caller to send.
    public func complete(
        _ request: EnforcementRequest, status: EnforcementStatus, attempts: Int, errorCause: UInt32?, detail: String?,
        claimant: UUID, lease: Int = 120
    ) throws -> EnforcementRequest? {
        try complete(
            [Outcome(request: request, status: status, attempts: attempts, errorCause: errorCause, detail: detail)],
            claimant: claimant, lease: lease
        ).first
    }

    /// Records outcomes, one transaction per tenant: each request's outcome once (a request
    /// another collector already completed is left as it is), the webhook events, and the
    /// fallbacks, which come back claimed by `claimant` for the caller to send.
    public func complete(_ outcomes: [Outcome], claimant: UUID, lease: Int = 120) throws -> [EnforcementRequest] {
        var fallbacks: [EnforcementRequest] = []
        for (tenantID, group) in Dictionary(grouping: outcomes, by: \.request.tenantID).sorted(by: { $0.key < $1.key }) {
            fallbacks += try connection.tenantTransaction(tenantID) { connection in
                var ids = ArrayParameter()
                var statuses = ArrayParameter()
                var attempts = ArrayParameter()
                var causes = ArrayParameter()
                var details = ArrayParameter()
                for outcome in group {
                    ids.append(outcome.request.id)
                    statuses.append(outcome.status.rawValue)
                    attempts.append(Int64(outcome.attempts))
                    causes.append(outcome.errorCause.map { Int64($0) })
                    details.append(outcome.detail.map { String($0.prefix(500)) })
                }
                let updated = try connection.query(
                    """
                    UPDATE enforcement_requests r SET status = u.status, attempts = u.attempts, error_cause = u.error_cause, detail = u.detail,
                           completed_at = now(), lease_until = NULL
                    FROM unnest($2::bigint[], $3::text[], $4::integer[], $5::bigint[], $6::text[]) AS u(id, status, attempts, error_cause, detail)
                    WHERE r.tenant_id = $1 AND r.id = u.id AND r.status = 'pending'
                    RETURNING r.id
                    """, [String(tenantID), ids.literal, statuses.literal, attempts.literal, causes.literal, details.literal])
                let recorded = Set((0..<updated.rowCount).map { updated.int64(row: $0, column: 0) })
                var fallbacks: [EnforcementRequest] = []
                for outcome in group where recorded.contains(outcome.request.id) {
                    let request = outcome.request
                    var event: [String: Any] = [
                        "request_id": request.id, "user": request.userName, "action": request.action, "reason": request.reason,
                        "acct_session_id": request.acctSessionID, "nas_id": request.nasID, "attempts": outcome.attempts,
                        "status": outcome.status.rawValue,
                    ]
                    if let errorCause = outcome.errorCause { event["error_cause"] = Int(errorCause) }
                    if let detail = outcome.detail { event["detail"] = detail }
                    if let crossing = request.crossingID { event["crossing_id"] = crossing }
                    try WebhookOutbox.enqueue(
                        connection, tenantID: tenantID, event: outcome.status == .acked ? .enforcementAcked : .enforcementFailed,
                        data: Self.json(event))
                    guard outcome.status != .acked, let fallback = request.fallback else { continue }
                    if fallback == "block", let crossing = request.crossingID {
                        // Sessions that start later get the block, not the throttle the NAS refused.
                        try connection.query(
                            """
                            UPDATE quota_states SET action = 'block', rate = NULL, fallback = NULL
                            WHERE tenant_id = $1 AND user_name = $2 AND crossing_id = $3 AND action = 'throttle'
                            """, [String(tenantID), request.userName, String(crossing)])
                    }
                    let result = try connection.query(
                        """
                        INSERT INTO enforcement_requests (tenant_id, user_name, crossing_id, session_id, nas_id, acct_session_id, framed_ip_address, action,
                                                          reason, decision_key, lease_until, claimed_by)
                        SELECT tenant_id, user_name, crossing_id, session_id, nas_id, acct_session_id, framed_ip_address, $3, 'fallback', 'f' || id,
                               now() + make_interval(secs => $4), $5::uuid
                        FROM enforcement_requests WHERE tenant_id = $1 AND id = $2
                        ON CONFLICT (tenant_id, session_id, decision_key) DO NOTHING
                        RETURNING \(Self.requestColumns)
                        """, [String(tenantID), String(request.id), fallback, String(lease), claimant.uuidString])
                    fallbacks += try Self.requests(result)
                }
                return fallbacks
            }
        }
        return fallbacks
    }

    /// Lifts restrictions whose period ended (the next cycle, day or week began in the
    /// tenant's zone), across tenants; the restores come back claimed by `claimant`.
    public func liftExpired(now: Int64, claimant: UUID, lease: Int = 120) throws -> [EnforcementRequest] {
        let result = try connection.query(
            """
            SELECT s.tenant_id, s.user_name, s.crossing_id, s.period, s.period_key, t.time_zone, t.billing_day
            FROM quota_states s JOIN tenants t ON t.id = s.tenant_id ORDER BY s.tenant_id, s.user_name
            """)
        let c = try result.columns("tenant_id", "user_name", "crossing_id", "period", "period_key", "time_zone", "billing_day")
        var expired: [Int64: [(user: String, crossing: Int64)]] = [:]
        // Today once per time zone, not once per restricted subscriber.
        var todays: [String: CivilDate?] = [:]
        for row in 0..<result.rowCount {
            guard let zone = result.value(row: row, column: c[5]),
                let today = todays[zone]
                    ?? {
                        let date = LocalTime.date(utc: now, zone: zone)
                        todays[zone] = date
                        return date
                    }(),
                let billingDay = Int(result.value(row: row, column: c[6]) ?? "")
            else { continue }
            let current: String
            switch QuotaPeriod(rawValue: result.value(row: row, column: c[3]) ?? "") ?? .cycle {
            case .cycle: current = BillingPeriod.containing(today, billingDay: billingDay).description
            case .day: current = today.description
            case .week: current = QuotaMeter.isoWeek(today)
            }
            if result.value(row: row, column: c[4]) != current {
                expired[result.int64(row: row, column: c[0]), default: []].append(
                    (result.value(row: row, column: c[1]) ?? "", result.int64(row: row, column: c[2])))
            }
        }
        var restores: [EnforcementRequest] = []
        for (tenantID, states) in expired.sorted(by: { $0.key < $1.key }) {
            restores += try connection.tenantTransaction(tenantID) { connection in
                try Self.lift(
                    connection, tenantID: tenantID, users: states.map(\.user), crossingIDs: states.map(\.crossing), reason: "new-period",
                    claimant: claimant, lease: lease)
            }
        }
        return restores
    }

    // MARK: - Billing staff (API, CLI)

    /// Grants `bytes` of extra allowance for the current cycle and lifts the subscriber's
    /// throttle or block of the cycle (restores are recorded for the enforcer to send).
    /// `audit` is recorded in the same transaction.
    public func addTopUp(
        tenant: Tenant, user: String, bytes: Int64, note: String?, now: Int64,
        audit: AuditRecord? = nil
    ) throws -> (topUp: TopUpRecord, restores: Int) {
        guard bytes > 0, bytes <= 1_000_000_000_000_000_000 else { throw StoreError(.invalid, "a top-up must be 1 byte to 10^18 bytes") }
        if let note, note.count > 500 || note.contains("\0") { throw StoreError(.invalid, "note must be at most 500 characters") }
        return try connection.tenantTransaction(tenant.id) { connection in
            _ = try PlanStore.requireSubscriber(connection, tenant: tenant, user: user, lock: true)
            let clock = try Self.clock(connection, tenantID: tenant.id, now: now)
            let result = try connection.query(
                """
                INSERT INTO top_ups (tenant_id, user_name, period, bytes, note) VALUES ($1, $2, $3, $4, $5)
                RETURNING id, user_name, period, bytes, note, \(Self.utc("created_at")) AS created_at
                """, [String(tenant.id), user, clock.cycle.description, String(bytes), note])
            // Top-ups add to the cycle's allowance: day and week restrictions stay.
            let restores = try Self.lift(
                connection, tenantID: tenant.id, users: [user], crossingIDs: nil, periods: [.cycle], reason: "top-up",
                claimant: nil, lease: 0)
            try AuditLog(connection: connection).record(audit, tenant: tenant)
            return (try Self.topUps(result).first!, restores.count)
        }
    }

    /// The subscriber's top-ups of the current cycle.
    public func topUps(tenant: Tenant, user: String, now: Int64) throws -> [TopUpRecord] {
        try connection.tenantTransaction(tenant.id) { connection in
            _ = try PlanStore.requireSubscriber(connection, tenant: tenant, user: user, lock: false)
            return try Self.topUps(
                connection, tenantID: tenant.id, user: user, period: try Self.clock(connection, tenantID: tenant.id, now: now).cycle)
        }
    }

    static func topUps(_ connection: PostgresConnection, tenantID: Int64, user: String, period: BillingPeriod) throws -> [TopUpRecord] {
        try topUps(
            try connection.query(
                """
                SELECT id, user_name, period, bytes, note, \(utc("created_at")) AS created_at
                FROM top_ups WHERE tenant_id = $1 AND user_name = $2 AND period = $3 ORDER BY id
                """, [String(tenantID), user, period.description]))
    }

    /// Rows of `id`, `user_name`, `period`, `bytes`, `note` and `created_at` as top-ups.
    static func topUps(_ result: PostgresResult) throws -> [TopUpRecord] {
        let c = try result.columns("id", "user_name", "period", "bytes", "note", "created_at")
        return (0..<result.rowCount).map { row in
            TopUpRecord(
                id: result.int64(row: row, column: c[0]), userName: result.value(row: row, column: c[1]) ?? "",
                period: result.value(row: row, column: c[2]) ?? "", bytes: result.int64(row: row, column: c[3]),
                note: result.value(row: row, column: c[4]), createdAt: result.value(row: row, column: c[5]) ?? "")
        }
    }

    /// The subscriber's quota for the current cycle.
    public func quota(tenant: Tenant, user: String, now: Int64) throws -> QuotaView {
        try connection.tenantTransaction(tenant.id, repeatableRead: true) { connection in
            _ = try PlanStore.requireSubscriber(connection, tenant: tenant, user: user, lock: false)
            let clock = try Self.clock(connection, tenantID: tenant.id, now: now)
            var subjects = try Self.subjects(connection, tenantID: tenant.id, users: [user], clock: clock, all: true, cache: TermsCache())
            try Self.addTopUps(connection, tenantID: tenant.id, subjects: &subjects, clock: clock)
            let topUps = try Self.topUps(connection, tenantID: tenant.id, user: user, period: clock.cycle)
            let stateRows = try connection.query(
                """
                SELECT action, rate, period, period_key, \(Self.utc("since")) AS since_text
                FROM quota_states WHERE tenant_id = $1 AND user_name = $2
                ORDER BY CASE action WHEN 'block' THEN 2 ELSE 1 END DESC, since DESC LIMIT 1
                """, [String(tenant.id), user])
            let s = try stateRows.columns("action", "rate", "period", "period_key", "since_text")
            let state =
                stateRows.rowCount == 0
                ? nil
                : QuotaStateView(
                    action: stateRows.value(row: 0, column: s[0]) ?? "", rate: stateRows.value(row: 0, column: s[1]),
                    period: stateRows.value(row: 0, column: s[2]) ?? "",
                    periodKey: stateRows.value(row: 0, column: s[3]) ?? "", since: stateRows.value(row: 0, column: s[4]) ?? "")
            guard let subject = subjects[user] else {
                return QuotaView(
                    userName: user, plan: nil, planVersionID: nil, cycle: clock.cycle.description, segmentFirst: nil, segmentEnd: nil,
                    allowanceBytes: 0, usedBytes: 0, levels: [], state: state, topUps: topUps)
            }
            let usage = try Self.usage(connection, tenantID: tenant.id, subjects: subjects, clock: clock)
            let recorded = try Self.recordedCrossings(connection, tenantID: tenant.id, users: [user], clock: clock)
            let status = QuotaMeter.status(subject.subject, usage: usage[user] ?? [])
            let levels = status.levels.map { level in
                QuotaLevelView(
                    level: level,
                    crossedAt: recorded[
                        CrossingKey(
                            user: user, version: subject.subject.versionID, index: level.index,
                            periodKey: level.periodKey, epoch: level.epoch)])
            }
            return QuotaView(
                userName: user, plan: subject.planName, planVersionID: subject.subject.versionID, cycle: clock.cycle.description,
                segmentFirst: subject.subject.segmentFirst, segmentEnd: subject.subject.segmentEnd,
                allowanceBytes: status.allowanceBytes, usedBytes: status.usedBytes, levels: levels, state: state, topUps: topUps)
        }
    }

    /// The enforcement log, newest first, optionally of one subscriber or status.
    public func enforcementPage(tenant: Tenant, user: String? = nil, status: EnforcementStatus? = nil, after: [String]?, limit: Int) throws
        -> KeysetPage<EnforcementRecord>
    {
        let afterID = after?.first.flatMap { Int64($0) }
        let records = try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query(
                """
                SELECT \(Self.columns(alias: "r.")),
                       n.name, r.status, r.attempts, r.error_cause, r.detail,
                       \(Self.utc("r.decided_at")) AS decided_at,
                       \(Self.utc("r.completed_at")) AS completed_at
                FROM enforcement_requests r LEFT JOIN nas_devices n ON n.tenant_id = r.tenant_id AND n.id = r.nas_id
                WHERE r.tenant_id = $1 AND ($2::text IS NULL OR r.user_name = $2) AND ($3::text IS NULL OR r.status = $3)
                  AND ($4::bigint IS NULL OR r.id < $4)
                ORDER BY r.id DESC LIMIT $5
                """, [String(tenant.id), user, status?.rawValue, afterID.map { String($0) }, String(limit + 1)])
            let requests = try Self.requests(result)
            let c = try result.columns("name", "status", "attempts", "error_cause", "detail", "decided_at", "completed_at")
            return requests.enumerated().map { row, request in
                EnforcementRecord(
                    request: request, nasName: result.value(row: row, column: c[0]),
                    status: EnforcementStatus(rawValue: result.value(row: row, column: c[1]) ?? "") ?? .pending,
                    attempts: Int(result.int64(row: row, column: c[2])), errorCause: result.value(row: row, column: c[3]).flatMap { Int64($0) },
                    detail: result.value(row: row, column: c[4]), decidedAt: result.value(row: row, column: c[5]) ?? "",
                    completedAt: result.value(row: row, column: c[6]))
            }
        }
        return KeysetPage(fetched: records, limit: limit) { [String($0.request.id)] }
    }

    /// A timestamp column as ISO 8601 UTC text with milliseconds, the form the API shows.
    static func utc(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
    }
}
