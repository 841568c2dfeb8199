import Accounting
import Foundation
import Hummingbird
import Logging
import Rating
import Storage
import TabularText

/// The management API: every route, its roles, and the rules every request follows.
///
/// - A request carries `Authorization: Bearer <token>`; no token or a bad one is 401
///   (`BearerAuthentication`, before the route runs).
/// - A role that may not call a route gets 403 (each route's roles are declared with it, in
///   `routes`); another tenant's object is 404 (never 403),
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
    /// Longest a request body may take to arrive.
    let readTimeout: Duration

    public init(
        database: APIDatabase, cipher: SecretCipher, logger: Logger, nasLimit: Int = NASStore.defaultLimit,
        readTimeout: Duration = .seconds(30)
    ) {
        self.database = database
        self.cipher = cipher
        self.logger = logger
        self.nasLimit = nasLimit
        self.readTimeout = readTimeout
    }

    /// Adds the API's routes (and /openapi.yaml) to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.add(middleware: BodyDeadline<Context>(timeout: readTimeout))
        let document = DocumentCache()
        router.get("openapi.yaml") { _, _ -> Response in
            let text = try await document.text {
                try await mapErrors {
                    try await database.run(tenant: 0) { connection in
                        OpenAPIDocument.yaml(timeZones: try TenantStore(connection: connection).timeZoneNames())
                    }
                }
            }
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        // Every route of the table, behind the token check: its handler runs only for a
        // caller with a valid token (401 otherwise) of one of the route's roles (403 otherwise).
        let authenticated = router.group(context: APIRequestContext<Context>.self)
            .add(middleware: BearerAuthentication<Context>(database: database, logger: logger))
        for route in routes(Context.self) {
            authenticated.on(RouterPath(route.path), method: route.method) { request, context in
                try await route.respond(to: request, context: context)
            }
        }
        let paths = router.routes.map { (method: $0.method.rawValue, path: $0.path.description) }
        router.add(middleware: MethodNotAllowed<Context>(routes: paths))
    }

    /// Every route of the API with the roles that may call it, in the order they are registered.
    func routes<Context: RequestContext>(_ context: Context.Type = BasicRequestContext.self) -> [APIRoute<Context>] {
        tenantRoutes() + operatorRoutes() + usageRoutes() + billingRoutes() + quotaRoutes() + webhookRoutes()
    }

    // MARK: Request plumbing

    /// Runs `work` on a database thread for an authorized principal and answers its result as JSON.
    func call<T: Encodable & Sendable>(
        _ principal: Principal, status: HTTPResponse.Status = .ok,
        _ work: @escaping @Sendable (Principal, PostgresConnection) throws -> T
    ) async throws -> Response {
        try Self.json(try await perform(principal, work), status: status)
    }

    /// As `call`, for work whose result the route turns into a response itself (CSV).
    func perform<T: Sendable>(_ principal: Principal, _ work: @escaping @Sendable (Principal, PostgresConnection) throws -> T) async throws -> T {
        try await mapErrors { try await database.run(tenant: principal.tenant?.id ?? 0) { connection in try work(principal, connection) } }
    }

    /// Answers a CSV export streamed from a database cursor: rows are read and sent a chunk
    /// at a time, so memory stays the same whatever the export's size. The tenant's slot and
    /// a connection are held until the last row is sent (or the client goes away).
    func streamCSV<Row>(
        _ principal: Principal, filename: String, columns: [String],
        open: @escaping @Sendable (Tenant, PostgresConnection) throws -> RowCursor<Row>,
        row: @escaping @Sendable (Row) -> [String?]
    ) async throws -> Response {
        let tenant = try Self.tenant(principal)
        let database = self.database
        let reservation = try await mapErrors { try await database.reserve(tenant: tenant.id) }
        let export: CSVExport
        do {
            export = try await mapErrors {
                try await database.run(reservation) { connection in
                    let cursor = try open(tenant, connection)
                    return CSVExport { count in
                        let rows = try cursor.next(count)
                        return rows.isEmpty ? nil : ByteBuffer(string: CSV.lines(rows.map(row)))
                    }
                }
            }
        } catch {
            await database.finish(reservation)
            throw error
        }
        let logger = self.logger
        return Response(
            status: .ok, headers: Self.csvHeaders(filename),
            body: ResponseBody { writer in
                do {
                    try await writer.write(ByteBuffer(string: CSV.lines([columns])))
                    while let chunk = try await database.run(reservation, { _ in try export.next(CSVExport.chunkRows) }) {
                        try await writer.write(chunk)
                    }
                    await database.finish(reservation)
                    try await writer.finish(nil)
                } catch {
                    await database.finish(reservation)
                    logger.warning("CSV export ended early", metadata: ["file": "\(filename)", "error": "\(error)"])
                    throw error
                }
            })
    }

    /// Runs `work`, mapping failures to API errors (logging unexpected ones).
    private func mapErrors<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        try await APIError.mapping(logger, work)
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

    static func csvHeaders(_ filename: String) -> HTTPFields {
        [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(filename)\""]
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

extension TollgateAPI {
    /// The cursor of `listing` for the principal's tenant.
    func pageCursor(_ listing: String, _ principal: Principal) -> PageCursor {
        PageCursor(listing: listing, tenantID: principal.tenant?.id ?? 0, cipher: cipher)
    }
}
