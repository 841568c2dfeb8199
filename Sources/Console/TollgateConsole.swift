import API
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RADIUS
import Storage

/// The billing console: server-rendered pages under /console for a tenant's staff and the
/// platform admin.
///
/// - Signing in with email and password starts a server-side session (PostgreSQL); the
///   browser holds only a random token in an HttpOnly, SameSite=Strict cookie (Secure with TLS).
/// - Every page checks the session and the role of its section; a tenant page runs its
///   queries through the same row-level-security scoped stores as the API, on the API's
///   database threads, so one tenant's staff see nothing of another's.
/// - Every state-changing form is a POST carrying the session's CSRF token, from the
///   console's own origin; readonly users get none of them.
public struct TollgateConsole: Sendable {
    public let database: APIDatabase
    public let cipher: SecretCipher
    let settings: ConsoleSettings
    let logger: Logger
    let renderer: PageRenderer
    let limiter: LoginLimiter

    /// Names and formats the attributes of logged packets on the billing drill-down.
    let dictionary: RADIUSDictionary

    public init(
        database: APIDatabase, cipher: SecretCipher, settings: ConsoleSettings = ConsoleSettings(), logger: Logger,
        dictionary: RADIUSDictionary = RADIUSDictionary()
    ) {
        self.database = database
        self.dictionary = dictionary
        self.cipher = cipher
        self.settings = settings
        self.logger = logger
        renderer = PageRenderer()
        limiter = LoginLimiter(window: settings.loginWindow)
    }

