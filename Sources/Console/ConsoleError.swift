import Hummingbird
import Rating
import Storage

/// A page that cannot be shown as asked: its status and what the person should know.
public struct ConsoleError: Error, CustomStringConvertible, Sendable {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    static let notFound = ConsoleError(.notFound, "There is no such page.")
    static let forbidden = ConsoleError(.forbidden, "Your role may not open this page.")

    /// The console form of whatever a store or the rating code threw; nil for failures the
    /// person cannot do anything about (logged, shown as a 500 or 503).
    static func from(_ error: Error) -> ConsoleError? {
        switch error {
        case let error as ConsoleError: return error
        case let error as StoreError:
            switch error.code {
            case .notFound: return ConsoleError(.notFound, error.message)
            case .invalid: return ConsoleError(.badRequest, error.message)
            case .conflict: return ConsoleError(.conflict, error.message)
            }
        case let error as PasswordError: return ConsoleError(.badRequest, error.description)
        case let error as PlanError: return ConsoleError(.badRequest, error.description)
        case let error as PostgresError where error.kind == .connection:
            return ConsoleError(.serviceUnavailable, "The database is not reachable. Try again in a moment.")
        case let error as PostgresError where error.sqlState == SQLState.queryCanceled:
            return ConsoleError(.serviceUnavailable, "This page took too long to gather. Narrow it down (a shorter period, a filter) and retry.")
        case let error as HTTPResponseError where error.status == .tooManyRequests || error.status == .serviceUnavailable:
            return ConsoleError(error.status, "Tollgate is busy with this tenant's other requests. Try again in a moment.")
        default: return nil
        }
    }
}
