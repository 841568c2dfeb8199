import Accounting
import Foundation
import Rating
import Storage
import TestSupport
import Testing

@testable import Console

@Suite("Billing console pages", .enabled(if: TestDatabase.available), .serialized)
struct BillingPagesTests {
    static func money(_ minor: Int64) -> String { Currency(code: "EUR")!.format(minorUnits: minor) }

    static func invoice(_ world: BillingWorld, _ tenant: Tenant, _ user: String) throws -> InvoiceRecord {
        let listed = try InvoiceStore(connection: world.connection).list(tenant: tenant, period: "2026-10", user: user)
        return try InvoiceStore(connection: world.connection).show(tenant: tenant, id: listed[0].id)
    }

    @Test(
        "An invoice's lines equal InvoiceStore's; a usage line's buckets add up to the bytes it counted; an hour's sessions and a session's packets are exactly its own"
    )
    func invoiceDrillDown() async throws {
        let world = try BillingWorld()
        let invoice = try Self.invoice(world, world.a, "alpha-u1")
        // 30 EUR fee + 0.93 GB overage at 1.00; tax 20 % of each line, rounded once per line.
        #expect(invoice.subtotal == 3093 && invoice.tax == 619 && invoice.total == 3712)
        let other = try Self.invoice(world, world.a, "alpha-u2")
        let included = try #require(invoice.lines.firstIndex { $0.kind == .includedUsage }) + 1
        let night = try #require(invoice.lines.firstIndex { $0.kind == .timeOfDay }) + 1
        let fee = try #require(invoice.lines.firstIndex { $0.kind == .recurringFee }) + 1
        // The buckets in the database, independent of the engine: every counted byte of October.
        let stored = try world.connection.query(
            """
            SELECT sum(upload_bytes + download_bytes)::bigint FROM usage_hourly WHERE tenant_id = $1 AND subscriber = 'alpha-u1'
              AND hour >= '2026-10-01T00:00:00Z' AND hour < '2026-11-01T00:00:00Z'
            """, [String(world.a.id)]
        ).int64(row: 0, column: 0)
        #expect(stored == 2_230_000_000)
        #expect(invoice.lines[included - 1].usageBytes == 2_230_000_000)
        #expect(invoice.lines[night - 1].usageBytes == 600_000_000)

        try await world.withBrowser("billing@alpha.example") { browser in
            let runs = try await browser.get("/console/invoices")
            #expect(runs.status == 200)
            #expect(runs.values("data-period", where: "tr data-period") == ["2026-10"])
            #expect(runs.values("data-value", where: "data-value").contains(Self.money(invoice.total + other.total)))

            let run = try await browser.get("/console/invoices/2026-10")
            #expect(run.status == 200)
            #expect(run.values("data-invoice", where: "tr data-invoice") == [String(invoice.id), String(other.id)])
            #expect(run.values("data-value", where: "id=\"run-total\"") == [Self.money(invoice.total + other.total)])
            #expect(run.values("data-value", where: "id=\"run-lines\"") == [String(invoice.lines.count + other.lines.count)])

            let page = try await browser.get("/console/invoices/2026-10/\(invoice.id)")
            #expect(page.status == 200)
            #expect(page.values("data-value", where: "id=\"invoice-total\"") == ["37.12"])
            #expect(page.values("data-value", where: "id=\"invoice-tax\"") == ["6.19"])
            #expect(page.values("data-line", where: "tr data-line") == invoice.lines.indices.map { String($0 + 1) })
            #expect(page.values("data-value", where: "data-col=\"amount\"") == invoice.lines.map { Self.money($0.amount) })
            #expect(page.values("data-value", where: "data-col=\"tax\"") == invoice.lines.map { Self.money($0.tax) })
            #expect(page.values("href", where: "class=\"drill\"").contains("/console/invoices/2026-10/\(invoice.id)/lines/\(included)"))
            #expect(!page.values("href", where: "class=\"drill\"").contains("/console/invoices/2026-10/\(invoice.id)/lines/\(fee)"))

            // Included usage: every bucket of the cycle, counted in both directions.
            let line = try await browser.get("/console/invoices/2026-10/\(invoice.id)/lines/\(included)")
            #expect(line.status == 200)
            #expect(
                line.values("data-hour", where: "tr data-hour") == [
                    "2026-10-07T10:00Z", "2026-10-07T11:00Z", "2026-10-08T01:00Z", "2026-10-08T02:00Z",
                ])
            let counted = line.values("data-value", where: "data-col=\"counted\"").compactMap { Int64($0) }
            #expect(counted == [830_000_000, 800_000_000, 300_000_000, 300_000_000])
            #expect(counted.reduce(0, +) == invoice.lines[included - 1].usageBytes)
            #expect(line.values("data-value", where: "data-col=\"upload\"") == ["210000000", "200000000", "50000000", "50000000"])
            #expect(line.values("data-counted", where: "id=\"line-check\"") == ["2230000000"])
            #expect(line.values("data-line-bytes", where: "id=\"line-check\"") == ["2230000000"])
            #expect(line.body.contains("Weighted by the windows' factors: 1.93 GB"))

            // The night window's line: only the buckets whose hour starts in 00:00-06:00.
            let nightLine = try await browser.get("/console/invoices/2026-10/\(invoice.id)/lines/\(night)")
            #expect(nightLine.values("data-hour", where: "tr data-hour") == ["2026-10-08T01:00Z", "2026-10-08T02:00Z"])
            #expect(nightLine.values("data-value", where: "data-col=\"counted\"").compactMap { Int64($0) }.reduce(0, +) == 600_000_000)
            // An hour the line did not count is not part of its trail.
            #expect(try await browser.get("/console/invoices/2026-10/\(invoice.id)/lines/\(night)/hours/2026-10-07T10:00Z").status == 404)
            // A fee rests on no usage: no bucket table.
            let feeLine = try await browser.get("/console/invoices/2026-10/\(invoice.id)/lines/\(fee)")
            #expect(feeLine.status == 200 && !feeLine.body.contains("id=\"buckets\""))
            #expect(try await browser.get("/console/invoices/2026-10/\(invoice.id)/lines/\(invoice.lines.count + 1)").status == 404)

            // Hour 10 of the 7th: both sessions of alpha-u1 (ports 7 and 9), not alpha-u2's.
            let hour = try await browser.get("/console/invoices/2026-10/\(invoice.id)/lines/\(included)/hours/2026-10-07T10:00Z")
            #expect(hour.status == 200)
            #expect(
                Set(hour.values("data-session", where: "tr data-session")) == [
                    String(world.sessions["alpha-s1/7"]!), String(world.sessions["alpha-s1/9"]!),
                ])
            #expect(hour.values("data-upload", where: "id=\"bucket\"") == ["210000000"])
            #expect(hour.values("data-download", where: "id=\"bucket\"") == ["620000000"])
            let sessionID = world.sessions["alpha-s1/7"]!
            #expect(hour.values("href", where: "class=\"drill\"").contains("/console/invoices/2026-10/\(invoice.id)/sessions/\(sessionID)"))

