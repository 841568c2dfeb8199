import Accounting
import Foundation
import Rating
import Storage
import Synchronization
import TestSupport
import Testing

@Suite("Quota crossings, restrictions, top-ups and enforcement requests in PostgreSQL", .enabled(if: TestDatabase.available))
struct QuotaStoreTests {
    /// 30 GB a month; notify at 80 %, throttle at 100 % (falling back to disconnect), plan rate 100M/100M.
    static let fairUsage = PlanTerms(
        currency: "EUR", unit: .GB, included: 30, rate: "100M/100M",
        quotas: [
            QuotaPolicy(threshold: .percent(80), action: .notify),
            QuotaPolicy(threshold: .percent(100), action: .throttle, rate: "1M/1M", fallback: .disconnect),
        ])
    /// 2026-11-20 12:00 UTC: cycle 2026-11 of a tenant whose billing day is the 1st.
    static let now: Int64 = 1_795_176_000

    struct Fixture {
        let url: String
        let connection: PostgresConnection
        let tenant: Tenant
        let store: QuotaStore
        let cache = QuotaStore.TermsCache()
        let me = UUID()

        func use(_ user: String, gigabytes: Int64, at utc: Int64 = QuotaStoreTests.now - 3600) throws {
            try connection.query(
                """
                INSERT INTO usage_hourly (tenant_id, subscriber, hour, download_bytes) VALUES ($1, $2, to_timestamp($3), $4)
                ON CONFLICT (tenant_id, subscriber, hour) DO UPDATE SET download_bytes = usage_hourly.download_bytes + EXCLUDED.download_bytes
                """, [String(tenant.id), user, String(utc / 3600 * 3600), String(gigabytes * 1_000_000_000)])
        }

        /// Opens a session (or a stopped one) and returns its id.
        @discardableResult
        func session(_ user: String, _ acctSessionID: String, stopped: Bool = false, receivedAt: Int64 = QuotaStoreTests.now - 7200) throws -> Int64 {
            try connection.query(
                """
                INSERT INTO sessions (tenant_id, nas_id, acct_session_id, user_name, nas_port, framed_ip_address, stopped_at, first_received_at)
                VALUES ($1, 7, $2, $3, '1', '10.0.0.9', CASE WHEN $4 THEN now() END, to_timestamp($5)) RETURNING id
                """, [String(tenant.id), acctSessionID, user, stopped ? "true" : "false", String(receivedAt)]
            ).int64(row: 0, column: 0)
        }

        func enforce(_ users: [String], now: Int64 = QuotaStoreTests.now) throws -> EnforcementRound {
            try store.enforce(tenantID: tenant.id, users: users, now: now, claimant: me, cache: cache)
        }
    }

    func fixture(_ given: (url: String, connection: PostgresConnection)? = nil, slug: String = "acme") throws -> Fixture {
        let (url, connection) = try given ?? TestDatabase.fresh()
        let tenant = try TenantStore(connection: connection).create(slug: slug, name: slug, currency: "EUR", timeZone: "Europe/Vienna")
        let plans = PlanStore(connection: connection)
        _ = try plans.createPlan(tenant: tenant, name: "Fair", terms: Self.fairUsage, effectiveFrom: nil)
        _ = try plans.addSubscriber(tenant: tenant, user: "alice", plan: "Fair", from: CivilDate("2026-11-01")!)
        return Fixture(url: url, connection: connection, tenant: tenant, store: QuotaStore(connection: connection))
    }

