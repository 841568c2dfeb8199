import Foundation
import Hummingbird
import Storage
import TestSupport
import Testing

@testable import API

/// The exact answers of the token and role checks, byte for byte: clients and the OpenAPI
/// contract depend on them.
@Suite("API authentication and roles: exact answers", .enabled(if: TestDatabase.available), .serialized)
struct AuthenticationTests {
    static let unauthorizedBody = #"{"error":{"code":"unauthorized","message":"a valid API token is required: Authorization: Bearer <token>"}}"#

    static func forbiddenBody(_ role: String) -> String {
        #"{"error":{"code":"forbidden","message":"a \#(role) token may not do this"}}"#
    }

    @Test("No token, a malformed, unknown, forged or revoked one: 401, WWW-Authenticate: Bearer, the same JSON body, on every route")
    func unauthorized() async throws {
        let world = try APIWorld()
        let revoked = try TokenStore(connection: world.connection).create(tenant: world.a, role: .billing, name: "old")
        try TokenStore(connection: world.connection).revoke(id: revoked.token.id)
        let genuine = world.token("alpha.billing")
        let forged = String(genuine.dropLast()) + (genuine.hasSuffix("0") ? "1" : "0")
        let headers: [(String, String?)] = [
            ("no header", nil), ("Basic", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"), ("empty bearer", "Bearer "), ("lower-case scheme", "bearer \(genuine)"),
            ("unknown", "Bearer tg_0123456789abcdef_" + String(repeating: "0", count: 64)), ("forged", "Bearer \(forged)"),
            ("revoked", "Bearer \(revoked.secret)"), ("201 octets", "Bearer " + String(repeating: "A", count: 201)),
        ]
        try await world.withClient { client in
            for route in routeRoles.keys.sorted() {
                let parts = route.split(separator: " ")
                let method = HTTPRequest.Method(rawValue: String(parts[0]))!
                for (name, authorization) in headers {
                    var fields: HTTPFields = [.contentType: "application/json"]
                    if let authorization { fields[.authorization] = authorization }
                    // A body that is no JSON: the token is checked before the body is parsed.
                    let body = method == .get || method == .delete ? nil : ByteBuffer(string: "{not json")
                    let response = try await client.client.execute(uri: concrete(String(parts[1])), method: method, headers: fields, body: body)
                    #expect(response.status == .unauthorized, "\(route), \(name): \(response.status)")
                    #expect(String(buffer: response.body) == Self.unauthorizedBody, "\(route), \(name)")
                    #expect(
                        response.headers[.wwwAuthenticate] == "Bearer" && response.headers[.contentType] == "application/json", "\(route), \(name)")
                    #expect(response.headers[.allow] == nil && response.headers[.retryAfter] == nil)
                }
            }
        }
    }

    @Test("A role the route does not allow: 403 with the exact body naming the role, before the path or the body is read")
    func forbidden() async throws {
        let world = try APIWorld()
        let refusals = try await world.withClient { client in
            var refusals = 0
            for route in routeRoles.keys.sorted() {
                let parts = route.split(separator: " ")
                let method = HTTPRequest.Method(rawValue: String(parts[0]))!
                // A path parameter no route accepts and a body that is no JSON: neither is looked at.
                let path = String(parts[1]).replacingOccurrences(of: #"\{[a-z]+\}"#, with: "%00", options: .regularExpression)
                let body = method == .get || method == .delete ? nil : "{not json"
                for role in ["admin", "operator", "billing", "readonly"] where !routeRoles[route]!.contains(role) {
                    let response = try await client.send(method, path, token: world.token(role == "admin" ? "admin" : "alpha.\(role)"), body: body)
                    #expect(response.status == 403, "\(route) as \(role): \(response.status) \(response.body)")
                    #expect(response.body == Self.forbiddenBody(role), "\(route) as \(role)")
                    #expect(response.headers[.contentType] == "application/json" && response.headers[.wwwAuthenticate] == nil)
                    refusals += 1
                }
            }
            return refusals
        }
        // 38 routes, 4 roles: 152 pairs, of which 60 are allowed.
        #expect(refusals == 92)
    }

    @Test("Outside the routes nothing asks for a token: the document, unknown paths (404) and wrong methods (405 with Allow)")
    func outsideTheRoutes() async throws {
        let world = try APIWorld()
        try await world.withClient { client in
            let document = try await client.send(.get, "/openapi.yaml", token: nil)
            #expect(document.status == 200 && document.headers[.contentType] == "application/yaml")
            let unknown = try await client.send(.get, "/v1/nothing-here", token: nil)
            #expect(unknown.status == 404 && unknown.headers[.wwwAuthenticate] == nil)
            let wrongMethod = try await client.send(.put, "/v1/nas/alpha-bras", token: nil, body: "{}")
            #expect(wrongMethod.status == 405 && wrongMethod.headers[.allow] == "DELETE, GET, PATCH")
            #expect(
                wrongMethod.body
                    == #"{"error":{"code":"method_not_allowed","message":"PUT is not a method of this path; it has DELETE, GET, PATCH"}}"#)
            // The body is read (and bounded) before the token is checked, as before.
            let huge = "{\"name\": \"" + String(repeating: "x", count: 1 << 20) + "\"}"
            let tooLarge = try await client.send(.post, "/v1/tenants", token: nil, body: huge)
            #expect(tooLarge.status == 413 && tooLarge.body.contains("\"too_large\""))
        }
    }
}
