import Foundation
import Storage
import TestSupport
import Testing

@testable import Console

@Suite("Console NAS pages: register, rotate, dynamic authorization, remove, health; roles, CSRF, isolation", .enabled(if: TestDatabase.available))
struct NASPagesTests {
    static let users: [(email: String, role: TokenRole, tenant: String?)] = [
        ("op@alpha.example", .operator, "alpha"), ("billing@alpha.example", .billing, "alpha"), ("ro@alpha.example", .readonly, "alpha"),
        ("op@bravo.example", .operator, "bravo"), ("admin@platform.example", .admin, nil),
    ]

    /// The secrets of a tenant's NAS as the collector opens them: "name secret".
    func registrySecrets(_ harness: StaffConsoleHarness, _ tenant: Tenant) throws -> [String] {
        try NASStore(connection: harness.connection, cipher: TestDatabase.cipher).loadRegistry().devices
            .filter { $0.device.tenantID == tenant.id }
            .map { "\($0.device.name) \(String(decoding: $0.secret, as: UTF8.self))" }.sorted()
    }

    /// What the enforcer would use for one NAS: "port vendor secret".
    func reached(_ harness: StaffConsoleHarness, _ name: String) throws -> String {
        let store = NASStore(connection: harness.connection, cipher: TestDatabase.cipher)
        let id = try store.find(tenant: harness.a, name: name).id
        let settings = try #require(try store.dynamicAuthorization(tenantID: harness.a.id, nasIDs: [id])[id])
        return "\(settings.port) \(settings.vendor) \(String(decoding: settings.secret, as: UTF8.self))"
    }

    /// The tenant's audit log, oldest first: "actor action object detail".
    func audit(_ harness: StaffConsoleHarness, _ tenant: Tenant) throws -> [String] {
        try AuditLog(connection: harness.connection).page(tenant: tenant, limit: 1000).reversed()
            .map { "\($0.actor) \($0.action) \($0.object) \($0.detail)" }
    }

    func register(_ browser: StaffBrowser, _ session: Session, _ name: String, _ address: String, _ secret: String) async throws -> ConsolePage {
        try await browser.post(
            "/console/nas", session: session.token,
            fields: [("csrf", session.csrf), ("name", name), ("address", address), ("secret", secret)])
    }

    @Test("Registering through the form stores exactly what NASStore lists, with the secret the collector opens; audited")
    func registers() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let op = try await browser.signIn("op@alpha.example")
            let form = try await browser.get("/console/nas", session: op.token)
            #expect(form.status == 200)
            #expect(form.body.contains("<form id=\"new-nas\" class=\"stacked\" method=\"post\" action=\"/console/nas\">"))
            for field in ["nas-name", "nas-address", "nas-secret"] { #expect(form.body.contains("<label for=\"\(field)\">")) }
            #expect(form.rows("nas").map(ConsolePage.cells) == [["No NAS registered yet."]])

            let added = try await register(browser, op, "edge-1", "10.1.0.1", "edge-shared-secret-1")
            #expect(added.status == 303 && added.location == "/console/nas/edge-1?done=added")
            let devices = try NASStore(connection: harness.connection, cipher: TestDatabase.cipher).list(tenant: harness.a)
            #expect(devices.count == 1)
            let device = try #require(devices.first)
            #expect(
                device
                    == NASDevice(
                        id: device.id, tenantID: harness.a.id, name: "edge-1", listener: "default", address: "10.1.0.1/32",
                        identifier: nil, weakSecret: false, requireMessageAuthenticator: false, coaPort: 3799, vendor: "generic",
                        hasCoASecret: false, weakCoASecret: false))
            #expect(try registrySecrets(harness, harness.a) == ["edge-1 edge-shared-secret-1"])
            #expect(try reached(harness, "edge-1") == "3799 generic edge-shared-secret-1")
            #expect(try audit(harness, harness.a) == ["op@alpha.example nas.added edge-1 address=10.1.0.1 listener=default"])