    @Test("each threshold is recorded once; a throttle goes to every live session, once")
    func crossingsOnce() throws {
        let f = try fixture()
        let first = try f.session("alice", "s1")
        let second = try f.session("alice", "s2")
        try f.session("alice", "s0", stopped: true)
        try f.use("alice", gigabytes: 25)
        var round = try f.enforce(["alice", "nobody"])
        #expect(round.evaluated == 1)
        #expect(round.crossings.map(\.action) == [.notify])
        #expect(round.crossings.first?.thresholdBytes == 24_000_000_000 && round.crossings.first?.usedBytes == 25_000_000_000)
        #expect(round.requests.isEmpty)
        #expect(try f.enforce(["alice"]).crossings.isEmpty)

        try f.use("alice", gigabytes: 6)
        round = try f.enforce(["alice"])
        #expect(round.crossings.map(\.action) == [.throttle])
        #expect(round.requests.map(\.sessionID) == [first, second])
        #expect(round.requests.allSatisfy { $0.action == "throttle" && $0.rate == "1M/1M" && $0.fallback == "disconnect" && $0.reason == "crossing" })
        #expect(round.requests.map(\.acctSessionID) == ["s1", "s2"])
        #expect(round.requests.first?.framedIPAddress == "10.0.0.9")
        let again = try f.enforce(["alice"])
        #expect(again.crossings.isEmpty && again.requests.isEmpty)
        // Claimed by the round: nobody else takes them while the lease runs.
        #expect(try f.store.claimPending(claimant: UUID()).isEmpty)

        // A session that starts while throttled gets the throttle right away.
        let third = try f.session("alice", "s3", receivedAt: Int64(Date().timeIntervalSince1970) + 60)
        let reconnect = try f.enforce(["alice"])
        #expect(reconnect.requests.map(\.sessionID) == [third])
        #expect(reconnect.requests.first?.reason == "reconnect")
        #expect(try f.connection.query("SELECT count(*) FROM quota_crossings").int64(row: 0, column: 0) == 2)
    }