    /// Adds the console's routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("console/static/console.css") { _, _ in
            var headers = PageRenderer.securityHeaders
            headers[.contentType] = "text/css; charset=utf-8"
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: ConsoleStyles.css)))
        }
        router.get("console/static/icon.svg") { _, _ in
            var headers = PageRenderer.securityHeaders
            headers[.contentType] = "image/svg+xml"
            headers[.cacheControl] = "public, max-age=86400"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: ConsoleIcon.svg)))
        }
        registerSignIn(on: router)
        registerPages(on: router)
    }

    /// The page groups; each adds its routes.
    func registerPages<Context: RequestContext>(on router: Router<Context>) {
        registerUsagePages(on: router)
        registerNASPages(on: router)
        registerAuditPages(on: router)
        registerPlanPages(on: router)
        registerInvoicePages(on: router)
    }

    // MARK: Plumbing for page handlers

    /// A page of `section`: signed-in viewers with one of its roles get `work`'s view, run on a
    /// database thread within their tenant's limit; others are sent to sign in (303) or shown 403.
    func page(
        _ request: Request, _ section: ConsoleSection,
        _ work: @escaping @Sendable (Viewer, PostgresConnection) throws -> PageView
    ) async throws -> Response {
        let viewer: Viewer
        switch try await signedIn(request) {
        case .none: return Self.redirectToSignIn(request)
        case .some(let found): viewer = found
        }
        guard section.roles.contains(viewer.role) else { return errorPage(ConsoleError.forbidden, viewer: viewer, section: section) }
        do {
            let view = try await database.run(tenant: viewer.user.tenant?.id ?? 0) { connection in try work(viewer, connection) }
            return renderer.response(view, viewer: viewer, current: section)
        } catch {
            return failurePage(error, viewer: viewer, section: section)
        }
    }

    /// A download (CSV) of `section` for signed-in viewers with its roles: `work` answers the
    /// whole response.
    func download(
        _ request: Request, _ section: ConsoleSection,
        _ work: @escaping @Sendable (Viewer, PostgresConnection) throws -> Response
    ) async throws -> Response {
        guard let viewer = try await signedIn(request) else { return Self.redirectToSignIn(request) }
        guard section.roles.contains(viewer.role) else { return errorPage(ConsoleError.forbidden, viewer: viewer, section: section) }
        do {
            var response = try await database.run(tenant: viewer.user.tenant?.id ?? 0) { connection in try work(viewer, connection) }
            response.headers[.cacheControl] = "no-store"
            response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
            return response
        } catch {
            return failurePage(error, viewer: viewer, section: section)
        }
    }

    /// A state-changing form of `section`, posted by a viewer whose role is in `roles` (a
    /// subset of the section's: readonly users never change anything). Checks the origin and
    /// the CSRF token before `work` runs on a database thread.
    func form(
        _ request: Request, _ section: ConsoleSection, roles: Set<TokenRole>,
        _ work: @escaping @Sendable (Viewer, FormFields, PostgresConnection) throws -> FormOutcome
    ) async throws -> Response {
        guard let viewer = try await signedIn(request) else { return Self.redirectToSignIn(request) }
        guard roles.contains(viewer.role), section.roles.contains(viewer.role) else {
            return errorPage(ConsoleError.forbidden, viewer: viewer, section: section)
        }
        do {
            let fields = try await Self.formFields(request)
            try Self.checkOrigin(request)
            guard let presented = fields["csrf"], Self.constantTimeEqual(presented, viewer.csrfToken) else {
                throw ConsoleError(.forbidden, "This form has expired or did not come from this console. Open the page again and retry.")
            }
            let outcome = try await database.run(tenant: viewer.user.tenant?.id ?? 0) { connection in try work(viewer, fields, connection) }
            switch outcome {
            case .redirect(let location): return Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
            case .page(let view): return renderer.response(view, viewer: viewer, current: section)
            }
        } catch {
            return failurePage(error, viewer: viewer, section: section)
        }
    }

    // MARK: Sessions

    static let sessionCookie = "tollgate_session"

    /// The signed-in viewer of a request, or nil.
    func signedIn(_ request: Request) async throws -> Viewer? {
        guard let token = Self.cookie(request, Self.sessionCookie) else { return nil }
        let settings = self.settings
        let session = try await database.authenticate { connection in
            try ConsoleSessionStore(connection: connection).session(token: token, idle: settings.idleTimeout, lifetime: settings.lifetime)
        }
        return session.map { Viewer(user: $0.user, csrfToken: $0.csrfToken) }
    }

    /// 303 to the sign-in page, remembering where the person wanted to go.
    static func redirectToSignIn(_ request: Request) -> Response {
        let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        let encoded = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return Response(status: .seeOther, headers: [.location: "/console/login?next=\(encoded)", .cacheControl: "no-store"])
    }

    /// A value of the request's Cookie header.
    static func cookie(_ request: Request, _ name: String) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }

    /// A Set-Cookie value for the console's paths; an empty value with `maxAge` 0 deletes it.
    func setCookie(_ name: String, _ value: String, maxAge: Int? = nil) -> String {
        var text = "\(name)=\(value); Path=/console; HttpOnly; SameSite=Strict"
        if settings.secureCookies { text += "; Secure" }
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        return text
    }

    // MARK: Requests

    /// The urlencoded body of a form, at most 64 KiB.
    static func formFields(_ request: Request) async throws -> FormFields {
        let type = request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("application/x-www-form-urlencoded") else {
            throw ConsoleError(.unsupportedMediaType, "a form is sent as application/x-www-form-urlencoded")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: 64 * 1024)
        } catch {
            throw ConsoleError(.contentTooLarge, "the form is larger than 64 KiB")
        }
        return try FormFields(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    /// A browser names the page a form came from; one from another origin is refused (the
    /// CSRF token already stops it; this is the second lock).
    static func checkOrigin(_ request: Request) throws {
        guard let origin = request.headers[.origin], origin != "null" else { return }
        guard let host = request.head.authority,
            origin == "http://\(host)" || origin == "https://\(host)"
        else {
            throw ConsoleError(.forbidden, "This form was sent from another site.")
        }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    // MARK: Errors

    func errorPage(_ error: ConsoleError, viewer: Viewer?, section: ConsoleSection?) -> Response {
        struct Message {
            var message: String
            var back: String
        }
        let view = PageView(
            title: Self.title(error.status), template: "error",
            data: Message(message: error.message, back: section?.path ?? "/console/"), status: error.status)
        return renderer.response(view, viewer: viewer, current: section)
    }

    func failurePage(_ error: Error, viewer: Viewer?, section: ConsoleSection?) -> Response {
        if let known = ConsoleError.from(error) { return errorPage(known, viewer: viewer, section: section) }
        logger.error("console page failed", metadata: ["error": "\(error)"])
        return errorPage(
            ConsoleError(.internalServerError, "Something went wrong showing this page; it has been logged."), viewer: viewer, section: section)
    }

    static func title(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "Not accepted"
        case 403: "Not allowed"
        case 404: "Not found"
        case 409: "Conflict"
        case 429: "Too many attempts"
        case 503: "Unavailable"
        default: "Error"
        }
    }
}
