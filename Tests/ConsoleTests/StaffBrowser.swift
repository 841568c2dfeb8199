import Foundation
import Hummingbird
import HummingbirdTesting

/// Talks to the console like a browser: the login cookie and form token, the session cookie.
///
/// A request's session cookie is the `session` it is given, else the browser's own (set by
/// `signInAsSession`), else none.
struct StaffBrowser: Sendable {
    let client: any TestClientProtocol
    /// The session cookie every request carries unless it names another.
    var session: String?

    init(client: any TestClientProtocol) {
        self.client = client
    }

    func get(_ path: String, session: String? = nil, cookies: [String: String] = [:]) async throws -> ConsolePage {
        var all = cookies
        if let session = session ?? self.session { all["tollgate_session"] = session }
        return try await send(.get, path, cookies: all)
    }

    func post(
        _ path: String, session: String? = nil, cookies: [String: String] = [:], fields: [(String, String)],
        headers: HTTPFields = [:]
    ) async throws -> ConsolePage {
        var all = cookies
        if let session = session ?? self.session { all["tollgate_session"] = session }
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.post, path, cookies: all, headers: headers, body: body)
    }

    func send(
        _ method: HTTPRequest.Method, _ path: String, cookies: [String: String] = [:], headers: HTTPFields = [:],
        body: String? = nil
    ) async throws -> ConsolePage {
        var headers = headers
        if !cookies.isEmpty { headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return ConsolePage(status: Int(response.status.code), body: String(buffer: response.body), headers: response.headers)
    }

    /// Opens the login page and posts the form; answers the response to the post.
    func signInAttempt(_ email: String, _ password: String, next: String? = nil, extraCookies: [String: String] = [:]) async throws -> ConsolePage {
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

    /// Posts a form with the browser's session; `csrf` goes first unless nil.
    func post(_ path: String, _ fields: [(String, String)], csrf: String?) async throws -> ConsolePage {
        try await post(path, fields: (csrf.map { [("csrf", $0)] } ?? []) + fields)
    }

    /// Signs in and keeps the session cookie for the requests that follow.
    mutating func signInAsSession(_ email: String, _ password: String) async throws {
        session = try await signIn(email, password).token
    }

    /// The CSRF token of a signed-in page (the sign-out form carries it).
    func csrf(_ session: String) async throws -> String {
        try await get("/console/", session: session).csrf ?? ""
    }

    /// An API request with a bearer token and a JSON body.
    func api(_ method: HTTPRequest.Method, _ path: String, token: String, json: String) async throws -> ConsolePage {
        try await send(method, path, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: json)
    }

    /// A form field or path segment percent-encoded: everything but RFC 3986's unreserved
    /// characters, as the console's own links are.
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
