import Hummingbird
import Storage

/// One route of the management API: method, path, the token roles that may call it, and
/// its handler. `TollgateAPI.routes` lists every route once; the router is built from that
/// list and the OpenAPI document is checked against it.
struct APIRoute<Parent: RequestContext>: Sendable {
    typealias Handler = @Sendable (Request, APIRequestContext<Parent>) async throws -> Response

    let method: HTTPRequest.Method
    /// The path as the OpenAPI document writes it: `/v1/nas/{name}`.
    let path: String
    /// The roles that may call the route; any other is 403.
    let roles: Set<TokenRole>
    let handler: Handler

    init(_ method: HTTPRequest.Method, _ path: String, roles: Set<TokenRole>, handler: @escaping Handler) {
        self.method = method
        self.path = path
        self.roles = roles
        self.handler = handler
    }

    /// "GET /v1/nas/{name}": the route as the OpenAPI document names an operation.
    var operation: String { "\(method.rawValue) \(path)" }

    /// Runs the handler for an authenticated caller whose role may call the route (403
    /// otherwise, before anything of the request but its token is read).
    func respond(to request: Request, context: APIRequestContext<Parent>) async throws -> Response {
        let principal = try context.principal
        guard roles.contains(principal.role) else { throw APIError.forbidden(principal.role) }
        return try await handler(request, context)
    }
}
