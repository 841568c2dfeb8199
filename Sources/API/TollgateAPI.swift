import Accounting
import Foundation
import Hummingbird
import Logging
import Rating
import Storage

/// The management API: every route, its roles, and the rules every request follows.
///
/// - A request carries `Authorization: Bearer <token>`; no token or a bad one is 401.
/// - A role that may not call a route gets 403; another tenant's object is 404 (never 403),
///   because every lookup runs in a transaction scoped to the token's tenant by row-level
///   security. The tenant comes from the token only, never from the URL or the body.
/// - Bodies are JSON objects up to 1 MiB; unknown fields, wrong types and values out of
///   range are 400 naming the field.
public struct TollgateAPI: Sendable {
    public let database: APIDatabase
    public let cipher: SecretCipher
    let logger: Logger
    /// Most NAS one tenant may register.
    let nasLimit: Int

    public init(database: APIDatabase, cipher: SecretCipher, logger: Logger, nasLimit: Int = NASStore.defaultLimit) {
        self.database = database
        self.cipher = cipher
        self.logger = logger
        self.nasLimit = nasLimit
    }

    /// Adds the API's routes (and /openapi.yaml) to `router`.
    public func register(on router: Router<some RequestContext>) {
        router.get("openapi.yaml") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/yaml"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        registerTenantRoutes(on: router)
        registerOperatorRoutes(on: router)
        registerUsageRoutes(on: router)
        registerBillingRoutes(on: router)
    }

    // MARK: Request plumbing

    /// The presented bearer token, or 401.
    static func bearerToken(_ request: Request) throws -> String {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { throw APIError.unauthorized }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.utf8.count <= 200 else { throw APIError.unauthorized }
        return token
    }

    /// The request's principal, checked before anything else of the request is read:
    /// 401 without a valid token, 403 when its role may not call the route.
    func authorize(_ request: Request, _ roles: Set<TokenRole>) async throws -> Principal {
        let token = try Self.bearerToken(request)
        let principal = try await run(request) { connection in try TokenStore(connection: connection).authenticate(token) }
        guard let principal else { throw APIError.unauthorized }
        guard roles.contains(principal.role) else { throw APIError.forbidden(principal.role) }
        return principal
    }

    /// Runs `work` on a database thread for an authorized principal and answers its result as JSON.
    func call<T: Encodable & Sendable>(_ principal: Principal, status: HTTPResponse.Status = .ok,
                                       _ work: @escaping @Sendable (Principal, PostgresConnection) throws -> T) async throws -> Response {
        try Self.json(try await perform(principal, work), status: status)
    }

    /// As `call`, for work whose result the route turns into a response itself (CSV).
    func perform<T: Sendable>(_ principal: Principal, _ work: @escaping @Sendable (Principal, PostgresConnection) throws -> T) async throws -> T {
        try await run(nil) { connection in try work(principal, connection) }
    }

    /// Runs database work, mapping failures to API errors (logging unexpected ones).
    private func run<T: Sendable>(_ request: Request?, _ work: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        do {
            return try await database.run(work)
        } catch {
            let mapped = APIError.from(error)
            if let apiError = mapped as? APIError {
                if apiError.status == .internalServerError {
                    logger.error("API request failed", metadata: ["error": "\(error)"])
                } else if apiError.status == .serviceUnavailable {
                    logger.warning("API request not served", metadata: ["reason": "\(apiError.code)", "error": "\(error)"])
                }
            }
            throw mapped
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func csv(_ text: String, filename: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(filename)\""],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A path parameter, checked like a string field.
    static func parameter(_ context: some RequestContext, _ name: String) throws -> String {
        guard let raw = context.parameters.get(name), let value = percentDecoded(raw) else {
            throw APIError.invalid("\(name) in the path is missing or badly percent-encoded")
        }
        try JSONBody.check(value, name, maxLength: 253)
        return value
    }

    static func tenant(_ principal: Principal) throws -> Tenant {
        guard let tenant = principal.tenant else { throw APIError.forbidden(principal.role) }
        return tenant
    }

    static func date(_ text: String?, _ field: String) throws -> CivilDate? {
        guard let text else { return nil }
        guard let date = CivilDate(text) else { throw APIError.invalid("\(field) must be a date YYYY-MM-DD, not '\(JSONBody.printable(text))'") }
        return date
    }
}

/// Rows in CSV (RFC 4180): fields with commas, quotes or line breaks are quoted.
enum CSV {
    static func render(_ columns: [String], _ rows: [[String?]]) -> String {
        var out = columns.map(field).joined(separator: ",") + "\r\n"
        for row in rows { out += row.map { field($0 ?? "") }.joined(separator: ",") + "\r\n" }
        return out
    }

    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A list response: `{"items": [...]}` with the cursor of the next page when there is one.
struct Page<T: Encodable & Sendable>: Encodable, Sendable {
    var items: [T]
    var nextCursor: String?
}

struct Items<T: Encodable & Sendable>: Encodable, Sendable {
    var items: [T]
}
