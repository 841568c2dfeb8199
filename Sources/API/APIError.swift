import Foundation
import Hummingbird
import Logging
import Rating
import Storage

/// An error answered as JSON: `{"error": {"code": "...", "message": "..."}}`.
public struct APIError: HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Seconds after which a retry may succeed (the Retry-After header), for 429 and 503.
    public var retryAfter: Int?
    /// The methods a path has (the Allow header), for 405.
    public var allow: String?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if let allow { headers[.allow] = allow }
        let body = ["error": ["code": code, "message": message]]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let unauthorized = APIError(.unauthorized, "unauthorized", "a valid API token is required: Authorization: Bearer <token>")

    static func forbidden(_ role: TokenRole) -> APIError {
        APIError(.forbidden, "forbidden", "a \(role.rawValue) token may not do this")
    }

    static func invalid(_ message: String) -> APIError { APIError(.badRequest, "invalid", message) }

    /// The tenant already has as many database jobs running as it may, and more waiting.
    static func busy(retryAfter: Int) -> APIError {
        var error = APIError(.tooManyRequests, "busy", "this tenant has too many requests in progress; retry after \(retryAfter) s")
        error.retryAfter = retryAfter
        return error
    }

    /// The API form of whatever a store or the rating code threw. Database failures are
    /// reported without their text (it could name another tenant's data).
    static func from(_ error: any Error) -> any Error {
        switch error {
        case let error as APIError: return error
        case let error as StoreError:
            switch error.code {
            case .invalid: return APIError(.badRequest, "invalid", error.message)
            case .notFound: return APIError(.notFound, "not_found", error.message)
            case .conflict: return APIError(.conflict, "conflict", error.message)
            }
        case let error as PlanError: return APIError(.badRequest, "invalid", error.description)
        case let error as PostgresError where error.kind == .connection:
            var unavailable = APIError(.serviceUnavailable, "unavailable", "the database is not reachable; try again")
            unavailable.retryAfter = 5
            return unavailable
        case let error as PostgresError where error.sqlState == SQLState.queryCanceled:
            return APIError(.serviceUnavailable, "timeout", "the query took too long")
        default:
            return APIError(.internalServerError, "internal", "internal error")
        }
    }
}

extension APIError {
    /// Runs `work`, answering its failure as the API error it maps to; unexpected failures
    /// (500) are logged as errors, refusals for lack of capacity (503) as warnings.
    static func mapping<T: Sendable>(_ logger: Logger, _ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch {
            let mapped = from(error)
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
}