    @Test("a NAK falls back once; outcomes are recorded once; a late outcome changes nothing")
    func outcomesAndFallback() throws {
        let f = try fixture()
        try f.session("alice", "s1")
        try f.use("alice", gigabytes: 31)
        let round = try f.enforce(["alice"])
        let throttle = try #require(round.requests.first { $0.action == "throttle" })
        let fallback = try #require(
            try f.store.complete(throttle, status: .naked, attempts: 1, errorCause: 503, detail: "Session-Context-Not-Found", claimant: f.me))
        #expect(
            fallback.action == "disconnect" && fallback.reason == "fallback" && fallback.sessionID == throttle.sessionID && fallback.fallback == nil)
        #expect(try f.store.complete(throttle, status: .acked, attempts: 2, errorCause: nil, detail: nil, claimant: f.me) == nil)
        #expect(try f.store.complete(fallback, status: .acked, attempts: 1, errorCause: nil, detail: nil, claimant: f.me) == nil)
        let log = try f.store.enforcementPage(tenant: f.tenant, after: nil, limit: 10).rows
        #expect(log.map(\.request.action) == ["disconnect", "throttle"])
        #expect(log.map(\.status) == [.acked, .naked])
        #expect(log.last?.errorCause == 503 && log.last?.detail == "Session-Context-Not-Found" && log.last?.attempts == 1)
    }

    @Test("a top-up lifts the throttle with restores to the plan's rate, moves the thresholds, and may be crossed again")
    func topUp() throws {
        let f = try fixture()
        let live = try f.session("alice", "s1")
        try f.use("alice", gigabytes: 31)
        _ = try f.enforce(["alice"])
        let (topUp, restores) = try f.store.addTopUp(tenant: f.tenant, user: "alice", bytes: 10_000_000_000, note: "goodwill", now: Self.now)
        #expect(topUp.period == "2026-11" && topUp.bytes == 10_000_000_000 && restores == 1)
        let claimed = try f.store.claimPending(claimant: f.me)
        #expect(claimed.map(\.sessionID) == [live])
        #expect(claimed.first?.action == "restore" && claimed.first?.rate == "100M/100M" && claimed.first?.reason == "top-up")
        #expect(try f.store.claimPending(claimant: UUID()).isEmpty)

        var view = try f.store.quota(tenant: f.tenant, user: "alice", now: Self.now)
        #expect(view.allowanceBytes == 40_000_000_000 && view.usedBytes == 31_000_000_000 && view.state == nil)
        #expect(view.levels.map(\.level.thresholdBytes) == [32_000_000_000, 40_000_000_000])
        #expect(view.levels.map(\.crossedAt) == [nil, nil])
        #expect(try f.enforce(["alice"]).crossings.isEmpty)
        try f.use("alice", gigabytes: 10)
        #expect(try f.enforce(["alice"]).crossings.map(\.action) == [.notify, .throttle])
        view = try f.store.quota(tenant: f.tenant, user: "alice", now: Self.now)
        #expect(view.state?.action == "throttle" && view.levels.allSatisfy { $0.crossedAt != nil })
        #expect(view.topUps.map(\.note) == ["goodwill"])
        #expect(throws: StoreError.self) { try f.store.addTopUp(tenant: f.tenant, user: "mallory", bytes: 1, note: nil, now: Self.now) }
        #expect(throws: StoreError.self) { try f.store.addTopUp(tenant: f.tenant, user: "alice", bytes: 0, note: nil, now: Self.now) }
    }

    @Test("the next cycle lifts the restriction; the sweep restores once")
    func newCycle() throws {
        let f = try fixture()
        try f.session("alice", "s1")
        try f.use("alice", gigabytes: 31)
        _ = try f.enforce(["alice"])
        #expect(try f.store.liftExpired(now: Self.now, claimant: f.me).isEmpty)
        let december: Int64 = 1_796_083_200 // 2026-12-01 00:00 UTC is 01:00 in Vienna
        let restores = try f.store.liftExpired(now: december, claimant: f.me)
        #expect(restores.map(\.action) == ["restore"] && restores.first?.reason == "new-period" && restores.first?.rate == "100M/100M")
        #expect(try f.store.liftExpired(now: december, claimant: f.me).isEmpty)
        // December's usage is not November's: nothing crosses again.
        #expect(try f.enforce(["alice"], now: december).crossings.isEmpty)
    }

    @Test("a day's throttle ends at midnight without ending the cycle's; a top-up lifts only the cycle's; a lift drops unanswered requests")
    func periodsKeepTheirOwnState() throws {
        let f = try fixture()
        // 2 GB a day throttles at 512k; the cycle's 100 % throttles at 1M/1M.
        let terms = PlanTerms(
            currency: "EUR", unit: .GB, included: 30, rate: "100M/100M",
            quotas: [
                QuotaPolicy(threshold: .bytes(2_000_000_000), action: .throttle, rate: "512k/512k", period: .day),
                QuotaPolicy(threshold: .percent(100), action: .throttle, rate: "1M/1M"),
            ])
        _ = try PlanStore(connection: f.connection).createPlan(tenant: f.tenant, name: "Daily", terms: terms, effectiveFrom: nil)
        _ = try PlanStore(connection: f.connection).addSubscriber(tenant: f.tenant, user: "bob", plan: "Daily", from: CivilDate("2026-11-01")!)
        let live = try f.session("bob", "b1")
        try f.use("bob", gigabytes: 3)
        let day = try f.enforce(["bob"])
        #expect(day.requests.map(\.rate) == ["512k/512k"])
        // Unanswered when the day ends: dropped by the lift, never sent afterwards.
        try f.use("bob", gigabytes: 28)
        let cycle = try f.enforce(["bob"])
        #expect(cycle.crossings.map(\.action) == [.throttle] && cycle.requests.map(\.rate) == ["1M/1M"])
        let nextDay = Self.now + 86_400
        let lifted = try f.store.liftExpired(now: nextDay, claimant: f.me)
        // The day's throttle is gone; the cycle's is what the session gets again, not the plan's rate.
        #expect(lifted.map(\.action) == ["throttle"] && lifted.map(\.rate) == ["1M/1M"] && lifted.map(\.sessionID) == [live])
        #expect(lifted.first?.reason == "new-period")
        let statuses = try f.connection.query("SELECT rate, status FROM enforcement_requests WHERE user_name = 'bob' ORDER BY id").rows
        #expect(statuses == [["512k/512k", "failed"], ["1M/1M", "pending"], ["1M/1M", "pending"]])
        // A top-up lifts the cycle's throttle: now the plan's rate.
        _ = try f.store.addTopUp(tenant: f.tenant, user: "bob", bytes: 10_000_000_000, note: nil, now: nextDay)
        let restores = try f.store.claimPending(claimant: UUID())
        #expect(restores.filter { $0.action == "restore" }.map(\.rate) == ["100M/100M"])
        #expect(try f.connection.query("SELECT count(*) FROM quota_states WHERE user_name = 'bob'").int64(row: 0, column: 0) == 0)
    }

    @Test("tenant A's policies never act on tenant B's sessions of the same User-Name")
    func isolation() throws {
        let a = try fixture(slug: "tenant-a")
        let b = try fixture((a.url, a.connection), slug: "tenant-b")
        let aSession = try a.session("alice", "same-id")
        try b.session("alice", "same-id")
        try a.use("alice", gigabytes: 31)
        let round = try a.enforce(["alice"])
        #expect(round.requests.map(\.sessionID) == [aSession])
        #expect(round.requests.allSatisfy { $0.tenantID == a.tenant.id })
        #expect(try b.enforce(["alice"]).crossings.isEmpty)
        #expect(try b.store.enforcementPage(tenant: b.tenant, after: nil, limit: 10).rows.isEmpty)
    }

    @Test("only tenants with quota policies or a restricted subscriber need a round: one statement tells them apart")
    func tenantsWithQuotaWork() throws {
        let a = try fixture()
        let tenants = TenantStore(connection: a.connection)
        let plain = try tenants.create(slug: "plain", name: "plain", currency: "EUR", timeZone: "UTC")
        _ = try PlanStore(connection: a.connection).createPlan(
            tenant: plain, name: "Flat", terms: PlanTerms(currency: "EUR", unit: .GB, included: 10),
            effectiveFrom: nil)
        let bare = try tenants.create(slug: "bare", name: "bare", currency: "EUR", timeZone: "UTC")
        let ids = [a.tenant.id, plain.id, bare.id, 999_999]
        #expect(try a.store.tenantsWithQuotaWork(ids) == [a.tenant.id])
        // A restriction left from a policy since removed still needs its new sessions handled.
        try a.connection.query(
            """
            INSERT INTO quota_states (tenant_id, user_name, crossing_id, action, rate, period, period_key) VALUES ($1, 'bob', 1, 'throttle', '1M/1M', 'cycle', '2026-11')
            """, [String(plain.id)])
        #expect(try a.store.tenantsWithQuotaWork(ids) == [a.tenant.id, plain.id])
        #expect(try a.store.tenantsWithQuotaWork([]) == [])
    }

    @Test("two collectors evaluating at once record one crossing and one request per session")
    func concurrentCollectors() throws {
        let f = try fixture()
        for i in 0..<5 { try f.session("alice", "s\(i)") }
        try f.use("alice", gigabytes: 31)
        let (url, tenantID) = (f.url, f.tenant.id)
        let rounds = Mutex<[EnforcementRound]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            do {
                let connection = try PostgresConnection(url: url)
                let round = try QuotaStore(connection: connection).enforce(
                    tenantID: tenantID, users: ["alice"], now: Self.now, claimant: UUID(),
                    cache: QuotaStore.TermsCache())
                rounds.withLock { $0.append(round) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let all = rounds.withLock { $0 }
        #expect(all.flatMap(\.crossings).count == 2)
        #expect(all.flatMap(\.requests).count == 5)
        #expect(Set(all.flatMap(\.requests).map(\.sessionID)).count == 5)
    }
}
