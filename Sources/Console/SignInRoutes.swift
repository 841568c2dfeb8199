import API
import Foundation
import HTTPTypes
import Hummingbird
import Storage

extension TollgateConsole {
    /// The login cookie: a random token the sign-in form repeats (double submit), so another
    /// site cannot sign a browser in to an account of its choosing.
    static let loginCookie = "tollgate_login"

    struct LoginForm {
        var csrf: String
        var next: String
        var email: String
        var message: String?
    }

    func registerSignIn<Context: RequestContext>(on router: Router<Context>) {
        router.get("console/login") { request, _ in
            if let viewer = try? await signedIn(request) {
                return Response(status: .seeOther, headers: [.location: ConsoleSection.home(for: viewer.role).path])
            }
            let next = Self.safeNext(request.uri.queryParameters["next"].map(String.init))
            return signInPage(LoginForm(csrf: Self.randomToken(), next: next, email: "", message: nil), status: .ok)
        }
        router.post("console/login") { request, context in
            try await signIn(request, client: Self.clientAddress(context))
        }
        router.post("console/logout") { request, _ in
            try await signOut(request)
        }
    }

    /// Checks the form, the attempt limit and the password; starts a new session.
    func signIn(_ request: Request, client: String?) async throws -> Response {
        let fields: FormFields
        do {
            fields = try await Self.formFields(request)
            try Self.checkOrigin(request)
        } catch {
            return failurePage(error, viewer: nil, section: nil)
        }
        let next = Self.safeNext(fields["next"])
        let email = String((fields["email"] ?? "").prefix(254))
        let again = { (message: String, status: HTTPResponse.Status) in
            signInPage(LoginForm(csrf: Self.randomToken(), next: next, email: email, message: message), status: status)
        }
        guard let presented = fields["csrf"], let expected = Self.cookie(request, Self.loginCookie),
            Self.constantTimeEqual(presented, expected)
        else {
            return again("The sign-in form expired. Please sign in again.", .forbidden)
        }
        // Failures count per email and client address together, so nobody elsewhere can lock a
        // person out by guessing their email; and per client address, with more room (many
        // people may share one address behind a proxy), so one client cannot try many emails.
        let pair = "email:" + email.lowercased() + (client.map { "|client:" + $0 } ?? "")
        var keys: [(key: String, limit: Int)] = [(pair, self.settings.loginAttempts)]
        if let client { keys.append(("client:" + client, self.settings.loginAttempts * 10)) }
        guard limiter.admit(keys) else {
            logger.warning("console sign-in refused: too many failures", metadata: ["email": "\(email)", "client": "\(client ?? "")"])
            return again("Too many failed sign-ins. Wait a few minutes and try again.", .tooManyRequests)
        }
        let password = fields.values["password"]?.first ?? ""
        let settings = self.settings
        let started: (token: String, session: ConsoleSession)?
        do {
            // The hash is read and the session started on the token-check threads; bcrypt
            // (slow on purpose, and as slow for an unknown email) runs on threads of its own.
            let found = try await database.authenticate { connection in
                try ConsoleUserStore(connection: connection).credentials(email: email)
            }
            let verified = try await database.checkPassword { PasswordHasher.verify(password, hash: found?.passwordHash) }
            if verified, let found {
                // Only with the hash that was checked: a password changed meanwhile wins.
                started = try await database.authenticate { connection in
                    _ = try ConsoleSessionStore(connection: connection).purge(idle: settings.idleTimeout, lifetime: settings.lifetime)
                    return try ConsoleSessionStore(connection: connection).start(
                        user: found.user, client: client ?? "", verifiedHash: found.passwordHash)
                }
            } else {
                started = nil
            }
        } catch let busy as PasswordChecksBusy {
            logger.warning("console sign-in refused: \(busy)", metadata: ["email": "\(email)", "client": "\(client ?? "")"])
            return again("Too many sign-ins at once. Try again in a moment.", .serviceUnavailable)
        } catch {
            return failurePage(error, viewer: nil, section: nil)
        }
        guard let started else {
            logger.notice("console sign-in failed", metadata: ["email": "\(email)", "client": "\(client ?? "")"])
            return again("The email or the password is wrong.", .unauthorized)
        }
        limiter.forgive(keys.map(\.key))
        let user = started.session.user
        logger.info(
            "console sign-in", metadata: ["email": "\(user.email)", "role": "\(user.role.rawValue)", "tenant": "\(user.tenant?.slug ?? "-")"])
        let home = ConsoleSection.home(for: user.role)
        let location = next.isEmpty || !Self.allowed(next, for: user.role) ? home.path : next
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        // A new token whatever cookie came with the request (session fixation), and the
        // login token is spent.
        headers.append(HTTPField(name: .setCookie, value: setCookie(Self.sessionCookie, started.token)))
        headers.append(HTTPField(name: .setCookie, value: setCookie(Self.loginCookie, "", maxAge: 0)))
        return Response(status: .seeOther, headers: headers)
    }

