import Foundation
import Hummingbird
import Logging
import Storage

/// Resolves the request's `Authorization: Bearer <token>` to its principal before a route
/// runs, and puts it into the request context; no token or a bad one is 401 (with
/// `WWW-Authenticate: Bearer`) and the route never runs.
///
/// The token is checked on the database's token threads (libpq blocks; never on an event loop),
/// which report queries cannot take, so a busy tenant cannot keep requests from being authenticated.
struct BearerAuthentication<Parent: RequestContext>: RouterMiddleware {
    typealias Context = APIRequestContext<Parent>

    let database: APIDatabase
    let logger: Logger

    /// Longest token looked up: anything longer is no token of ours.
    static var maximumTokenLength: Int { 200 }

    /// The presented bearer token, or 401.
    static func token(_ request: Request) throws -> String {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { throw APIError.unauthorized }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.utf8.count <= maximumTokenLength else { throw APIError.unauthorized }
        return token
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token = try Self.token(request)
        let database = self.database
        let principal = try await APIError.mapping(logger) {
            try await database.authenticate { connection in try TokenStore(connection: connection).authenticate(token) }
        }
        guard let principal else { throw APIError.unauthorized }
        var context = context
        context.authenticated = principal
        return try await next(request, context)
    }
}
