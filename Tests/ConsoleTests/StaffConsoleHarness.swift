@testable import Console
import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Storage
import TestSupport

/// A database of two tenants ("alpha" and "bravo"), console users of each role, and the
/// console's router; tests reach it through `StaffBrowser`, which signs in as a browser does.
final class StaffConsoleHarness: @unchecked Sendable {
    let url: String
    let connection: PostgresConnection
    let a: Tenant
    let b: Tenant
    let database: APIDatabase
    let router: Router<BasicRequestContext>
    let settings: ConsoleSettings

    /// Every user of the harness signs in with this.
    static let password = "correct horse battery staple"

    init(settings: ConsoleSettings = ConsoleSettings(), users: [(email: String, role: TokenRole, tenant: String?)] = []) throws {
        (url, connection) = try TestDatabase.fresh()
        let tenants = TenantStore(connection: connection)
        a = try tenants.create(slug: "alpha", name: "Alpha ISP", currency: "EUR", timeZone: "Europe/Vienna")
        b = try tenants.create(slug: "bravo", name: "Bravo ISP", currency: "EUR", timeZone: "Europe/Vienna")
        database = APIDatabase(url: url, threads: 4)
        self.settings = settings
        router = Router()
        var logger = Logger(label: "console-test")
        logger.logLevel = .error
        TollgateConsole(database: database, cipher: TestDatabase.cipher, settings: settings, logger: logger).register(on: router)
        // One hash for every user: bcrypt at cost 12 takes a while, and the users differ by email.
        let hash = try PasswordHasher.hash(Self.password)
        for user in users {
            _ = try ConsoleUserStore(connection: connection).create(tenant: user.tenant.map { $0 == "alpha" ? a : b }, email: user.email,
                                                                    role: user.role, passwordHash: hash)
        }
    }

    deinit {
        let database = self.database
        Task { try? await database.shutdown() }
    }

    /// The tenant of a slug of the harness.
    func tenant(_ slug: String) -> Tenant { slug == "alpha" ? a : b }

    func withBrowser<T: Sendable>(_ body: @Sendable (StaffBrowser) async throws -> T) async throws -> T {
        let app = Application(router: router)
        return try await app.test(.router) { client in try await body(StaffBrowser(client: client)) }
    }
}

/// A response as the tests read it.
struct StaffPage: Sendable {
    var status: Int
    var body: String
    var headers: HTTPFields

    /// The values of every Set-Cookie header.
    var setCookies: [String] { headers[values: .setCookie] }

    /// The value a Set-Cookie header gives `name` (nil when none sets it).
    func cookie(_ name: String) -> String? {
        for header in setCookies where header.hasPrefix(name + "=") {
            return String(header.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }

    /// The whole Set-Cookie header of `name`.
    func setCookie(_ name: String) -> String? { setCookies.first { $0.hasPrefix(name + "=") } }

    /// The value of the first hidden `csrf` field of the page.
    var csrf: String? { field("csrf") }

    /// The value attribute of the first input named `name`.
    func field(_ name: String) -> String? {
        guard let range = body.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(body[range.upperBound...].prefix { $0 != "\"" })
    }

    var location: String? { headers[.location] }

    /// The rows of the table with `id`, each as its `<tr` opening through its `</tr>`.
    func rows(_ table: String) -> [String] {
        guard let start = body.range(of: "<table id=\"\(table)\"") else { return [] }
        let rest = body[start.upperBound...]
        let end = rest.range(of: "</table>")?.lowerBound ?? rest.endIndex
        let tbody = rest[..<end].components(separatedBy: "<tbody>").dropFirst().joined()
        return tbody.components(separatedBy: "<tr").dropFirst().map { "<tr" + $0.components(separatedBy: "</tr>")[0] }
    }

    /// The text of every cell of `row`, tags removed, whitespace trimmed.
    static func cells(_ row: String) -> [String] {
        row.components(separatedBy: "<td").dropFirst().map { cell in
            let inner = cell.drop { $0 != ">" }.dropFirst().components(separatedBy: "</td>")[0]
            var text = "", inTag = false
            for character in inner {
                if character == "<" { inTag = true } else if character == ">" { inTag = false } else if !inTag { text.append(character) }
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}

/// Talks to the console like a browser: the login cookie and form token, the session cookie.
struct StaffBrowser: Sendable {
    let client: any TestClientProtocol

    func get(_ path: String, session: String? = nil, cookies: [String: String] = [:]) async throws -> StaffPage {
        var all = cookies
        if let session { all["tollgate_session"] = session }
        return try await send(.get, path, cookies: all)
    }

    func post(_ path: String, session: String? = nil, cookies: [String: String] = [:], fields: [(String, String)],
              headers: HTTPFields = [:]) async throws -> StaffPage {
        var all = cookies
        if let session { all["tollgate_session"] = session }
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.post, path, cookies: all, headers: headers, body: body)
    }

    func send(_ method: HTTPRequest.Method, _ path: String, cookies: [String: String] = [:], headers: HTTPFields = [:],
              body: String? = nil) async throws -> StaffPage {
        var headers = headers
        if !cookies.isEmpty { headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return StaffPage(status: Int(response.status.code), body: String(buffer: response.body), headers: response.headers)
    }

    /// Opens the login page and posts the form; answers the response to the post.
    func signInAttempt(_ email: String, _ password: String, next: String? = nil, extraCookies: [String: String] = [:]) async throws -> StaffPage {
        let login = try await get("/console/login")
        let token = login.cookie("tollgate_login") ?? ""
        var cookies = extraCookies
        cookies["tollgate_login"] = token
        var fields = [("csrf", login.csrf ?? ""), ("email", email), ("password", password)]
        if let next { fields.append(("next", next)) }
        return try await post("/console/login", cookies: cookies, fields: fields)
    }

    /// Signs in and answers the session cookie's token and the session's form token.
    func signIn(_ email: String, _ password: String = StaffConsoleHarness.password) async throws -> Session {
        let response = try await signInAttempt(email, password)
        guard response.status == 303, let token = response.cookie("tollgate_session") else {
            throw SignInFailure(status: response.status, body: response.body)
        }
        let home = try await get("/console/audit", session: token)
        let csrf = home.csrf ?? ""
        return Session(token: token, csrf: csrf)
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// A signed-in browser's session cookie and the token its forms carry.
struct Session: Sendable {
    var token: String
    var csrf: String
}

struct SignInFailure: Error, CustomStringConvertible {
    var status: Int
    var body: String
    var description: String { "sign-in failed with \(status): \(body.prefix(300))" }
}
