import Accounting
import Rating

extension QuotaStore {
    /// The quota of each of `users` for the cycle `period` (nil: the current one), computed
    /// as `quota(tenant:user:now:)` computes one subscriber's, in one tenant transaction and
    /// a fixed number of statements whatever the number of users. A past cycle is measured
    /// as of its last day.
    public func summaries(tenant: Tenant, users: [String], period: BillingPeriod? = nil, now: Int64) throws -> [String: QuotaSummary] {
        guard !users.isEmpty else { return [:] }
        return try connection.tenantTransaction(tenant.id, repeatableRead: true) { connection in
            var clock = try Self.clock(connection, tenantID: tenant.id, now: now)
            if let period, period != clock.cycle {
                clock.cycle = period
                clock.today = min(clock.today, period.end.adding(days: -1))
            }
            var subjects = try Self.subjects(connection, tenantID: tenant.id, users: users, clock: clock, all: true, cache: TermsCache())
            try Self.addTopUps(connection, tenantID: tenant.id, subjects: &subjects, clock: clock)
            let usage = try Self.usage(connection, tenantID: tenant.id, subjects: subjects, clock: clock)
            var names = ArrayParameter(reservingCapacity: users.count * 12)
            for user in users { names.append(user) }
            let states = try connection.query(
                """
                SELECT DISTINCT ON (user_name) user_name, action FROM quota_states
                WHERE tenant_id = $1 AND user_name = ANY($2::text[])
                ORDER BY user_name, CASE action WHEN 'block' THEN 2 ELSE 1 END DESC, since DESC
                """, [String(tenant.id), names.literal])
            let s = try states.columns("user_name", "action")
            var stateByUser: [String: String] = [:]
            for row in 0..<states.rowCount {
                guard let user = states.value(row: row, column: s[0]) else { continue }
                stateByUser[user] = states.value(row: row, column: s[1]) == "block" ? "blocked" : "throttled"
            }
            var summaries: [String: QuotaSummary] = [:]
            for user in users {
                guard let subject = subjects[user] else {
                    summaries[user] = QuotaSummary(
                        userName: user, plan: nil, planVersionID: nil, allowanceBytes: 0, usedBytes: 0, state: stateByUser[user])
                    continue
                }
                let status = QuotaMeter.status(subject.subject, usage: usage[user] ?? [])
                summaries[user] = QuotaSummary(
                    userName: user, plan: subject.planName, planVersionID: subject.subject.versionID,
                    allowanceBytes: status.allowanceBytes, usedBytes: status.usedBytes, state: stateByUser[user],
                    windows: subject.subject.terms.windows)
            }
            return summaries
        }
    }
}
