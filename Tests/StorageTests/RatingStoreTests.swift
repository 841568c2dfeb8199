import Accounting
import Foundation
import Rating
import Storage
import TestSupport
import Testing

@Suite("Plans, subscribers and invoices in PostgreSQL", .enabled(if: TestDatabase.available))
struct RatingStoreTests {
    static let home = PlanTerms(
        currency: "EUR", recurringFee: 30, unit: .GB, included: 10, overage: .perUnit(price: 1), taxRate: DecimalText.parse("0.2")!)

    struct Fixture {
        let connection: PostgresConnection
        let tenant: Tenant
        let plans: PlanStore
        let invoices: InvoiceStore

        /// Adds `gigabytes` of download for `user` in the local hour `local` (Vienna).
        func use(_ user: String, _ local: String, gigabytes: Int64) throws {
            let parts = local.split(separator: " ")
            let day = CivilDate(parts[0])!
            let hour = Int64(parts[1].prefix(2))!
            let utc = LocalTime.utc(local: day.dayNumber * 86400 + hour * 3600, zone: tenant.timeZone)!
            try connection.query(
                """
                INSERT INTO usage_hourly (tenant_id, subscriber, hour, download_bytes) VALUES ($1, $2, to_timestamp($3), $4)
                ON CONFLICT (tenant_id, subscriber, hour) DO UPDATE SET download_bytes = usage_hourly.download_bytes + EXCLUDED.download_bytes
                """, [String(tenant.id), user, String(utc), String(gigabytes * 1_000_000_000)])
        }

        func lines(_ period: String, _ user: String) throws -> [[String?]] {
            try connection.query(
                """
                SELECT l.position, l.kind, l.line_key, l.description, l.quantity::text, l.unit, l.unit_price::text, l.amount, l.tax_rate::text,
                       l.tax, l.plan_version_id, l.covers_from::text, l.covers_until::text, l.usage_bytes, l.corrects_period
                FROM invoice_lines l JOIN invoices i ON i.tenant_id = l.tenant_id AND i.id = l.invoice_id
                JOIN subscribers s ON s.tenant_id = i.tenant_id AND s.id = i.subscriber_id
                WHERE i.period = $1 AND s.user_name = $2 ORDER BY l.position
                """, [period, user]
            ).rows
        }

        func invoice(_ period: String, _ user: String) throws -> InvoiceRecord? {
            try invoices.list(tenant: tenant, period: period, user: user).first
        }
    }

    func fixture(slug: String = "acme", connection given: PostgresConnection? = nil) throws -> Fixture {
        let connection = try given ?? TestDatabase.fresh().connection
        let tenant = try TenantStore(connection: connection).create(slug: slug, name: slug, currency: "EUR", timeZone: "Europe/Vienna")
        return Fixture(
            connection: connection, tenant: tenant, plans: PlanStore(connection: connection), invoices: InvoiceStore(connection: connection))
    }

