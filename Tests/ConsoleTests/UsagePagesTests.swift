import Accounting
import Foundation
import Rating
import Storage
import TestSupport
import Testing

@testable import Console

@Suite("Console usage pages: figures, charts, sorting, isolation, hostile names", .enabled(if: TestDatabase.available), .serialized)
struct UsagePagesTests {
    @Test("the overview shows both cycles' exact usage, live sessions, who is near the cap, NAS health and merge lag")
    func overview() async throws {
        let world = try ConsoleWorld()
        // Drops by NAS: alpha's of this hour and 22 hours ago count, 25 hours ago is past; bravo's
        // never show on alpha's page.
        try world.connection.execute(
            """
            INSERT INTO nas_drops (tenant_id, nas_id, hour, reason, datagrams)
            SELECT n.tenant_id, n.id, date_trunc('hour', now()) - h * interval '1 hour', r, d
            FROM nas_devices n, (VALUES (0, 'bad_authenticator', 5), (22, 'bad_authenticator', 2), (25, 'bad_authenticator', 1000),
                                        (1, 'malformed_attribute', 9), (2, 'duplicate_in_flight', 1)) v(h, r, d)
            """)
        try await world.withBrowser { client in
            let session = try await client.signIn("readonly@alpha.example", ConsoleWorld.password).token
            let before = Int64(Date().timeIntervalSince1970)
            let page = try await client.get("/console/", session: session)
            #expect(page.status == 200, "\(page.body)")
            let this = world.usage("alpha", period: world.cycle)
            let last = world.usage("alpha", period: world.cycle.previous)
            // 1 000 000 + 2 500 000 + 1 000 000 000 + 1000 + 2000 + 3000 up; 20 000 000 + 7 000 000 + 8 000 000 000 + 5000 + 10000 + 15000 down.
            #expect(this.upload == 1_003_506_000 && this.download == 8_027_030_000)
            #expect(ConsolePage.attribute("data-upload", in: page.tag(id: "usage-this-cycle")) == "1003506000")
            #expect(ConsolePage.attribute("data-download", in: page.tag(id: "usage-this-cycle")) == "8027030000")
            #expect(ConsolePage.attribute("data-upload", in: page.tag(id: "usage-last-cycle")) == String(last.upload))
            #expect(ConsolePage.attribute("data-download", in: page.tag(id: "usage-last-cycle")) == "456")
            #expect(ConsolePage.attribute("data-value", in: page.tag(id: "active-sessions")) == "1")
            #expect(ConsolePage.attribute("data-value", in: page.tag(id: "merge-lag")) == "0")
            // alpha-heavy: 9 000 000 000 of 10 000 000 000 (90 %); alpha-u1 far below.
            let near = ConsolePage.rows(page.element(id: "near-cap", closing: "</table>"), attribute: "data-user")
            #expect(near.count == 1)
            #expect(near.first?.hasPrefix("<tr data-user=\"alpha-heavy\"") == true)
            #expect(near.first.flatMap { ConsolePage.cell("used", in: $0) } == "9000000000")
            #expect(near.first.flatMap { ConsolePage.cell("allowance", in: $0) } == "10000000000")
            #expect(near.first.flatMap { ConsolePage.cell("share", in: $0) } == "90")
            let nas = ConsolePage.rows(page.element(id: "nas-health", closing: "</table>"), attribute: "data-nas")
            #expect(nas.count == 1)
            #expect(nas.first?.hasPrefix("<tr data-nas=\"alpha-bras\"") == true)
            #expect(nas.first.flatMap { ConsolePage.cell("sessions", in: $0) } == "1")
            #expect(nas.first?.contains("<td data-col=\"last-heard\">2026-11-02T03:04:05Z</td>") == true)
            #expect(nas.first.flatMap { ConsolePage.cell("drops", in: $0) } == "17")
            #expect(
                nas.first?.contains(
                    """
                    <span class="drop" data-reason="malformed_attribute">malformed_attribute 9</span> \
                    <span class="drop" data-reason="bad_authenticator">bad_authenticator 7</span> \
                    <span class="drop" data-reason="duplicate_in_flight">duplicate_in_flight 1</span>
                    """) == true, "\(nas.first ?? "")")
            #expect(page.tag(id: "nas-health-more").isEmpty)
            let silent = Int64(nas.first.flatMap { ConsolePage.cell("silent", in: $0) } ?? "") ?? -1
            #expect(
                (before - ConsoleWorld.lastHeard...Int64(Date().timeIntervalSince1970) + 1 - ConsoleWorld.lastHeard).contains(silent), "\(silent)")
            #expect(!page.body.contains("bravo"))
            // The grouped figure and its human size.
            #expect(page.body.contains("9\u{202F}030\u{202F}536\u{202F}000 B"))
        }
    }

    @Test("the overview's NAS health lists the first 200 NAS by name and says how many there are")
    func manyNAS() async throws {
        let world = try ConsoleWorld()
        let store = NASStore(connection: world.connection, cipher: TestDatabase.cipher)
        for i in 0..<199 {
            _ = try store.add(
                tenant: world.a, name: String(format: "alpha-%03d", i), address: "10.9.\(i / 250).\(i % 250 + 1)", secret: "s3cret-\(i)")
        }
        try await world.withBrowser { client in
            // Exactly 200: all shown, nothing more to say.
            let all = try await client.get("/console/", session: try await client.signIn("operator@alpha.example", ConsoleWorld.password).token)
            #expect(ConsolePage.rows(all.element(id: "nas-health", closing: "</table>"), attribute: "data-nas").count == 200)
            #expect(all.tag(id: "nas-health-more").isEmpty)
        }
        _ = try store.add(tenant: world.a, name: "alpha-199", address: "10.9.0.200", secret: "s3cret-199")
        try await world.withBrowser { client in
            for (email, link) in [("operator@alpha.example", true), ("readonly@alpha.example", false)] {
                let page = try await client.get("/console/", session: try await client.signIn(email, ConsoleWorld.password).token)
                let names = ConsolePage.rows(page.element(id: "nas-health", closing: "</table>"), attribute: "data-nas")
                    .compactMap { ConsolePage.attribute("data-nas", in: $0) }
                #expect(names.count == 200 && names.first == "alpha-000" && names.last == "alpha-199" && !names.contains("alpha-bras"))
                let more = page.element(id: "nas-health-more", closing: "</p>")
                #expect(more.contains("The first 200 of 201 NAS by name"))
                #expect(more.contains("href=\"/console/nas\"") == link)
            }
        }
    }

    @Test("the merge lag counts the tenant's own packets waiting in the log and the age of the oldest; /console leads to the overview")
    func mergeLag() async throws {
        let world = try ConsoleWorld()
        let nas = try world.connection.query("SELECT tenant_id, id FROM nas_devices ORDER BY tenant_id").rows.map { (Int64($0[0]!)!, Int64($0[1]!)!) }
        let appender = try PacketLogAppender(connection: try PostgresConnection(url: world.url))
        let received = (Int64(Date().timeIntervalSince1970) - 120) * 1_000_000
        try appender.append([
            LogEntry(
                tenantID: nas[0].0, nasID: nas[0].1, receivedAt: received, statusType: 3, userName: "alpha-u1", sessionID: "x", packet: [4, 1, 0, 20]),
            LogEntry(
                tenantID: nas[0].0, nasID: nas[0].1, receivedAt: received + 60_000_000, statusType: 3, userName: "alpha-u1", sessionID: "x",
                packet: [4, 2, 0, 20]),
            // bravo's waiting packets are not alpha's lag.
            LogEntry(
                tenantID: nas[1].0, nasID: nas[1].1, receivedAt: received - 600_000_000, statusType: 3, userName: "bravo-u1", sessionID: "y",
                packet: [4, 3, 0, 20]),
        ])
        try await world.withBrowser { client in
            let session = try await client.signIn("operator@alpha.example", ConsoleWorld.password).token
            let page = try await client.get("/console/", session: session)
            let lag = page.tag(id: "merge-lag")
            #expect(ConsolePage.attribute("data-unmerged", in: lag) == "2")
            let seconds = Int(ConsolePage.attribute("data-value", in: lag) ?? "") ?? -1
            #expect((120...180).contains(seconds), "\(seconds)")
            let bare = try await client.get("/console", session: session)
            #expect(bare.status == 308)
            #expect(bare.headers[.location] == "/console/")
        }
    }

    @Test("the subscribers list shows each cycle's usage and allowance, searches and sorts on the server")
    func subscribers() async throws {
        let world = try ConsoleWorld()
        try await world.withBrowser { client in
            let session = try await client.signIn("billing@alpha.example", ConsoleWorld.password).token
            let page = try await client.get("/console/subscribers?sort=total&dir=desc", session: session)
            #expect(page.status == 200, "\(page.body)")
            let table = page.element(id: "subscribers", closing: "</table>")
            let rows = ConsolePage.rows(table, attribute: "data-user")
            let users = rows.compactMap { ConsolePage.attribute("data-user", in: $0) }
            #expect(
                users == [
                    "alpha-heavy", "alpha-u1", "=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)",
                    "&quot;&#39;&gt;&lt;svg onload=alert(2)&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;",
                ])
            #expect(table.contains("aria-sort=\"descending\"><a href=\"/console/subscribers?dir=asc&amp;sort=total\">Total</a>"))
            // Plan and the directions are shown, not sorted by.
            #expect(table.contains("<th>Plan</th>") && table.contains("<th class=\"num\">Upload</th>"))
            #expect(try await client.get("/console/subscribers?sort=plan", session: session).status == 400)
            // Ascending, a page of two at a time: a subscriber without usage this cycle (total 0)
            // first, then by total; the pages meet where the two halves of the query do.
            try world.connection.execute("INSERT INTO subscribers (tenant_id, user_name) VALUES (\(world.a.id), 'alpha-idle')")
            var ascending: [String] = []
            for number in 1...3 {
                let page = try await client.get("/console/subscribers?sort=total&dir=asc&limit=2&page=\(number)", session: session)
                ascending += ConsolePage.rows(page.element(id: "subscribers", closing: "</table>"), attribute: "data-user")
                    .compactMap { ConsolePage.attribute("data-user", in: $0) }
            }
            #expect(ascending == ["alpha-idle"] + users.reversed())
            // The same order with a search, which joins instead.
            let searched = try await client.get("/console/subscribers?sort=total&dir=desc&q=alpha-", session: session)
            #expect(
                ConsolePage.rows(searched.element(id: "subscribers", closing: "</table>"), attribute: "data-user")
                    .compactMap { ConsolePage.attribute("data-user", in: $0) } == ["alpha-heavy", "alpha-u1", "alpha-idle"])
            let descending = try await client.get("/console/subscribers?sort=total&dir=desc&limit=3&page=2", session: session)
            #expect(
                ConsolePage.rows(descending.element(id: "subscribers", closing: "</table>"), attribute: "data-user")
                    .compactMap { ConsolePage.attribute("data-user", in: $0) } == Array(users.suffix(2)) + ["alpha-idle"])
            // Heaviest first, two at a time: the first pages come from the cycle's ranking (the
            // heaviest User-Name of the cycle is no subscriber and is left out), the last one
            // reaches the subscriber without usage.
            try world.connection.execute(
                """
                INSERT INTO usage_hourly (tenant_id, subscriber, hour, upload_bytes, download_bytes, session_seconds)
                SELECT id, 'alpha-ghost', '\(world.cycle.first) 12:00'::timestamp AT TIME ZONE time_zone, 99000000000, 0, 60
                FROM tenants WHERE id = \(world.a.id)
                """)
            var heaviest: [String] = []
            var more: [Bool] = []
            for number in 1...3 {
                let page = try await client.get("/console/subscribers?sort=total&dir=desc&limit=2&page=\(number)", session: session)
                heaviest += ConsolePage.rows(page.element(id: "subscribers", closing: "</table>"), attribute: "data-user")
                    .compactMap { ConsolePage.attribute("data-user", in: $0) }
                more.append(page.body.contains("rel=\"next\""))
            }
            #expect(heaviest == users + ["alpha-idle"])
            #expect(more == [true, true, false])
            try world.connection.execute("DELETE FROM subscribers WHERE tenant_id = \(world.a.id) AND user_name = 'alpha-idle'")
            let u1 = try #require(rows.first { $0.contains("data-user=\"alpha-u1\"") })
            #expect(ConsolePage.cell("upload", in: u1) == "3500000")
            #expect(ConsolePage.cell("download", in: u1) == "27000000")
            #expect(ConsolePage.cell("total", in: u1) == "30500000")
            #expect(ConsolePage.cell("allowance", in: u1) == "10000000000")
            #expect(ConsolePage.cell("plan", in: u1) == "alpha-cap")
            #expect(ConsolePage.cell("state", in: u1) == "normal")
            #expect(u1.contains("<svg class=\"meter\""))

            // By name, a page of one at a time: the next link keeps the search and the order.
            let first = try await client.get("/console/subscribers?q=alpha-&sort=user&dir=desc&limit=1", session: session)
            let firstNames = ConsolePage.rows(first.element(id: "subscribers", closing: "</table>"), attribute: "data-user").compactMap {
                ConsolePage.attribute("data-user", in: $0)
            }
            #expect(firstNames == ["alpha-u1"])
            #expect(first.tag(id: "subscribers").isEmpty == false)
            let nextLink = try #require(first.body.components(separatedBy: "rel=\"next\" href=\"").dropFirst().first?.prefix { $0 != "\"" })
            let next = String(nextLink).replacingOccurrences(of: "&amp;", with: "&")
            #expect(next.contains("page=2") && next.contains("q=alpha-") && next.contains("dir=desc") && next.contains("limit=1"))
            let second = try await client.get(next, session: session)
            let secondNames = ConsolePage.rows(second.element(id: "subscribers", closing: "</table>"), attribute: "data-user").compactMap {
                ConsolePage.attribute("data-user", in: $0)
            }
            #expect(secondNames == ["alpha-heavy"])
            #expect(second.body.contains("rel=\"prev\""))
            #expect(!second.body.contains("rel=\"next\""))

            let search = try await client.get("/console/subscribers?q=HEAVY", session: session)
            let found = ConsolePage.rows(search.element(id: "subscribers", closing: "</table>"), attribute: "data-user")
            #expect(found.count == 1)
            #expect(found.first.flatMap { ConsolePage.cell("total", in: $0) } == "9000000000")
            #expect(!search.body.contains("bravo"))
            #expect(try await client.get("/console/subscribers?sort=password", session: session).status == 400)
        }
    }

    @Test("a subscriber's page: one chart group per day with exact figures, hourly chart with window bands, tables")
    func subscriber() async throws {
        let world = try ConsoleWorld()
        try await world.withBrowser { client in
            let session = try await client.signIn("readonly@alpha.example", ConsoleWorld.password).token
            let page = try await client.get("/console/subscribers/alpha-u1?day=\(world.cycle.first)", session: session)
            #expect(page.status == 200, "\(page.body)")
            let mine = world.usage("alpha", period: world.cycle, user: "alpha-u1")
            #expect(ConsolePage.attribute("data-upload", in: page.tag(id: "cycle-usage")) == String(mine.upload))
            #expect(ConsolePage.attribute("data-download", in: page.tag(id: "cycle-usage")) == String(mine.download))
            #expect(mine.upload == 3_500_000 && mine.download == 27_000_000)
            let chart = page.element(id: "daily-chart", closing: "</svg>")
            #expect(chart.components(separatedBy: "<g class=\"day\"").count - 1 == world.cycle.dayCount)
            #expect(chart.contains("<g class=\"day\" data-day=\"\(world.cycle.first)\" data-upload=\"1000000\" data-download=\"20000000\">"))
            if world.today != world.cycle.first {
                #expect(chart.contains("<g class=\"day\" data-day=\"\(world.today)\" data-upload=\"2500000\" data-download=\"7000000\">"))
            }
            #expect(chart.contains("<line class=\"allowance\" data-value=\"10000000000\""))
            #expect(chart.contains("<polyline class=\"cumulative\" data-value=\"30500000\""))
            let hourly = page.element(id: "hourly-chart", closing: "</svg>")
            #expect(hourly.components(separatedBy: "<g class=\"hour\"").count - 1 == 24)
            #expect(hourly.contains("<g class=\"hour\" data-hour=\"10\" data-upload=\"1000000\" data-download=\"20000000\">"))
            #expect(hourly.contains("<g class=\"hour\" data-hour=\"09\" data-upload=\"0\" data-download=\"0\">"))
            // Night 00:00-06:00: six shaded hours.
            #expect(hourly.components(separatedBy: "<rect class=\"band\"").count - 1 == 6)
            let sessions = ConsolePage.rows(page.element(id: "sessions", closing: "</table>"), attribute: "data-session")
            #expect(sessions.count == 1)
            #expect(page.tag(id: "enforcement").contains("table"))
            #expect(page.tag(id: "invoices").contains("table"))
            #expect(page.tag(id: "top-ups").contains("table"))
            // Readonly: no top-up form.
            #expect(!page.body.contains("id=\"top-up\""))
            #expect(!page.body.contains("bravo"))

            // The closed session of alpha-heavy shows its terminate cause.
            let heavy = try await client.get("/console/subscribers/alpha-heavy", session: session)
            #expect(heavy.element(id: "sessions", closing: "</table>").contains("User-Request (1)"))
            // The last cycle's page shows the last cycle's figures.
            let last = try await client.get("/console/subscribers/alpha-u1?period=\(world.cycle.previous)", session: session)
            #expect(ConsolePage.attribute("data-upload", in: last.tag(id: "cycle-usage")) == "123")
            #expect(ConsolePage.attribute("data-download", in: last.tag(id: "cycle-usage")) == "456")
        }
    }

    @Test("the page's figures equal those of tollgate usage (the CLI's ReportStore query)")
    func figuresEqualUsageCommand() async throws {
        let world = try ConsoleWorld()
        let rows = try ReportStore(connection: world.connection).usage(
            tenant: world.a, user: "alpha-u1", from: world.cycle.first.description,
            to: world.cycle.end.description)
        let expected = try #require(rows.first)
        try await world.withBrowser { client in
            let session = try await client.signIn("billing@alpha.example", ConsoleWorld.password).token
            let page = try await client.get("/console/subscribers/alpha-u1", session: session)
            #expect(ConsolePage.attribute("data-upload", in: page.tag(id: "cycle-usage")) == String(expected.uploadBytes))
            #expect(ConsolePage.attribute("data-download", in: page.tag(id: "cycle-usage")) == String(expected.downloadBytes))
            let all = try ReportStore(connection: world.connection).usage(
                tenant: world.a, from: world.cycle.first.description, to: world.cycle.end.description)
            let overview = try await client.get("/console/", session: session)
            #expect(ConsolePage.attribute("data-upload", in: overview.tag(id: "usage-this-cycle")) == String(all.reduce(0) { $0 + $1.uploadBytes }))
            #expect(
                ConsolePage.attribute("data-download", in: overview.tag(id: "usage-this-cycle")) == String(all.reduce(0) { $0 + $1.downloadBytes }))
        }
    }

    @Test("tenant A's staff get 404 for B's subscriber and never see B's names on any usage page")
    func isolation() async throws {
        let world = try ConsoleWorld()
        try await world.withBrowser { client in
            for email in ["billing@alpha.example", "readonly@alpha.example"] {
                let session = try await client.signIn(email, ConsoleWorld.password).token
                #expect(try await client.get("/console/subscribers/bravo-u1", session: session).status == 404)
                #expect(try await client.get("/console/subscribers/bravo-heavy?day=\(world.cycle.first)", session: session).status == 404)
                for path in [
                    "/console/", "/console/subscribers", "/console/subscribers?sort=total&dir=desc", "/console/sessions?state=recent",
                    "/console/top-users", "/console/top-users.csv", "/console/subscribers/alpha-u1",
                ] {
                    let page = try await client.get(path, session: session)
                    #expect(page.status == 200, "\(path): \(page.status)")
                    #expect(!page.body.contains("bravo"), "\(path) shows bravo")
                }
                // Asking for B's user by name finds none of B's sessions (the filter echoes the name only).
                let asked = try await client.get("/console/sessions?state=recent&user=bravo-u1", session: session)
                #expect(ConsolePage.rows(asked.element(id: "sessions", closing: "</table>"), attribute: "data-session").isEmpty)
                #expect(asked.body.components(separatedBy: "bravo").count - 1 == 1)
            }
            let operatorSession = try await client.signIn("operator@alpha.example", ConsoleWorld.password).token
            #expect(try await client.get("/console/subscribers", session: operatorSession).status == 403)
            #expect(try await client.get("/console/top-users.csv", session: operatorSession).status == 403)
            #expect(try await client.get("/console/tenants", session: operatorSession).status == 403)
            let admin = try await client.signIn("admin@platform.example", ConsoleWorld.password).token
            #expect(try await client.get("/console/", session: admin).status == 403)
            #expect(try await client.get("/console/subscribers/alpha-u1", session: admin).status == 403)
            #expect(try await client.get("/console/subscribers", session: nil).status == 303)
        }
    }

    @Test("billing adds a top-up with its audit entry; readonly is refused; a bad amount changes nothing")
    func topUp() async throws {
        let world = try ConsoleWorld()
        try await world.withBrowser { client in
            let readonly = try await client.signIn("readonly@alpha.example", ConsoleWorld.password).token
            let refused = try await client.post(
                "/console/subscribers/alpha-heavy/top-up", session: readonly,
                fields: [("csrf", try await client.csrf(readonly)), ("amount", "10 GB")])
            #expect(refused.status == 403)

            let billing = try await client.signIn("billing@alpha.example", ConsoleWorld.password).token
            let csrf = try await client.csrf(billing)
            let page = try await client.get("/console/subscribers/alpha-heavy", session: billing)
            #expect(page.tag(id: "top-up").contains("method=\"post\""))
            #expect(page.body.contains("<label for=\"amount\">"))
            let forged = try await client.post(
                "/console/subscribers/alpha-heavy/top-up", session: billing, fields: [("csrf", "nope"), ("amount", "10 GB")])
            #expect(forged.status == 403)
            let bad = try await client.post(
                "/console/subscribers/alpha-heavy/top-up", session: billing,
                fields: [("csrf", csrf), ("amount", "lots <i>"), ("note", "kept \"note\"")])
            #expect(bad.status == 422)
            #expect(bad.tag(id: "top-up").contains("method=\"post\""))
            #expect(bad.body.contains("<p class=\"error\" role=\"alert\">Amount &#39;lots &lt;i&gt;&#39; is not an amount such as &quot;10 GB&quot;"))
            #expect(bad.tag(id: "amount").contains("value=\"lots &lt;i&gt;\""))
            #expect(bad.tag(id: "note").contains("value=\"kept &quot;note&quot;\""))
            #expect(ConsolePage.attribute("data-value", in: bad.tag(id: "allowance")) == "10000000000")
            let added = try await client.post(
                "/console/subscribers/alpha-heavy/top-up", session: billing,
                fields: [("csrf", csrf), ("amount", "5 GB"), ("note", "goodwill <b>")])
            #expect(added.status == 303)
            #expect(added.headers[.location] == "/console/subscribers/alpha-heavy")
            let after = try await client.get("/console/subscribers/alpha-heavy", session: billing)
            let topUps = ConsolePage.rows(after.element(id: "top-ups", closing: "</table>"), attribute: "data-top-up")
            #expect(topUps.count == 1)
            #expect(topUps.first.flatMap { ConsolePage.attribute("data-value", in: $0) } == "5000000000")
            #expect(topUps.first?.contains("goodwill &lt;b&gt;") == true)
            // The allowance grows by the top-up: 15 000 000 000.
            #expect(ConsolePage.attribute("data-value", in: after.tag(id: "allowance")) == "15000000000")
            let audit = try AuditLog(connection: world.connection).page(tenant: world.a)
            #expect(audit.map(\.action) == ["top_up.added"])
            #expect(audit.first?.actor == "billing@alpha.example")
            #expect(audit.first?.object == "alpha-heavy")
            #expect(audit.first?.detail == "5000000000 bytes: goodwill <b>")
            // Another tenant's subscriber cannot be topped up: not found, nothing recorded.
            let other = try await client.post("/console/subscribers/bravo-u1/top-up", session: billing, fields: [("csrf", csrf), ("amount", "1 GB")])
            #expect(other.status == 404)
            #expect(try AuditLog(connection: world.connection).page(tenant: world.b).isEmpty)
        }
    }

    @Test("a top-up through the API is audited as its token")
    func apiTopUpAudited() async throws {
        let world = try ConsoleWorld()
        try await world.withBrowser { client in
            let response = try await client.api(.post, "/v1/subscribers/alpha-u1/top-ups", token: world.apiToken, json: "{\"amount\":\"1 GB\"}")
            #expect(response.status == 201, "\(response.body)")
        }
        let audit = try AuditLog(connection: world.connection).page(tenant: world.a)
        #expect(audit.count == 1)
        #expect(audit.first?.actor == "token:\(world.apiTokenID)")
        #expect(audit.first?.action == "top_up.added")
        #expect(audit.first?.detail == "1000000000 bytes")
    }

    @Test("hostile user names render escaped on every page and their links are encoded")
    func hostileNames() async throws {
        let world = try ConsoleWorld()
        try await world.withBrowser { client in
            let session = try await client.signIn("billing@alpha.example", ConsoleWorld.password).token
            for path in [
                "/console/subscribers", "/console/top-users", "/console/subscribers/" + PageQuery.encode(ConsoleWorld.script),
                "/console/subscribers/" + PageQuery.encode(ConsoleWorld.svgAttack) + "?day=\(world.cycle.first)",
            ] {
                let page = try await client.get(path, session: session)
                #expect(page.status == 200, "\(path): \(page.status)")
                #expect(!page.body.contains("<script"), "\(path)")
                #expect(!page.body.contains("<svg onload"), "\(path)")
                #expect(!page.body.contains("'><svg"), "\(path)")
            }
            let page = try await client.get("/console/subscribers/" + PageQuery.encode(ConsoleWorld.svgAttack), session: session)
            #expect(page.body.contains("<h1>Subscriber &quot;&#39;&gt;&lt;svg onload=alert(2)&gt;</h1>"))
            #expect(page.body.contains("<title id=\"daily-chart-title\">Daily usage of &quot;&#39;&gt;&lt;svg onload=alert(2)&gt;,"))
            #expect(page.body.contains("action=\"/console/subscribers/%22%27%3E%3Csvg%20onload%3Dalert%282%29%3E/top-up\""))
            #expect(ConsolePage.attribute("data-upload", in: page.tag(id: "cycle-usage")) == "2000")
        }
    }

    @Test("top users ranks by direction and its CSV has exactly the page's rows, formulas neutralised")
    func topUsers() async throws {
        let world = try ConsoleWorld()
        try await world.withBrowser { client in
            let session = try await client.signIn("readonly@alpha.example", ConsoleWorld.password).token
            let page = try await client.get("/console/top-users?direction=upload&limit=3", session: session)
            #expect(page.status == 200, "\(page.body)")
            let users = ConsolePage.rows(page.element(id: "top-users", closing: "</table>"), attribute: "data-user").compactMap {
                ConsolePage.attribute("data-user", in: $0)
            }
            #expect(users == ["alpha-heavy", "alpha-u1", "=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)"])
            let link = ConsolePage.attribute("href", in: page.tag(id: "top-users-csv"))
            #expect(link == "/console/top-users.csv?period=\(world.cycle)&amp;direction=upload&amp;limit=3")
            let csv = try await client.get("/console/top-users.csv?direction=upload&limit=3&period=\(world.cycle)", session: session)
            #expect(csv.status == 200)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(
                csv.body == """
                    rank,user,upload_bytes,download_bytes,total_bytes\r
                    1,alpha-heavy,1000000000,8000000000,9000000000\r
                    2,alpha-u1,3500000,27000000,30500000\r
                    3,"'=HYPERLINK(""http://evil.example"",""x"")",3000,15000,18000\r

                    """)
            let last = try await client.get("/console/top-users.csv?period=\(world.cycle.previous)", session: session)
            #expect(last.body == "rank,user,upload_bytes,download_bytes,total_bytes\r\n1,alpha-u1,123,456,579\r\n")
            #expect(try await client.get("/console/top-users?period=2026-13", session: session).status == 400)
            // Periods whose neighbours lie outside the calendar's range are refused, never computed.
            for period in ["9000-12", "1000-01", "0999-12"] {
                #expect(try await client.get("/console/top-users?period=\(period)", session: session).status == 400)
                #expect(try await client.get("/console/top-users.csv?period=\(period)", session: session).status == 400)
                #expect(try await client.get("/console/subscribers/alpha-u1?period=\(period)", session: session).status == 400)
            }
        }
    }

    @Test("sessions: active and recent, filtered by user and NAS, with paging")
    func sessions() async throws {
        let world = try ConsoleWorld()
        try await world.withBrowser { client in
            let session = try await client.signIn("operator@alpha.example", ConsoleWorld.password).token
            let active = try await client.get("/console/sessions", session: session)
            let activeRows = ConsolePage.rows(active.element(id: "sessions", closing: "</table>"), attribute: "data-session")
            #expect(activeRows.count == 1)
            #expect(activeRows.first?.contains("alpha-open") == true)
            // Operators do not open subscriber pages: the user is not a link.
            #expect(activeRows.first?.contains("/console/subscribers/") == false)
            let recent = try await client.get("/console/sessions?state=recent&limit=1", session: session)
            let recentRows = ConsolePage.rows(recent.element(id: "sessions", closing: "</table>"), attribute: "data-session")
            #expect(recentRows.count == 1)
            #expect(recent.body.contains("rel=\"next\""))
            let filtered = try await client.get("/console/sessions?state=recent&user=alpha-heavy&nas=alpha-bras", session: session)
            let filteredRows = ConsolePage.rows(filtered.element(id: "sessions", closing: "</table>"), attribute: "data-session")
            #expect(filteredRows.count == 1)
            #expect(filteredRows.first?.contains("alpha-closed") == true)
            #expect(filteredRows.first?.contains("User-Request (1)") == true)
            let none = try await client.get("/console/sessions?state=recent&nas=bravo-bras", session: session)
            #expect(ConsolePage.rows(none.element(id: "sessions", closing: "</table>"), attribute: "data-session").isEmpty)
        }
    }

    @Test("the platform admin's tenants page counts NAS and console users, nothing of their usage")
    func tenants() async throws {
        let world = try ConsoleWorld()
        try await world.withBrowser { client in
            let session = try await client.signIn("admin@platform.example", ConsoleWorld.password).token
            let page = try await client.get("/console/tenants", session: session)
            #expect(page.status == 200, "\(page.body)")
            let rows = ConsolePage.rows(page.element(id: "tenants", closing: "</table>"), attribute: "data-tenant")
            #expect(rows.count == 2)
            #expect(rows.first?.hasPrefix("<tr data-tenant=\"alpha\"") == true)
            #expect(rows.first.flatMap { ConsolePage.cell("nas", in: $0) } == "1")
            #expect(rows.first.flatMap { ConsolePage.cell("users", in: $0) } == "3")
            #expect(rows.first?.contains("Europe/Vienna") == true)
            #expect(!page.body.contains("alpha-u1"))
        }
    }
}