    /// Ends the session (the form carries its CSRF token) and forgets the cookie.
    func signOut(_ request: Request) async throws -> Response {
        var headers: HTTPFields = [.location: "/console/login", .cacheControl: "no-store"]
        headers.append(HTTPField(name: .setCookie, value: setCookie(Self.sessionCookie, "", maxAge: 0)))
        guard let viewer = try await signedIn(request), let token = Self.cookie(request, Self.sessionCookie) else {
            return Response(status: .seeOther, headers: headers)
        }
        do {
            let fields = try await Self.formFields(request)
            try Self.checkOrigin(request)
            guard let presented = fields["csrf"], Self.constantTimeEqual(presented, viewer.csrfToken) else {
                throw ConsoleError(.forbidden, "This form has expired or did not come from this console. Open the page again and retry.")
            }
            try await database.authenticate { connection in try ConsoleSessionStore(connection: connection).end(token: token) }
        } catch {
            return failurePage(error, viewer: viewer, section: nil)
        }
        logger.info("console sign-out", metadata: ["email": "\(viewer.user.email)"])
        return Response(status: .seeOther, headers: headers)
    }

    func signInPage(_ form: LoginForm, status: HTTPResponse.Status) -> Response {
        var headers: HTTPFields = [:]
        headers.append(HTTPField(name: .setCookie, value: setCookie(Self.loginCookie, form.csrf, maxAge: 3600)))
        return renderer.response(PageView(title: "Sign in", template: "login", data: form, status: status), viewer: nil, headers: headers)
    }

    /// Where to go after signing in: a console path only (never another site, and no dot
    /// segments, which a browser would resolve to outside /console/ even when encoded).
    static func safeNext(_ text: String?) -> String {
        guard let text, text.hasPrefix("/console/"), !text.hasPrefix("//"), !text.contains("\\"), text.count <= 500,
            !text.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7f })
        else { return "" }
        let path = text.prefix { $0 != "?" && $0 != "#" }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            (String(segment).removingPercentEncoding ?? String(segment)).lowercased()
        }
        guard !segments.contains(where: { $0 == "." || $0 == ".." || $0.contains("/") || $0.contains("\\") }) else { return "" }
        return text
    }

    /// Whether `path` lies in a section `role` may open.
    static func allowed(_ path: String, for role: TokenRole) -> Bool {
        let section = ConsoleSection.allCases.filter { $0 != .overview }.first {
            path == $0.path || path.hasPrefix($0.path + "/") || path.hasPrefix($0.path + "?") || path.hasPrefix($0.path + ".")
        }
        return (section ?? .overview).roles.contains(role)
    }

    static func randomToken() -> String {
        (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    static func clientAddress(_ context: some RequestContext) -> String? {
        (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress
    }
}