    @Test("invoice run rates usage into lines, re-runs give identical lines, final invoices never change")
    func runIdempotentFinal() throws {
        let f = try fixture()
        _ = try f.plans.createPlan(tenant: f.tenant, name: "Home", terms: Self.home, effectiveFrom: nil)
        _ = try f.plans.addSubscriber(tenant: f.tenant, user: "alice", plan: "Home", from: CivilDate("2026-09-16")!)
        try f.use("alice", "2026-09-20 10:00", gigabytes: 12)
        try f.use("alice", "2026-09-30 23:00", gigabytes: 1) // last local hour of September
        try f.use("alice", "2026-10-01 00:00", gigabytes: 50) // October
        try f.use("bob", "2026-09-21 10:00", gigabytes: 3) // no subscriber
        try f.use("alice", "2026-09-02 10:00", gigabytes: 2) // before her plan

        let first = try f.invoices.run(tenant: f.tenant, period: "2026-09")
        #expect(first.drafts == 1 && first.finalized == 0)
        // Fee 30.00 x 15/30 = 15.00; allowance 10 x 15/30 = 5 GB; 13 GB used -> 8 GB x 1.00; tax 20 %.
        let invoice = try #require(try f.invoice("2026-09", "alice"))
        #expect(invoice.subtotal == 1500 + 800 && invoice.tax == 300 + 160 && invoice.total == 2760 && invoice.status == "draft")
        #expect(first.unassigned.map(\.userName) == ["alice", "bob"])
        #expect(first.unassigned.first { $0.userName == "bob" }?.downloadBytes == 3_000_000_000)
        #expect(first.unassigned.first { $0.userName == "alice" }?.isSubscriber == true)

        let before = try f.lines("2026-09", "alice")
        #expect(before.count == 3)
        let again = try f.invoices.run(tenant: f.tenant, period: "2026-09")
        #expect(again.drafts == 1)
        #expect(try f.lines("2026-09", "alice") == before)

        let finalized = try f.invoices.run(tenant: f.tenant, period: "2026-09", finalize: true)
        #expect(finalized.finalized == 1)
        #expect(try f.invoice("2026-09", "alice")?.status == "final")
        // The database itself refuses changes to a final invoice and its lines.
        #expect(throws: PostgresError.self) {
            try f.connection.query("UPDATE invoices SET total = 0 WHERE id = $1", [String(invoice.id)])
        }
        #expect(throws: PostgresError.self) {
            try f.connection.query("DELETE FROM invoice_lines WHERE invoice_id = $1", [String(invoice.id)])
        }
        // Re-running a final period changes nothing in it.
        _ = try f.invoices.run(tenant: f.tenant, period: "2026-09")
        #expect(try f.lines("2026-09", "alice") == before)
        #expect(try f.invoice("2026-09", "alice")?.total == 2760)
    }

    @Test("late usage in a final period becomes an adjustment line on the next draft")
    func lateUsageAdjustment() throws {
        let f = try fixture()
        _ = try f.plans.createPlan(tenant: f.tenant, name: "Home", terms: Self.home, effectiveFrom: nil)
        _ = try f.plans.addSubscriber(tenant: f.tenant, user: "alice", plan: "Home", from: CivilDate("2026-01-01")!)
        try f.use("alice", "2026-09-20 10:00", gigabytes: 12)
        _ = try f.invoices.run(tenant: f.tenant, period: "2026-09", finalize: true)
        #expect(try f.invoice("2026-09", "alice")?.subtotal == 3000 + 200)

        // Accounting for September arrives after it was final.
        try f.use("alice", "2026-09-29 10:00", gigabytes: 5)
        // Running September again goes to October's draft, with the correction.
        let rerun = try f.invoices.run(tenant: f.tenant, period: "2026-09")
        #expect(rerun.adjustmentLines == 1)
        #expect(try f.invoice("2026-09", "alice")?.subtotal == 3200)
        let october = try #require(try f.invoice("2026-10", "alice"))
        let shown = try f.invoices.show(tenant: f.tenant, id: october.id)
        let adjustment = try #require(shown.lines.first { $0.kind == .adjustment })
        #expect(adjustment.amount == 500 && adjustment.tax == 100 && adjustment.correctsPeriod == "2026-09")
        #expect(adjustment.description.contains("Correction for 2026-09"))
        // October's own fee is there too; running October gives the same lines (idempotent).
        #expect(shown.lines.contains { $0.kind == .recurringFee && $0.amount == 3000 })
        _ = try f.invoices.run(tenant: f.tenant, period: "2026-10", finalize: true)
        #expect(try f.invoices.show(tenant: f.tenant, id: october.id).lines == shown.lines)
        // Once October (with the correction) is final, nothing more is owed for September.
        _ = try f.invoices.run(tenant: f.tenant, period: "2026-11")
        let november = try #require(try f.invoice("2026-11", "alice"))
        #expect(try f.invoices.show(tenant: f.tenant, id: november.id).lines.allSatisfy { $0.kind != .adjustment })
    }

    @Test("a corrected plan version for a final period credits the difference")
    func correctedPlanCredit() throws {
        let f = try fixture()
        _ = try f.plans.createPlan(tenant: f.tenant, name: "Home", terms: Self.home, effectiveFrom: CivilDate("2026-01-01"))
        _ = try f.plans.addSubscriber(tenant: f.tenant, user: "alice", plan: "Home", from: CivilDate("2026-01-01")!)
        _ = try f.invoices.run(tenant: f.tenant, period: "2026-09", finalize: true)
        var cheaper = Self.home
        cheaper.recurringFee = 24
        _ = try f.plans.addVersion(tenant: f.tenant, plan: "Home", terms: cheaper, effectiveFrom: CivilDate("2026-09-01")!)
        _ = try f.invoices.run(tenant: f.tenant, period: "2026-10")
        let october = try #require(try f.invoice("2026-10", "alice"))
        let lines = try f.invoices.show(tenant: f.tenant, id: october.id).lines
        // September was billed 30.00 + 6.00 tax; now 24.00 + 4.80: credit -6.00 and -1.20.
        #expect(lines.filter { $0.kind == .adjustment }.map(\.amount).reduce(0, +) == -600)
        #expect(lines.filter { $0.kind == .adjustment }.map(\.tax).reduce(0, +) == -120)
        #expect(october.total == 2400 + 480 - 600 - 120)
    }

    @Test("subscribers: plan changes mid-cycle, ends, and refusals")
    func subscribers() throws {
        let f = try fixture()
        _ = try f.plans.createPlan(tenant: f.tenant, name: "Home", terms: Self.home, effectiveFrom: nil)
        var big = Self.home
        big.recurringFee = 60
        _ = try f.plans.createPlan(tenant: f.tenant, name: "Big", terms: big, effectiveFrom: nil)
        _ = try f.plans.addSubscriber(tenant: f.tenant, user: "carol", plan: "Home", from: CivilDate("2026-09-01")!)
        let moved = try f.plans.changePlan(tenant: f.tenant, user: "carol", plan: "Big", on: CivilDate("2026-09-21")!)
        #expect(moved.assignments.map(\.planName) == ["Home", "Big"])
        #expect(moved.assignments[0].endsOn == CivilDate("2026-09-21"))
        _ = try f.invoices.run(tenant: f.tenant, period: "2026-09")
        // Home 20 days = 20.00, Big 10 days = 20.00
        #expect(try f.invoice("2026-09", "carol")?.subtotal == 4000)
        let ended = try f.plans.endSubscription(tenant: f.tenant, user: "carol", on: CivilDate("2026-10-11")!)
        #expect(ended.assignments.last?.endsOn == CivilDate("2026-10-11"))
        _ = try f.invoices.run(tenant: f.tenant, period: "2026-10")
        // Big for 10 of 31 days: 60.00 x 10 / 31 = 19.354... -> 19.35
        #expect(try f.invoice("2026-10", "carol")?.subtotal == 1935)
        // Refusals, each with a message naming the problem.
        #expect(throws: StoreError.self) { try f.plans.addSubscriber(tenant: f.tenant, user: "carol", plan: "Home", from: CivilDate("2026-10-01")!) }
        #expect(throws: StoreError.self) { try f.plans.addSubscriber(tenant: f.tenant, user: "dave", plan: "Nope", from: CivilDate("2026-10-01")!) }
        #expect(throws: StoreError.self) { try f.plans.changePlan(tenant: f.tenant, user: "nobody", plan: "Home", on: CivilDate("2026-10-01")!) }
        var dollars = Self.home
        dollars.currency = "USD"
        #expect(throws: StoreError.self) { try f.plans.createPlan(tenant: f.tenant, name: "USD", terms: dollars, effectiveFrom: nil) }
        #expect(throws: StoreError.self) { try f.plans.createPlan(tenant: f.tenant, name: "Home", terms: Self.home, effectiveFrom: nil) }
        // Back after the end: a new assignment.
        let back = try f.plans.addSubscriber(tenant: f.tenant, user: "carol", plan: "Home", from: CivilDate("2026-12-01")!)
        #expect(back.assignments.count == 3)
        // When the assignment is removed from a draft period, its draft goes away.
        _ = try f.invoices.run(tenant: f.tenant, period: "2026-11")
        #expect(try f.invoice("2026-11", "carol") == nil)
    }

    @Test("hostile names are stored exactly: SQL, quotes, unicode in plan and User-Names")
    func hostileNames() throws {
        let f = try fixture()
        let plan = "x'); DROP TABLE plans; -- \u{1F4A9} \"quoted\""
        _ = try f.plans.createPlan(tenant: f.tenant, name: plan, terms: Self.home, effectiveFrom: nil)
        let user = "robert'); DELETE FROM invoices; --@isp.example"
        _ = try f.plans.addSubscriber(tenant: f.tenant, user: user, plan: plan, from: CivilDate("2026-01-01")!)
        try f.use(user, "2026-09-10 10:00", gigabytes: 11)
        _ = try f.invoices.run(tenant: f.tenant, period: "2026-09")
        let invoice = try #require(try f.invoice("2026-09", user))
        #expect(invoice.subscriber == user && invoice.subtotal == 3000 + 100)
        #expect(try f.plans.plans(tenant: f.tenant).map(\.name) == [plan])
        #expect(throws: StoreError.self) {
            try f.plans.addSubscriber(tenant: f.tenant, user: "nul\0byte", plan: plan, from: CivilDate("2026-01-01")!)
        }
    }

    @Test("tenant isolation: plans, subscribers and invoices of A are invisible to B")
    func isolation() throws {
        let a = try fixture(slug: "alpha")
        let b = try fixture(slug: "beta", connection: a.connection)
        _ = try a.plans.createPlan(tenant: a.tenant, name: "Home", terms: Self.home, effectiveFrom: nil)
        _ = try a.plans.addSubscriber(tenant: a.tenant, user: "alice", plan: "Home", from: CivilDate("2026-01-01")!)
        try a.use("alice", "2026-09-10 10:00", gigabytes: 20)
        _ = try a.invoices.run(tenant: a.tenant, period: "2026-09")
        let invoice = try #require(try a.invoice("2026-09", "alice"))

        #expect(try b.plans.plans(tenant: b.tenant).isEmpty)
        #expect(try b.plans.subscribers(tenant: b.tenant).isEmpty)
        #expect(try b.invoices.list(tenant: b.tenant).isEmpty)
        #expect(throws: StoreError.self) { try b.invoices.show(tenant: b.tenant, id: invoice.id) }
        #expect(throws: StoreError.self) { try b.plans.addSubscriber(tenant: b.tenant, user: "alice", plan: "Home", from: CivilDate("2026-01-01")!) }
        // B's run does not see A's usage or subscribers.
        let run = try b.invoices.run(tenant: b.tenant, period: "2026-09")
        #expect(run.drafts == 0 && run.unassigned.isEmpty)
        #expect(try b.invoices.export(tenant: b.tenant, period: "2026-09").isEmpty)
        // Row-level security holds even for a query without any tenant filter.
        let counts = try a.connection.tenantTransaction(b.tenant.id) { connection in
            try connection.query(
                """
                SELECT (SELECT count(*) FROM plans), (SELECT count(*) FROM plan_versions), (SELECT count(*) FROM subscribers),
                       (SELECT count(*) FROM plan_assignments), (SELECT count(*) FROM invoices), (SELECT count(*) FROM invoice_lines)
                """
            ).rows
        }
        #expect(counts == [["0", "0", "0", "0", "0", "0"]])
        #expect(throws: PostgresError.self) {
            try a.connection.tenantTransaction(b.tenant.id) { connection in
                try connection.query("INSERT INTO plans (tenant_id, name) VALUES ($1, 'stolen')", [String(a.tenant.id)])
            }
        }
    }

    @Test("a subscriber added to a closed period later is charged on the next draft as newly due")
    func backDatedSubscriber() throws {
        let f = try fixture()
        _ = try f.plans.createPlan(tenant: f.tenant, name: "Home", terms: Self.home, effectiveFrom: nil)
        _ = try f.plans.addSubscriber(tenant: f.tenant, user: "alice", plan: "Home", from: CivilDate("2026-01-01")!)
        try f.use("carol", "2026-09-20 10:00", gigabytes: 12)
        let september = try f.invoices.run(tenant: f.tenant, period: "2026-09", finalize: true)
        #expect(september.unassigned.map(\.userName) == ["carol"])
        // Carol is found to have been a customer since September 16.
        _ = try f.plans.addSubscriber(tenant: f.tenant, user: "carol", plan: "Home", from: CivilDate("2026-09-16")!)
        let october = try f.invoices.run(tenant: f.tenant, period: "2026-10")
        #expect(october.ratedPeriod == "2026-10")
        let invoice = try #require(try f.invoice("2026-10", "carol"))
        let adjustments = try f.invoices.show(tenant: f.tenant, id: invoice.id).lines.filter { $0.kind == .adjustment }
        // September: 15 days of 30.00 = 15.00; 12 GB over a 5 GB allowance = 7.00; tax 20 %.
        #expect(adjustments.map(\.amount).reduce(0, +) == 1500 + 700)
        #expect(adjustments.allSatisfy { $0.correctsPeriod == "2026-09" && $0.description.contains("newly due") })
        // Running closed September again rates October, and never finalizes it by accident.
        #expect(try f.invoices.run(tenant: f.tenant, period: "2026-09").ratedPeriod == "2026-10")
        #expect(throws: StoreError.self) { try f.invoices.run(tenant: f.tenant, period: "2026-09", finalize: true) }
    }

    @Test("re-running an old closed period re-rates it even beyond the lookback")
    func oldClosedPeriod() throws {
        let f = try fixture()
        _ = try f.plans.createPlan(tenant: f.tenant, name: "Home", terms: Self.home, effectiveFrom: nil)
        _ = try f.plans.addSubscriber(tenant: f.tenant, user: "alice", plan: "Home", from: CivilDate("2026-01-01")!)
        for month in ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"] {
            _ = try f.invoices.run(tenant: f.tenant, period: month, finalize: true)
        }
        try f.use("alice", "2026-01-20 10:00", gigabytes: 13) // 3 GB over the allowance, found in June
        let run = try f.invoices.run(tenant: f.tenant, period: "2026-01", lookback: 3)
        #expect(run.ratedPeriod == "2026-06" && run.adjustmentLines == 1)
        let june = try #require(try f.invoice("2026-06", "alice"))
        #expect(june.subtotal == 3000 + 300)
    }

    @Test("lines cannot be moved out of a final invoice; an older plan can still be ended")
    func finalLinesAndOldAssignments() throws {
        let f = try fixture()
        _ = try f.plans.createPlan(tenant: f.tenant, name: "Home", terms: Self.home, effectiveFrom: nil)
        _ = try f.plans.addSubscriber(tenant: f.tenant, user: "alice", plan: "Home", from: CivilDate("2026-09-01")!)
        _ = try f.invoices.run(tenant: f.tenant, period: "2026-09", finalize: true)
        _ = try f.invoices.run(tenant: f.tenant, period: "2026-10")
        let final = try #require(try f.invoice("2026-09", "alice"))
        let draft = try #require(try f.invoice("2026-10", "alice"))
        let before = try f.invoices.show(tenant: f.tenant, id: final.id).lines
        #expect(!before.isEmpty)
        #expect(throws: PostgresError.self) {
            try f.connection.query(
                "UPDATE invoice_lines SET invoice_id = $1, position = position + 100 WHERE invoice_id = $2",
                [String(draft.id), String(final.id)])
        }
        #expect(try f.invoices.show(tenant: f.tenant, id: final.id).lines == before)
        // A plan that ran Sept-Oct, then another from December: the first can still be corrected.
        _ = try f.plans.endSubscription(tenant: f.tenant, user: "alice", on: CivilDate("2026-11-01")!)
        _ = try f.plans.addSubscriber(tenant: f.tenant, user: "alice", plan: "Home", from: CivilDate("2026-12-01")!)
        let corrected = try f.plans.endSubscription(tenant: f.tenant, user: "alice", on: CivilDate("2026-10-16")!)
        #expect(corrected.assignments.map(\.endsOn) == [CivilDate("2026-10-16"), nil])
    }
}