            let shown = try await browser.get("/console/nas/edge-1?done=added", session: op.token)
            #expect(shown.status == 200 && shown.body.contains("<h1>NAS edge-1</h1>"))
            #expect(shown.body.contains("The NAS is registered."))
            for id in ["rotate-secret", "coa-settings", "remove-nas"] { #expect(shown.body.contains("<form id=\"\(id)\"")) }
            #expect(shown.rows("nas-health").map(ConsolePage.cells) == [["never", "never", "", "0", ""]])
            let list = try await browser.get("/console/nas", session: op.token)
            #expect(list.rows("nas").map(ConsolePage.cells) == [["edge-1", "10.1.0.1/32", "default", "generic", "3799", "never", "0", "never"]])
            #expect(list.rows("nas").first?.hasPrefix("<tr data-nas=\"edge-1\">") == true)
            for page in [form, shown, list] { #expect(!page.body.contains("edge-shared-secret-1")) }

            // A short secret is accepted (real NAS use them) and flagged.
            #expect(try await register(browser, op, "edge-2", "2001:db8::7", "short").status == 303)
            let flagged = try await browser.get("/console/nas", session: op.token)
            #expect(
                flagged.rows("nas").map(ConsolePage.cells) == [
                    ["edge-1", "10.1.0.1/32", "default", "generic", "3799", "never", "0", "never"],
                    ["edge-2 weak secret", "2001:db8::7/128", "default", "generic", "3799", "never", "0", "never"],
                ])
        }
    }

    @Test("Rotation replaces the secret; the CoA settings are stored exactly; cleared; all audited without secrets")
    func rotateAndCoA() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let op = try await browser.signIn("op@alpha.example")
            #expect(try await register(browser, op, "edge-1", "10.1.0.1", "edge-shared-secret-1").status == 303)

            let rotated = try await browser.post(
                "/console/nas/edge-1/secret", session: op.token, fields: [("csrf", op.csrf), ("secret", "rotated-secret-2026")])
            #expect(rotated.status == 303 && rotated.location == "/console/nas/edge-1?done=rotated")
            #expect(try registrySecrets(harness, harness.a) == ["edge-1 rotated-secret-2026"])

            let coa = try await browser.post(
                "/console/nas/edge-1/coa", session: op.token,
                fields: [("csrf", op.csrf), ("coa_port", "1700"), ("vendor", "mikrotik"), ("coa_secret", "coa-secret-of-edge")])
            #expect(coa.status == 303 && coa.location == "/console/nas/edge-1?done=updated")
            let device = try NASStore(connection: harness.connection, cipher: TestDatabase.cipher).find(tenant: harness.a, name: "edge-1")
            #expect(device.coaPort == 1700 && device.vendor == "mikrotik" && device.hasCoASecret && !device.weakCoASecret)
            #expect(try reached(harness, "edge-1") == "1700 mikrotik coa-secret-of-edge")
            // The accounting secret is untouched by the CoA secret.
            #expect(try registrySecrets(harness, harness.a) == ["edge-1 rotated-secret-2026"])

            let page = try await browser.get("/console/nas/edge-1", session: op.token)
            #expect(page.body.contains("id=\"coa-port\" name=\"coa_port\" inputmode=\"numeric\" required maxlength=\"5\" value=\"1700\""))
            #expect(page.body.contains("id=\"coa-vendor\" name=\"vendor\" required maxlength=\"40\" value=\"mikrotik\""))
            #expect(!page.body.contains("coa-secret-of-edge") && !page.body.contains("rotated-secret-2026"))

            // An empty CoA secret keeps the one there is.
            let kept = try await browser.post(
                "/console/nas/edge-1/coa", session: op.token,
                fields: [("csrf", op.csrf), ("coa_port", "3800"), ("vendor", "mikrotik"), ("coa_secret", "")])
            #expect(kept.status == 303)
            #expect(try reached(harness, "edge-1") == "3800 mikrotik coa-secret-of-edge")
            let cleared = try await browser.post(
                "/console/nas/edge-1/coa", session: op.token,
                fields: [("csrf", op.csrf), ("coa_port", "3799"), ("vendor", "generic"), ("clear_coa_secret", "1")])
            #expect(cleared.status == 303)
            #expect(try reached(harness, "edge-1") == "3799 generic rotated-secret-2026")

            #expect(
                try audit(harness, harness.a) == [
                    "op@alpha.example nas.added edge-1 address=10.1.0.1 listener=default",
                    "op@alpha.example nas.secret_rotated edge-1 ",
                    "op@alpha.example nas.updated edge-1 coa_port=1700 coa_secret=set vendor=mikrotik",
                    "op@alpha.example nas.updated edge-1 coa_port=3800 vendor=mikrotik",
                    "op@alpha.example nas.updated edge-1 coa_port=3799 coa_secret=removed vendor=generic",
                ])
        }
    }

    @Test("Refused input shows the form again with the message and the entered values, never the secret; nothing is stored")
    func validation() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let op = try await browser.signIn("op@alpha.example")
            #expect(try await register(browser, op, "edge-1", "10.1.0.1", "edge-shared-secret-1").status == 303)
            let secret = "Secret-Never-Shown-42"
            let cases: [(name: String, address: String, secret: String, status: Int, message: String)] = [
                ("edge-2", "10.1.0", secret, 422, "address: &#39;10.1.0&#39; is not an IPv4 address a.b.c.d[/len] or an IPv6 address"),
                ("edge-2", "not-an-ip", secret, 422, "address: &#39;not-an-ip&#39; is not an IPv4 address a.b.c.d[/len] or an IPv6 address"),
                (
                    "edge-2", "10.0.0.0/8", secret, 422,
                    "address: a prefix shorter than /16 is registered by the platform operator (tollgate nas add), not through the API"
                ),
                (
                    "edge-2", "10.1.0.9/24", secret, 422,
                    "&#39;10.1.0.9/24&#39; is not an IP address or prefix (e.g. 10.0.0.1 or 10.0.0.0/24, host bits zero)"
                ),
                (
                    "edge-2", "<b>x</b>", secret, 422,
                    "address: &#39;&lt;b&gt;x&lt;/b&gt;&#39; is not an IPv4 address a.b.c.d[/len] or an IPv6 address"
                ),
                ("edge-2", "10.1.0.2", "", 422, "the shared secret must be 1-128 octets"),
                ("edge-2", "10.1.0.2", String(repeating: "s", count: 129), 422, "the shared secret must be 1-128 octets"),
                ("", "10.1.0.2", secret, 422, "Name is required"),
                ("edge-1", "10.1.0.2", secret, 409, "tenant &#39;alpha&#39; already has a NAS named &#39;edge-1&#39;"),
                (
                    "edge-2", "10.1.0.1", secret, 409,
                    "packets from 10.1.0.1/32 on listener &#39;default&#39; could not be told apart from NAS alpha/edge-1 (10.1.0.1/32): use another listener, a non-overlapping address, or distinct --identifier values on both"
                ),
            ]
            for c in cases {
                let response = try await register(browser, op, c.name, c.address, c.secret)
                #expect(response.status == c.status, "\(c.address): \(response.status)")
                #expect(response.body.contains("<p class=\"error\" role=\"alert\">\(c.message)</p>"), "\(c.address): \(response.body)")
                let escapedAddress = c.address.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                #expect(response.body.contains("value=\"\(c.name)\"") && response.body.contains("value=\"\(escapedAddress)\""), "\(c.address)")
                #expect(c.secret.isEmpty || !response.body.contains(c.secret))
                #expect(!response.body.contains("<b>"))
                #expect(response.rows("nas").count == 1)
            }
            #expect(try registrySecrets(harness, harness.a) == ["edge-1 edge-shared-secret-1"])

            let badSecret = try await browser.post("/console/nas/edge-1/secret", session: op.token, fields: [("csrf", op.csrf), ("secret", "")])
            #expect(
                badSecret.status == 422 && badSecret.body.contains("<p class=\"error\" role=\"alert\">the shared secret must be 1-128 octets</p>"))
            let coaCases: [([(String, String)], String)] = [
                ([("coa_port", "0"), ("vendor", "generic")], "CoA port must be a whole number from 1 to 65535 (RFC 5176 assigns 3799)"),
                ([("coa_port", "70000"), ("vendor", "generic")], "CoA port must be a whole number from 1 to 65535 (RFC 5176 assigns 3799)"),
                (
                    [("coa_port", "3799"), ("vendor", "../etc")],
                    "vendor must be 1-40 characters of a-z, 0-9, &#39;-&#39; and &#39;_&#39;, beginning with a letter or digit: the name of a profile in Config/vendors"
                ),
                (
                    [("coa_port", "3799"), ("vendor", "generic"), ("coa_secret", "a-coa-secret-99"), ("clear_coa_secret", "1")],
                    "Enter a new CoA secret or clear it, not both"
                ),
            ]
            for (fields, message) in coaCases {
                let response = try await browser.post("/console/nas/edge-1/coa", session: op.token, fields: [("csrf", op.csrf)] + fields)
                #expect(response.status == 422 && response.body.contains("<p class=\"error\" role=\"alert\">\(message)</p>"), "\(fields)")
                #expect(response.body.contains("name=\"coa_port\" inputmode=\"numeric\" required maxlength=\"5\" value=\"\(fields[0].1)\""))
                #expect(response.body.contains("name=\"vendor\" required maxlength=\"40\" value=\"\(fields[1].1)\""))
                #expect(!response.body.contains("a-coa-secret-99"))
            }
            #expect(try reached(harness, "edge-1") == "3799 generic edge-shared-secret-1")
            #expect(try audit(harness, harness.a) == ["op@alpha.example nas.added edge-1 address=10.1.0.1 listener=default"])
        }
    }

    @Test("Forms without the CSRF token, or with another one, are 403 and change nothing")
    func csrf() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let op = try await browser.signIn("op@alpha.example")
            let other = try await browser.signIn("op@alpha.example")
            #expect(other.csrf != op.csrf)
            #expect(try await register(browser, op, "edge-1", "10.1.0.1", "edge-shared-secret-1").status == 303)
            let posts: [(String, [(String, String)])] = [
                ("/console/nas", [("name", "edge-2"), ("address", "10.1.0.2"), ("secret", "edge-shared-secret-2")]),
                ("/console/nas/edge-1/secret", [("secret", "changed-secret-123")]),
                ("/console/nas/edge-1/coa", [("coa_port", "1700"), ("vendor", "mikrotik")]),
                ("/console/nas/edge-1/remove", [("confirm", "yes")]),
            ]
            for (path, fields) in posts {
                for token in [nil, other.csrf, ""] as [String?] {
                    let response = try await browser.post(path, session: op.token, fields: (token.map { [("csrf", $0)] } ?? []) + fields)
                    #expect(response.status == 403, "\(path) \(token ?? "none")")
                    #expect(response.body.contains("This form has expired or did not come from this console."))
                }
            }
            #expect(try registrySecrets(harness, harness.a) == ["edge-1 edge-shared-secret-1"])
            #expect(try reached(harness, "edge-1") == "3799 generic edge-shared-secret-1")
            #expect(try audit(harness, harness.a).count == 1)
            // Signed out, a form leads to the login, not to a change.
            let anonymous = try await browser.post("/console/nas/edge-1/remove", fields: [("csrf", op.csrf), ("confirm", "yes")])
            #expect(anonymous.status == 303 && anonymous.location?.hasPrefix("/console/login?next=") == true)
            #expect(try registrySecrets(harness, harness.a) == ["edge-1 edge-shared-secret-1"])
        }
    }

    @Test("Billing, readonly and the platform admin get 403 on every NAS page and form; the audit page is billing's and operators'")
    func roles() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let op = try await browser.signIn("op@alpha.example")
            #expect(try await register(browser, op, "edge-1", "10.1.0.1", "edge-shared-secret-1").status == 303)
            for email in ["billing@alpha.example", "ro@alpha.example", "admin@platform.example"] {
                let session = try await browser.signIn(email)
                #expect(try await browser.get("/console/nas", session: session.token).status == 403, "\(email)")
                #expect(try await browser.get("/console/nas/edge-1", session: session.token).status == 403, "\(email)")
                let posts: [(String, [(String, String)])] = [
                    ("/console/nas", [("name", "edge-2"), ("address", "10.1.0.2"), ("secret", "edge-shared-secret-2")]),
                    ("/console/nas/edge-1/secret", [("secret", "changed-secret-123")]),
                    ("/console/nas/edge-1/coa", [("coa_port", "1700"), ("vendor", "mikrotik")]),
                    ("/console/nas/edge-1/remove", [("confirm", "yes")]),
                ]
                for (path, fields) in posts {
                    let response = try await browser.post(path, session: session.token, fields: [("csrf", session.csrf)] + fields)
                    #expect(response.status == 403 && response.body.contains("Your role may not open this page."), "\(email) \(path)")
                }
                // The navigation offers no NAS section to them.
                let audit = try await browser.get("/console/audit", session: session.token)
                #expect(!audit.body.contains("href=\"/console/nas\""))
                #expect(audit.status == (email.hasPrefix("billing") ? 200 : 403), "\(email)")
            }
            #expect(try await browser.get("/console/audit", session: op.token).status == 200)
            #expect(try registrySecrets(harness, harness.a) == ["edge-1 edge-shared-secret-1"])
            #expect(try audit(harness, harness.a).count == 1)
        }
    }

    @Test("Tenant A's operator never sees B's NAS: not listed, 404 for its page and forms, B's audit entries not shown")
    func isolation() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let bravo = try await browser.signIn("op@bravo.example")
            #expect(try await register(browser, bravo, "bravo-bras", "10.2.0.1", "bravo-shared-secret").status == 303)
            let alpha = try await browser.signIn("op@alpha.example")
            #expect(try await register(browser, alpha, "alpha-bras", "10.1.0.1", "alpha-shared-secret").status == 303)

            let list = try await browser.get("/console/nas", session: alpha.token)
            #expect(list.rows("nas").map { ConsolePage.cells($0)[0] } == ["alpha-bras"])
            #expect(!list.body.contains("bravo-bras") && !list.body.contains("10.2.0.1"))
            #expect(try await browser.get("/console/nas/bravo-bras", session: alpha.token).status == 404)
            for (path, fields) in [
                ("/console/nas/bravo-bras/secret", [("secret", "taken-over-secret")]),
                ("/console/nas/bravo-bras/coa", [("coa_port", "1700"), ("vendor", "mikrotik")]),
                ("/console/nas/bravo-bras/remove", [("confirm", "yes")]),
                ("/console/nas/bravo-bras/remove", []),
            ] {
                let response = try await browser.post(path, session: alpha.token, fields: [("csrf", alpha.csrf)] + fields)
                #expect(response.status == 404, "\(path)")
                #expect(!response.body.contains("10.2.0.1") && !response.body.contains("Bravo ISP"), "\(path)")
            }
            #expect(try registrySecrets(harness, harness.b) == ["bravo-bras bravo-shared-secret"])
            let auditPage = try await browser.get("/console/audit", session: alpha.token)
            #expect(auditPage.rows("audit").map { ConsolePage.cells($0)[1...3].joined(separator: " ") } == ["op@alpha.example nas.added alpha-bras"])
            #expect(!auditPage.body.contains("bravo"))
            #expect(try audit(harness, harness.b) == ["op@bravo.example nas.added bravo-bras address=10.2.0.1 listener=default"])
        }
    }

    @Test("Removing asks first (form#confirm-remove); confirmed, the NAS is gone and the removal audited")
    func remove() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let op = try await browser.signIn("op@alpha.example")
            #expect(try await register(browser, op, "edge-1", "10.1.0.1", "edge-shared-secret-1").status == 303)
            let ask = try await browser.post("/console/nas/edge-1/remove", session: op.token, fields: [("csrf", op.csrf)])
            #expect(ask.status == 200 && ask.body.contains("<h1>Remove NAS edge-1?</h1>"))
            #expect(ask.body.contains("<form id=\"confirm-remove\" method=\"post\" action=\"/console/nas/edge-1/remove\">"))
            #expect(ask.body.contains("<input type=\"hidden\" name=\"confirm\" value=\"yes\">") && ask.body.contains("<button id=\"confirm\""))
            #expect(try registrySecrets(harness, harness.a) == ["edge-1 edge-shared-secret-1"])

            let done = try await browser.post("/console/nas/edge-1/remove", session: op.token, fields: [("csrf", op.csrf), ("confirm", "yes")])
            #expect(done.status == 303 && done.location == "/console/nas?done=removed")
            #expect(try registrySecrets(harness, harness.a) == [])
            let list = try await browser.get("/console/nas?done=removed", session: op.token)
            #expect(list.body.contains("The NAS is removed") && list.rows("nas").map(ConsolePage.cells) == [["No NAS registered yet."]])
            #expect(try await browser.get("/console/nas/edge-1", session: op.token).status == 404)
            #expect(
                try audit(harness, harness.a) == [
                    "op@alpha.example nas.added edge-1 address=10.1.0.1 listener=default",
                    "op@alpha.example nas.removed edge-1 ",
                ])
        }
    }

    @Test("Hostile names render escaped in the list, the NAS page, the confirmation and the audit log; links are percent-encoded")
    func hostile() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let op = try await browser.signIn("op@alpha.example")
            let name = "<img src=x onerror=alert(1)>\"'&/x"
            let escaped = "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;/x"
            let added = try await register(browser, op, name, "10.1.0.1", "edge-shared-secret-1")
            let encoded = "%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%22%27%26%2Fx"
            #expect(added.status == 303 && added.location == "/console/nas/\(encoded)?done=added")
            let list = try await browser.get("/console/nas", session: op.token)
            let device = try await browser.get("/console/nas/\(encoded)", session: op.token)
            let confirm = try await browser.post("/console/nas/\(encoded)/remove", session: op.token, fields: [("csrf", op.csrf)])
            let auditPage = try await browser.get("/console/audit", session: op.token)
            let statuses: [Int] = [list.status, device.status, confirm.status, auditPage.status]
            #expect(statuses == [200, 200, 200, 200])
            #expect(list.body.contains("<tr data-nas=\"\(escaped)\">") && list.body.contains("<a href=\"/console/nas/\(encoded)\">\(escaped)</a>"))
            #expect(device.body.contains("<h1>NAS \(escaped)</h1>") && device.body.contains("action=\"/console/nas/\(encoded)/secret\""))
            #expect(confirm.body.contains("<strong>\(escaped)</strong>"))
            #expect(auditPage.rows("audit").map { ConsolePage.cells($0)[3] } == [escaped])
            for page in [list, device, confirm, auditPage] { #expect(!page.body.contains("<img")) }
        }
    }

    @Test("Health: last packet heard, silence, open sessions, last reboot, and the requests sent to the NAS with their outcomes")
    func health() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let op = try await browser.signIn("op@alpha.example")
            #expect(try await register(browser, op, "edge-1", "10.1.0.1", "edge-shared-secret-1").status == 303)
            #expect(try await register(browser, op, "edge-2", "10.1.0.2", "edge-shared-secret-2").status == 303)
            let store = NASStore(connection: harness.connection, cipher: TestDatabase.cipher)
            let nas = try store.find(tenant: harness.a, name: "edge-1").id
            let tenant = String(harness.a.id)
            try harness.connection.query(
                "INSERT INTO nas_activity (tenant_id, nas_id, last_heard_at) VALUES ($1, $2, '2026-11-01 10:00:00+00')",
                [tenant, String(nas)])
            try harness.connection.query(
                "INSERT INTO nas_reboots (tenant_id, nas_id, received_at) VALUES ($1, $2, '2026-10-30 08:00:00+00')",
                [tenant, String(nas)])
            // Two open sessions, one closed, and one opened by an Interim for a session the merger
            // has no event of yet (not open as the overview and the reaper count sessions).
            for (i, (stopped, events)) in [(false, true), (false, true), (true, true), (false, false)].enumerated() {
                try harness.connection.query(
                    """
                    INSERT INTO sessions (tenant_id, nas_id, acct_session_id, user_name, nas_port, stopped_at, has_events)
                    VALUES ($1, $2, $3, 'u\(i)', '1', CASE WHEN $4::boolean THEN now() END, $5)
                    """, [tenant, String(nas), "s\(i)", stopped ? "true" : "false", events ? "true" : "false"])
            }
            let session = try harness.connection.query("SELECT min(id) FROM sessions").rows[0][0]!
            for (key, action, status, detail) in [("c1", "throttle", "acked", nil), ("c2", "disconnect", "timeout", "no answer after 3 attempts")]
                as [(String, String, String, String?)]
            {
                try harness.connection.query(
                    """
                    INSERT INTO enforcement_requests (tenant_id, user_name, session_id, nas_id, acct_session_id, action, reason, decision_key, status,
                                                      attempts, detail, decided_at, completed_at)
                    VALUES ($1, 'u0', $2, $3, 's0', $4, 'crossing', $5, $6, 3, $7, '2026-11-01 09:00:00+00', '2026-11-01 09:00:05+00')
                    """, [tenant, session, String(nas), action, key, status, detail])
            }

            let list = try await browser.get("/console/nas?sort=sessions&dir=desc", session: op.token)
            #expect(
                list.rows("nas").map(ConsolePage.cells) == [
                    ["edge-1", "10.1.0.1/32", "default", "generic", "3799", "2026-11-01T10:00:00Z", "2", "ok"],
                    ["edge-2", "10.1.0.2/32", "default", "generic", "3799", "never", "0", "never"],
                ])
            #expect(list.body.contains("aria-sort=\"descending\"><a href=\"/console/nas?sort=sessions\">Open sessions</a>"))
            let page = try await browser.get("/console/nas/edge-1", session: op.token)
            #expect(page.rows("nas-health").map(ConsolePage.cells) == [["ok", "2026-11-01T10:00:00Z", "", "2", "2026-10-30T08:00:00Z"]])
            #expect(
                page.rows("enforcement").map(ConsolePage.cells) == [
                    ["2026-11-01T09:00:00Z", "u0", "disconnect", "crossing", "timeout", "3", "2026-11-01T09:00:05Z", "no answer after 3 attempts"],
                    ["2026-11-01T09:00:00Z", "u0", "throttle", "crossing", "acked", "3", "2026-11-01T09:00:05Z", ""],
                ])
            try harness.connection.execute("UPDATE nas_activity SET silent_reported_at = '2026-11-01 11:00:00+00'")
            let silent = try await browser.get("/console/nas/edge-1", session: op.token)
            #expect(
                silent.rows("nas-health").map(ConsolePage.cells) == [
                    ["silent", "2026-11-01T10:00:00Z", "2026-11-01T11:00:00Z", "2", "2026-10-30T08:00:00Z"]
                ])
            let quiet = try await browser.get("/console/nas/edge-2", session: op.token)
            #expect(quiet.rows("enforcement").map(ConsolePage.cells) == [["No requests sent to this NAS."]])
        }
    }

    @Test("The list sorts on the server and pages with limit; bad sort or limit is 400")
    func sortingAndPaging() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let op = try await browser.signIn("op@alpha.example")
            for (name, address) in [("c", "10.1.0.3"), ("a", "10.1.0.9"), ("b", "10.1.0.1")] {
                #expect(try await register(browser, op, name, address, "shared-secret-\(name)-long").status == 303)
            }
            func names(_ query: String) async throws -> [String] {
                try await browser.get("/console/nas\(query)", session: op.token).rows("nas").map { ConsolePage.cells($0)[0] }
            }
            #expect(try await names("") == ["a", "b", "c"])
            #expect(try await names("?sort=name&dir=desc") == ["c", "b", "a"])
            #expect(try await names("?sort=address") == ["b", "c", "a"])
            #expect(try await names("?limit=2") == ["a", "b"])
            #expect(try await names("?limit=2&page=2") == ["c"])
            let first = try await browser.get("/console/nas?limit=2", session: op.token)
            #expect(first.body.contains("<a rel=\"next\" href=\"/console/nas?limit=2&amp;page=2\">Next</a>"))
            let second = try await browser.get("/console/nas?limit=2&page=2", session: op.token)
            #expect(second.body.contains("<a rel=\"prev\" href=\"/console/nas?limit=2\">Previous</a>") && !second.body.contains("rel=\"next\""))
            for bad in ["?sort=secret", "?dir=up", "?limit=0", "?limit=501", "?page=0"] {
                #expect(try await browser.get("/console/nas\(bad)", session: op.token).status == 400, "\(bad)")
            }
        }
    }
}