            // The session's packets: exactly its three, not those of port 9 with the same id.
            let packets = try await browser.get("/console/invoices/2026-10/\(invoice.id)/sessions/\(sessionID)")
            #expect(packets.status == 200)
            #expect(packets.values("data-received", where: "tr data-packet") == world.received["alpha-s1/7"]!.map(String.init))
            #expect(packets.values("data-value", where: "data-col=\"upload\"") == ["300000000", "400000000"])
            #expect(packets.values("data-value", where: "data-col=\"download\"") == ["900000000", "1200000000"])
            let statuses = packets.section(from: "<table id=\"packets\"", to: "</table>")
            for status in ["Start (1)", "Interim-Update (3)", "Stop (2)", "Acct-Session-Id", "&quot;alpha-u1&quot;", "alpha-bras"] {
                #expect(statuses.contains(status), "\(status)")
            }
            let port9 = try await browser.get("/console/invoices/2026-10/\(invoice.id)/sessions/\(world.sessions["alpha-s1/9"]!)")
            #expect(port9.values("data-received", where: "tr data-packet") == world.received["alpha-s1/9"]!.map(String.init))
        }
    }

    static let candidate = """
        currency = "EUR"
        recurring_fee = "25"
        unit = "GB"
        included = "2"
        overage = "per_unit"
        price = "2.00"
        tax_rate = "0.2"
        """

    @Test("A preview re-rates the real cycle on a candidate without writing, and equals the run once the version is published")
    func previewMatchesRun() async throws {
        let world = try BillingWorld()
        @Sendable func counts() throws -> [Int] {
            try ["plan_versions", "audit_log", "invoice_lines", "invoices"].map { try count(world.connection, "SELECT count(*) FROM \($0)") }
        }
        let before = try counts()
        let ratedAt = try Self.invoice(world, world.a, "alpha-u1").ratedAt
        let version = try PlanStore(connection: world.connection).plan(tenant: world.a, name: "alpha-plan").versions[0].id
        try await world.withBrowser("billing@alpha.example") { browser in
            let form = try await browser.get("/console/plans/alpha-plan/preview")
            #expect(form.status == 200 && form.body.contains("id=\"preview\""))
            let csrf = try #require(form.csrf)
            let preview = try await browser.post(
                "/console/plans/alpha-plan/preview",
                [("user", "alpha-u1"), ("period", "2026-10"), ("version", ""), ("document", Self.candidate)], csrf: csrf)
            #expect(preview.status == 200)
            // Current: 30 + 0.93 overage + tax = 37.12. Candidate: 25 + 0.23 GB x 2.00 = 25.46, tax 5.00 + 0.09.
            #expect(preview.values("data-total", where: "id=\"preview-current\"") == ["37.12"])
            #expect(preview.values("data-total", where: "id=\"preview-candidate\"") == ["30.55"])
            #expect(preview.values("data-value", where: "id=\"preview-difference\"") == ["-6.57"])
            let candidateAmounts = preview.section(from: "id=\"preview-candidate\"", to: "</section>").components(separatedBy: "data-value=\"")
            // A stored version as the candidate changes nothing.
            let same = try await browser.post(
                "/console/plans/alpha-plan/preview",
                [("user", "alpha-u1"), ("period", "2026-10"), ("version", String(version)), ("document", "")], csrf: csrf)
            #expect(same.values("data-total", where: "id=\"preview-candidate\"") == ["37.12"])
            #expect(same.values("data-value", where: "id=\"preview-difference\"") == ["0.00"])
            // Hostile or wrong input: the parser's message, 422.
            let bad = try await browser.post(
                "/console/plans/alpha-plan/preview",
                [("user", "alpha-u1"), ("period", "2026-10"), ("document", "currency = \"EUR\"\noverage = \"volume\"")], csrf: csrf)
            #expect(bad.status == 422 && bad.body.contains("tiers: at least one tier is required"))
            let stranger = try await browser.post(
                "/console/plans/alpha-plan/preview",
                [("user", "bravo-u1"), ("period", "2026-10"), ("document", Self.candidate)], csrf: csrf)
            #expect(stranger.status == 422 && stranger.body.contains("no subscriber &#39;bravo-u1&#39;"))
            #expect(try counts() == before)
            #expect(try Self.invoice(world, world.a, "alpha-u1").ratedAt == ratedAt)

            // Publish the candidate for the whole cycle and run it.
            let plan = try await browser.get("/console/plans/alpha-plan")
            let planCSRF = try #require(plan.csrf)
            let added = try await browser.post(
                "/console/plans/alpha-plan/versions",
                [("effective_from", "2026-10-01"), ("document", Self.candidate)], csrf: planCSRF)
            #expect(added.status == 303 && added.location == "/console/plans/alpha-plan")
            let run = try await browser.post("/console/invoices", [("period", "2026-10")], csrf: csrf)
            #expect(run.status == 303 && run.location == "/console/invoices/2026-10")
            let rated = try Self.invoice(world, world.a, "alpha-u1")
            #expect(rated.total == 3055)
            let amounts = rated.lines.map { Self.money($0.amount) }
            for amount in amounts { #expect(candidateAmounts.contains { $0.hasPrefix(amount + "\"") }, "\(amount)") }
        }
        let audit = try world.auditRows().filter { $0[0] == String(world.a.id) }.map { Array($0[1...]) }
        #expect(
            audit == [
                ["billing@alpha.example", "plan.version_added", "alpha-plan", "effective_from 2026-10-01"],
                ["billing@alpha.example", "invoice_run.created", "2026-10", ""],
            ])
    }

    @Test("Finalizing needs a POST with the CSRF token and the confirmation; readonly and operator get 403; the audit row comes with it")
    func finalize() async throws {
        let world = try BillingWorld()
        @Sendable func finals(_ tenant: Tenant) throws -> Int {
            try count(world.connection, "SELECT count(*) FROM invoices WHERE status = 'final' AND tenant_id = \(tenant.id)")
        }
        for email in ["operator@alpha.example", "readonly@alpha.example"] {
            try await world.withBrowser(email) { browser in
                let overview = try await browser.get("/console/invoices")
                #expect(overview.status == 403)
                let csrf = try #require(overview.csrf)
                let post = try await browser.post("/console/invoices/2026-10/finalize", [("confirm", "yes")], csrf: csrf)
                #expect(post.status == 403)
                #expect(try await browser.post("/console/invoices", [("period", "2026-11")], csrf: csrf).status == 403)
                #expect(try await browser.post("/console/plans", [("name", "x"), ("document", Self.candidate)], csrf: csrf).status == 403)
            }
        }
        #expect(try finals(world.a) == 0)
        try await world.withBrowser("billing@alpha.example") { browser in
            let run = try await browser.get("/console/invoices/2026-10")
            let csrf = try #require(run.csrf)
            #expect(run.body.contains("id=\"finalize\""))
            #expect(try await browser.post("/console/invoices/2026-10/finalize", [("confirm", "yes")], csrf: nil).status == 403)
            #expect(try await browser.post("/console/invoices/2026-10/finalize", [("confirm", "yes")], csrf: String(csrf.reversed())).status == 403)
            #expect(try await browser.get("/console/invoices/2026-10/finalize").status != 200)
            #expect(try finals(world.a) == 0)

            let confirm = try await browser.post("/console/invoices/2026-10/finalize", [], csrf: csrf)
            #expect(confirm.status == 200)
            #expect(confirm.body.contains("<form id=\"confirm-finalize\"") && confirm.body.contains("id=\"confirm\""))
            #expect(confirm.values("data-value", where: "id=\"confirm-drafts\"") == ["2"])
            #expect(try finals(world.a) == 0)

            let done = try await browser.post("/console/invoices/2026-10/finalize", [("confirm", "yes")], csrf: csrf)
            #expect(done.status == 303 && done.location == "/console/invoices/2026-10")
            #expect(try finals(world.a) == 2)
            #expect(try finals(world.b) == 0)
            let again = try await browser.post("/console/invoices/2026-10/finalize", [("confirm", "yes")], csrf: csrf)
            #expect(again.status == 409)
        }
        let audit = try world.auditRows().map { Array($0) }
        #expect(audit == [[String(world.a.id), "billing@alpha.example", "invoice_run.finalized", "2026-10", ""]])
    }

    @Test(
        "Plans from pasted TOML or JSON; hostile names and documents render escaped; an invalid document shows the parser's message and keeps the text"
    )
    func plans() async throws {
        let world = try BillingWorld()
        let hostile = "<script>alert(1)</script>' OR 1=1; DROP TABLE plans; --"
        let json = #"{"currency": "EUR", "recurring_fee": "5", "windows": [{"name": "<b>night</b>", "from": "22:00", "to": "06:00", "factor": "0"}]}"#
        try await world.withBrowser("billing@alpha.example") { browser in
            let plans = try await browser.get("/console/plans")
            #expect(plans.status == 200 && plans.values("data-plan", where: "tr data-plan") == ["alpha-plan"])
            let csrf = try #require(plans.csrf)
            let created = try await browser.post("/console/plans", [("name", hostile), ("effective_from", ""), ("document", json)], csrf: csrf)
            #expect(created.status == 303)
            let location = try #require(created.location)
            #expect(location == "/console/plans/" + StaffBrowser.encode(hostile))
            let listed = try await browser.get("/console/plans")
            #expect(listed.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;&#39; OR 1=1; DROP TABLE plans; --"))
            #expect(!listed.body.contains("<script>"))
            let plan = try await browser.get(location)
            #expect(plan.status == 200)
            #expect(plan.body.contains("&lt;b&gt;night&lt;/b&gt; 22:00-06:00") && !plan.body.contains("<b>night</b>"))
            #expect(plan.values("data-version", where: "tr data-version").count == 1)

            let missingPrice = "currency = \"EUR\"\noverage = \"per_unit\""
            let invalid = try await browser.post("/console/plans", [("name", "broken"), ("document", missingPrice)], csrf: csrf)
            #expect(invalid.status == 422)
            #expect(invalid.body.contains("price: is required when overage is per_unit"))
            #expect(invalid.body.contains("overage = &quot;per_unit&quot;</textarea>") && invalid.body.contains("value=\"broken\""))
            let markup = try await browser.post("/console/plans", [("name", "broken"), ("document", "<img src=x onerror=alert(1)>")], csrf: csrf)
            #expect(markup.status == 422 && markup.body.contains("document (TOML): line 1"))
            #expect(markup.body.contains("&lt;img src=x onerror=alert(1)&gt;") && !markup.body.contains("<img"))
            let duplicate = try await browser.post("/console/plans", [("name", "alpha-plan"), ("document", Self.candidate)], csrf: csrf)
            #expect(duplicate.status == 409 && duplicate.body.contains("already exists"))
            let undated = try await browser.post("/console/plans/alpha-plan/versions", [("document", Self.candidate)], csrf: csrf)
            #expect(undated.status == 422 && undated.body.contains("effective_from: a new version needs"))
            let badRun = try await browser.post("/console/invoices", [("period", "2026-13<b>")], csrf: csrf)
            #expect(badRun.status == 422 && badRun.body.contains("period: &#39;2026-13&lt;b&gt;&#39; is not YYYY-MM"))
        }
        #expect(try count(world.connection, "SELECT count(*) FROM plans WHERE tenant_id = \(world.a.id)") == 2)
        let audit = try world.auditRows().map { Array($0) }
        #expect(audit == [[String(world.a.id), "billing@alpha.example", "plan.created", hostile, ""]])
    }

    @Test("Isolation: alpha's billing staff get 404 for bravo's plan, invoice, line, hour and packet URLs, and the other way round")
    func isolation() async throws {
        let world = try BillingWorld()
        let alpha = try Self.invoice(world, world.a, "alpha-u1")
        let alphaOther = try Self.invoice(world, world.a, "alpha-u2")
        let bravo = try Self.invoice(world, world.b, "bravo-u1")
        let usageLine = try #require(bravo.lines.firstIndex { $0.kind == .includedUsage }) + 1
        try await world.withBrowser("billing@alpha.example") { browser in
            for path in [
                "/console/plans/bravo-plan", "/console/plans/bravo-plan/preview",
                "/console/invoices/2026-10/\(bravo.id)", "/console/invoices/2026-10/\(bravo.id)/lines/\(usageLine)",
                "/console/invoices/2026-10/\(bravo.id)/lines/\(usageLine)/hours/2026-10-07T14:00Z",
                "/console/invoices/2026-10/\(bravo.id)/sessions/\(world.sessions["bravo"]!)",
                "/console/invoices/2026-10/\(alpha.id)/sessions/\(world.sessions["bravo"]!)",
                // alpha-u2's invoice does not lead to alpha-u1's sessions; a wrong period finds no invoice.
                "/console/invoices/2026-10/\(alphaOther.id)/sessions/\(world.sessions["alpha-s1/7"]!)",
                "/console/invoices/2026-09/\(alpha.id)", "/console/invoices/2026-09",
            ] {
                let page = try await browser.get(path)
                #expect(page.status == 404, "\(path)")
                #expect(!page.body.contains("bravo-u1") && !page.body.contains("bravo-s1"), "\(path)")
            }
            let run = try await browser.get("/console/invoices/2026-10")
            #expect(run.values("data-invoice", where: "tr data-invoice") == [String(alpha.id), String(alphaOther.id)])
            #expect(!run.body.contains("bravo"))
            let csrf = try #require(run.csrf)
            #expect(
                try await browser.post(
                    "/console/plans/bravo-plan/versions", [("effective_from", "2026-11-01"), ("document", Self.candidate)], csrf: csrf
                ).status == 404)
            #expect(
                try await browser.post("/console/plans/bravo-plan/preview", [("user", "bravo-u1"), ("document", Self.candidate)], csrf: csrf).status
                    == 404)
        }
        try await world.withBrowser("billing@bravo.example") { browser in
            #expect(try await browser.get("/console/invoices/2026-10/\(alpha.id)").status == 404)
            #expect(try await browser.get("/console/plans/alpha-plan").status == 404)
            #expect(try await browser.get("/console/invoices/2026-10/\(bravo.id)/sessions/\(world.sessions["alpha-s1/7"]!)").status == 404)
            let own = try await browser.get("/console/invoices/2026-10/\(bravo.id)/lines/\(usageLine)")
            #expect(own.status == 200 && own.values("data-hour", where: "tr data-hour") == ["2026-10-07T14:00Z"])
        }
        try await world.withBrowser(nil) { browser in
            let page = try await browser.get("/console/invoices/2026-10/\(alpha.id)")
            #expect(page.status == 303 && page.location?.hasPrefix("/console/login?next=") == true)
        }
        #expect(try world.auditRows().isEmpty)
    }

    @Test("A run's invoices sort on the server by a whitelisted column and page with rel=next/prev links")
    func sortingAndPaging() async throws {
        let world = try BillingWorld()
        let u1 = try Self.invoice(world, world.a, "alpha-u1")
        let u2 = try Self.invoice(world, world.a, "alpha-u2")
        #expect(u1.total == 3712 && u2.total == 3600)
        try await world.withBrowser("billing@alpha.example") { browser in
            let descending = try await browser.get("/console/invoices/2026-10?sort=total&dir=desc")
            #expect(descending.values("data-invoice", where: "tr data-invoice") == [String(u1.id), String(u2.id)])
            #expect(descending.values("aria-sort", where: "aria-sort") == ["descending"])
            let ascending = try await browser.get("/console/invoices/2026-10?sort=total&dir=asc")
            #expect(ascending.values("data-invoice", where: "tr data-invoice") == [String(u2.id), String(u1.id)])
            #expect(ascending.values("data-value", where: "data-col=\"total\"") == ["36.00", "37.12"])
            let first = try await browser.get("/console/invoices/2026-10?sort=user&dir=asc&limit=1")
            #expect(first.values("data-invoice", where: "tr data-invoice") == [String(u1.id)])
            let next = try #require(first.values("href", where: "rel=\"next\"").first)
            #expect(first.values("href", where: "rel=\"prev\"").isEmpty)
            let second = try await browser.get(next.replacingOccurrences(of: "&amp;", with: "&"))
            #expect(second.values("data-invoice", where: "tr data-invoice") == [String(u2.id)])
            #expect(second.values("href", where: "rel=\"next\"").isEmpty && second.values("href", where: "rel=\"prev\"").count == 1)
            #expect(try await browser.get("/console/invoices/2026-10?sort=subscriber_id%3B--").status == 400)
            #expect(try await browser.get("/console/invoices/2026-10?limit=501").status == 400)
        }
    }
}
