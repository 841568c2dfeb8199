import Hummingbird
import Storage

/// The request context of the API's routes: the server's context plus the caller that
/// `BearerAuthentication` resolved from the request's token.
///
/// Made from the router's own context (whatever the server uses) when a request reaches one
/// of the routes of `TollgateAPI.routes`, so the API works under any server context.
struct APIRequestContext<Parent: RequestContext>: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    /// Set by `BearerAuthentication` before any route runs.
    var authenticated: Principal?

    init(context: Parent) throws {
        coreContext = context.coreContext
    }

    /// The caller: its token's id, role and tenant. Every route of the table is behind
    /// `BearerAuthentication`, so it is always there; without it the request is refused (401).
    var principal: Principal {
        get throws {
            guard let authenticated else { throw APIError.unauthorized }
            return authenticated
        }
    }
}
