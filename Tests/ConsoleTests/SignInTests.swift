import Foundation
import HTTPTypes
import Storage
import TestSupport
import Testing

@testable import Console

@Suite("Console sign-in, sessions, CSRF and the security headers", .enabled(if: TestDatabase.available))
struct SignInTests {
    static let users: [(email: String, role: TokenRole, tenant: String?)] = [
        ("op@alpha.example", .operator, "alpha"), ("billing@alpha.example", .billing, "alpha"), ("admin@platform.example", .admin, nil),
    ]
    static let policy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func isToken(_ text: String?) -> Bool {
        guard let text else { return false }
        return text.count == 64 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    @Test("The login page sets the tollgate_login cookie its form repeats; unsigned pages send to it with next")
    func loginPage() async throws {
        let harness = try StaffConsoleHarness()
        try await harness.withBrowser { browser in
            let login = try await browser.get("/console/login")
            #expect(login.status == 200)
            let token = try #require(login.cookie("tollgate_login"))
            #expect(isToken(token))
            #expect(login.setCookie("tollgate_login") == "tollgate_login=\(token); Path=/console; HttpOnly; SameSite=Strict; Max-Age=3600")
            #expect(login.csrf == token)
            #expect(login.body.contains("<form class=\"login\" method=\"post\" action=\"/console/login\">"))
            #expect(login.body.contains("<label for=\"email\">") && login.body.contains("<label for=\"password\">"))
            let again = try await browser.get("/console/login")
            #expect(again.cookie("tollgate_login") != token)

            let away = try await browser.get("/console/audit?action=nas.added")
            #expect(away.status == 303 && away.location == "/console/login?next=%2Fconsole%2Faudit%3Faction%3Dnas%2Eadded")
        }
    }

    @Test("The right password: 303 home, a fresh HttpOnly SameSite=Strict session cookie for /console, the login cookie spent")
    func signIn() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let response = try await browser.signInAttempt("op@alpha.example", StaffConsoleHarness.password)
            #expect(response.status == 303 && response.location == "/console/")
            let token = try #require(response.cookie("tollgate_session"))
            #expect(isToken(token))
            #expect(response.setCookie("tollgate_session") == "tollgate_session=\(token); Path=/console; HttpOnly; SameSite=Strict")
            #expect(response.setCookie("tollgate_login") == "tollgate_login=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0")
            #expect(response.headers[.cacheControl] == "no-store")
            // Only the token's SHA-256 is stored.
            let stored = try harness.connection.query("SELECT encode(token_hash, 'hex') FROM console_sessions").rows
            #expect(stored.count == 1 && stored[0][0] != token && stored[0][0]?.count == 64)

            let page = try await browser.get("/console/audit", session: token)
            #expect(page.status == 200)
            #expect(page.body.contains("op@alpha.example · Alpha ISP · operator"))
            // The email is matched without regard to case; the platform admin lands on tenants.
            let admin = try await browser.signInAttempt("ADMIN@platform.example", StaffConsoleHarness.password)
            #expect(admin.status == 303 && admin.location == "/console/tenants")
        }
        let secure = try StaffConsoleHarness(settings: ConsoleSettings(secureCookies: true), users: Self.users)
        try await secure.withBrowser { browser in
            let response = try await browser.signInAttempt("billing@alpha.example", StaffConsoleHarness.password)
            let token = try #require(response.cookie("tollgate_session"))
            #expect(response.setCookie("tollgate_session") == "tollgate_session=\(token); Path=/console; HttpOnly; SameSite=Strict; Secure")
            let login = try await browser.get("/console/login")
            #expect(login.setCookie("tollgate_login")?.hasSuffix("; Path=/console; HttpOnly; SameSite=Strict; Secure; Max-Age=3600") == true)
        }
    }

    @Test("A wrong password and an unknown email get the same 401 page and no session")
    func wrongPassword() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let message = "<p class=\"error\" role=\"alert\">The email or the password is wrong.</p>"
            let wrong = try await browser.signInAttempt("op@alpha.example", "not the password at all")
            #expect(wrong.status == 401 && wrong.body.contains(message))
            #expect(wrong.cookie("tollgate_session") == nil)
            #expect(wrong.body.contains("value=\"op@alpha.example\""))
            let unknown = try await browser.signInAttempt("nobody@alpha.example", StaffConsoleHarness.password)
            #expect(unknown.status == 401 && unknown.body.contains(message) && unknown.cookie("tollgate_session") == nil)
            #expect(try harness.connection.query("SELECT count(*) FROM console_sessions").rows == [["0"]])
        }
    }

    @Test("Without the login cookie, or with a form token that does not match it: 403 and no session")
    func loginCSRF() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let login = try await browser.get("/console/login")
            let token = try #require(login.cookie("tollgate_login"))
            let fields = [("email", "op@alpha.example"), ("password", StaffConsoleHarness.password)]
            let noField = try await browser.post("/console/login", cookies: ["tollgate_login": token], fields: fields)
            let noCookie = try await browser.post("/console/login", fields: [("csrf", token)] + fields)
            let mismatch = try await browser.post(
                "/console/login", cookies: ["tollgate_login": token],
                fields: [("csrf", String(repeating: "0", count: 64))] + fields)
            for response in [noField, noCookie, mismatch] {
                #expect(response.status == 403)
                #expect(response.body.contains("The sign-in form expired. Please sign in again."))
                #expect(response.cookie("tollgate_session") == nil)
            }
            #expect(try harness.connection.query("SELECT count(*) FROM console_sessions").rows == [["0"]])
        }
    }

    @Test("After login_attempts failures an email is refused (429) even with the right password; other emails are not")
    func attemptLimit() async throws {
        let harness = try StaffConsoleHarness(settings: ConsoleSettings(loginAttempts: 3), users: Self.users)
        try await harness.withBrowser { browser in
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await browser.signInAttempt("op@alpha.example", "wrong password here").status) }
            #expect(statuses == [401, 401, 401])
            let blocked = try await browser.signInAttempt("OP@alpha.example", StaffConsoleHarness.password)
            #expect(blocked.status == 429 && blocked.cookie("tollgate_session") == nil)
            #expect(blocked.body.contains("Too many failed sign-ins. Wait a few minutes and try again."))
            let other = try await browser.signInAttempt("billing@alpha.example", StaffConsoleHarness.password)
            #expect(other.status == 303 && other.cookie("tollgate_session") != nil)
        }
    }

    @Test("Session fixation: a session cookie sent before signing in is never the one after; unknown tokens sign nobody in")
    func fixation() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let planted = String(repeating: "ab", count: 32)
            let response = try await browser.signInAttempt(
                "op@alpha.example", StaffConsoleHarness.password, extraCookies: ["tollgate_session": planted])
            let token = try #require(response.cookie("tollgate_session"))
            #expect(token != planted && isToken(token))
            for unknown in [planted, String(repeating: "0", count: 64), "not-a-token", ""] {
                let page = try await browser.get("/console/audit", session: unknown)
                #expect(page.status == 303 && page.location == "/console/login?next=%2Fconsole%2Faudit", "\(unknown)")
            }
            // Someone else's session taken over by planting its token is still theirs alone:
            // a second sign-in gets a second, different token.
            let second = try await browser.signInAttempt("op@alpha.example", StaffConsoleHarness.password, extraCookies: ["tollgate_session": token])
            #expect(second.cookie("tollgate_session") != token)
            #expect(try harness.connection.query("SELECT count(*) FROM console_sessions").rows == [["2"]])
        }
    }

    @Test("Sign-out without the form token is refused; with it the session ends on the server and the old cookie leads to the login")
    func signOut() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let session = try await browser.signIn("op@alpha.example")
            #expect(isToken(session.csrf) && session.csrf != session.token)
            let refused = try await browser.post("/console/logout", session: session.token, fields: [])
            #expect(refused.status == 403)
            let wrong = try await browser.post("/console/logout", session: session.token, fields: [("csrf", String(repeating: "1", count: 64))])
            #expect(wrong.status == 403)
            #expect(try await browser.get("/console/audit", session: session.token).status == 200)

            let out = try await browser.post("/console/logout", session: session.token, fields: [("csrf", session.csrf)])
            #expect(out.status == 303 && out.location == "/console/login")
            #expect(out.setCookie("tollgate_session") == "tollgate_session=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0")
            #expect(try harness.connection.query("SELECT count(*) FROM console_sessions").rows == [["0"]])
            let after = try await browser.get("/console/audit", session: session.token)
            #expect(after.status == 303 && after.location == "/console/login?next=%2Fconsole%2Faudit")
        }
    }

    @Test("A session ends after the idle timeout and after its lifetime")
    func idleTimeout() async throws {
        let harness = try StaffConsoleHarness(settings: ConsoleSettings(idleTimeout: .seconds(1)), users: Self.users)
        try await harness.withBrowser { browser in
            let session = try await browser.signIn("op@alpha.example")
            try await Task.sleep(for: .milliseconds(1500))
            let idle = try await browser.get("/console/audit", session: session.token)
            #expect(idle.status == 303 && idle.location == "/console/login?next=%2Fconsole%2Faudit")
        }
        let defaults = try StaffConsoleHarness(users: Self.users)
        try await defaults.withBrowser { browser in
            let session = try await browser.signIn("op@alpha.example")
            try defaults.connection.execute("UPDATE console_sessions SET last_seen_at = now() - interval '29 minutes'")
            #expect(try await browser.get("/console/audit", session: session.token).status == 200)
            // That request marked it seen again.
            #expect(try defaults.connection.query("SELECT last_seen_at > now() - interval '1 minute' FROM console_sessions").rows == [["t"]])
            try defaults.connection.execute("UPDATE console_sessions SET last_seen_at = now() - interval '31 minutes'")
            #expect(try await browser.get("/console/audit", session: session.token).status == 303)

            let fresh = try await browser.signIn("op@alpha.example")
            try defaults.connection.execute("UPDATE console_sessions SET created_at = now() - interval '13 hours'")
            #expect(try await browser.get("/console/audit", session: fresh.token).status == 303)
        }
    }

    @Test("next leads only within the console and the viewer's sections")
    func next() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let cases: [(String, String)] = [
                ("//evil.example", "/console/"), ("https://evil", "/console/"), ("/console/../x", "/console/"),
                ("/console/%2e%2e/x", "/console/"), ("/console/nas/%2E./../x", "/console/"), ("/console/\\\\evil", "/console/"),
                ("/\\evil.example", "/console/"), ("javascript:alert(1)", "/console/"),
                ("/console/nas?sort=name", "/console/nas?sort=name"), ("/console/plans", "/console/"),
            ]
            for (next, expected) in cases {
                let response = try await browser.signInAttempt("op@alpha.example", StaffConsoleHarness.password, next: next)
                #expect(response.status == 303 && response.location == expected, "\(next) -> \(response.location ?? "nil")")
            }
            let hidden = try await browser.get("/console/login?next=%2F%2Fevil.example")
            #expect(hidden.field("next") == "")
        }
    }

    @Test("Every console page carries the policy, nosniff, no-store and DENY; a form from another origin is 403")
    func headers() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try await harness.withBrowser { browser in
            let session = try await browser.signIn("op@alpha.example")
            let billing = try await browser.signIn("billing@alpha.example")
            let pages = [
                try await browser.get("/console/login"),
                try await browser.signInAttempt("op@alpha.example", "wrong password here"),
                try await browser.get("/console/audit", session: session.token),
                try await browser.get("/console/nas", session: session.token),
                try await browser.get("/console/nas/missing", session: session.token),
                try await browser.get("/console/nas", session: billing.token),
            ]
            #expect(pages.map(\.status) == [200, 401, 200, 200, 404, 403])
            for page in pages {
                #expect(page.headers[.contentSecurityPolicy] == Self.policy)
                #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(page.headers[.cacheControl] == "no-store")
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                #expect(!page.body.contains("<script") && !page.body.contains("style=\""))
            }
            let css = try await browser.get("/console/static/console.css")
            #expect(css.status == 200 && css.headers[.contentSecurityPolicy] == Self.policy && css.headers[.contentType] == "text/css; charset=utf-8")

            let evil: HTTPFields = [.origin: "https://evil.example"]
            let login = try await browser.get("/console/login")
            let foreignLogin = try await browser.post(
                "/console/login", cookies: ["tollgate_login": login.cookie("tollgate_login") ?? ""],
                fields: [
                    ("csrf", login.csrf ?? ""), ("email", "op@alpha.example"),
                    ("password", StaffConsoleHarness.password),
                ], headers: evil)
            #expect(foreignLogin.status == 403 && foreignLogin.cookie("tollgate_session") == nil)
            #expect(foreignLogin.body.contains("This form was sent from another site."))
            let foreignForm = try await browser.post(
                "/console/nas", session: session.token,
                fields: [("csrf", session.csrf), ("name", "edge"), ("address", "10.1.0.9"), ("secret", "a-long-shared-secret")],
                headers: evil)
            #expect(foreignForm.status == 403)
            let foreignSignOut = try await browser.post("/console/logout", session: session.token, fields: [("csrf", session.csrf)], headers: evil)
            #expect(foreignSignOut.status == 403)
            #expect(try harness.connection.query("SELECT count(*) FROM nas_devices").rows == [["0"]])
            #expect(try await browser.get("/console/audit", session: session.token).status == 200)
        }
    }
}
