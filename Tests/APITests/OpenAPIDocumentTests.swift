import Foundation
import Hummingbird
import Storage
import TestSupport
import Testing
import Yams

@testable import API

/// The OpenAPI document read as YAML: its operations and roles against the route table.
@Suite("OpenAPI document", .enabled(if: TestDatabase.available), .serialized)
struct OpenAPIDocumentTests {
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// A YAML mapping's string keys (Yams reads mappings as `[AnyHashable: Any]`).
    static func mapping(_ value: Any?) -> [String: Any] {
        guard let mapping = value as? [AnyHashable: Any] else { return [:] }
        return Dictionary(uniqueKeysWithValues: mapping.compactMap { key, value in (key.base as? String).map { ($0, value) } })
    }

    /// The served document, parsed, with its text.
    static func served(_ world: APIWorld) async throws -> (document: [String: Any], text: String, contentType: String?) {
        let response = try await world.withClient { client in try await client.send(.get, "/openapi.yaml", token: nil) }
        #expect(response.status == 200)
        let parsed = try #require(try Yams.load(yaml: response.body) as? [AnyHashable: Any], "the document is no YAML mapping")
        return (mapping(parsed), response.body, response.headers[.contentType])
    }

    /// "METHOD /path" of every operation of the document, with the operation.
    static func operations(_ document: [String: Any]) -> [String: [String: Any]] {
        var operations: [String: [String: Any]] = [:]
        for (path, item) in mapping(document["paths"]) {
            for (key, operation) in mapping(item) where methods.contains(key) {
                operations["\(key.uppercased()) \(path)"] = mapping(operation)
            }
        }
        return operations
    }

    /// The roles a summary names: its one parenthesis holding nothing but role names, e.g.
    /// "(operator, billing, readonly)".
    static func roles(_ summary: String) -> [Set<String>] {
        let roleNames = Set(TokenRole.allCases.map(\.rawValue))
        return summary.matches(of: /\(([^()]*)\)/).compactMap { match in
            let names = match.output.1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return !names.isEmpty && names.allSatisfy(roleNames.contains) ? Set(names) : nil
        }
    }

    @Test("The route table has 38 routes and no method and path twice")
    func noDuplicates() throws {
        let world = try APIWorld()
        let operations = world.api.routes().map(\.operation)
        let repeated = Dictionary(grouping: operations, by: { $0 }).filter { $0.value.count > 1 }.keys
        #expect(repeated.isEmpty, "declared more than once: \(repeated.sorted())")
        #expect(operations.count == 38 && Set(operations).count == 38)
        // The router serves exactly the table (and the document itself).
        let served = world.router.routes.map { normalizedRoute("\($0.method.rawValue) \($0.path)") }
        #expect(served.sorted() == (operations + ["GET /openapi.yaml"]).sorted())
        // The roles as the API promises them (admin: tenants only).
        let declared = Dictionary(uniqueKeysWithValues: world.api.routes().map { ($0.operation, Set($0.roles.map(\.rawValue))) })
        #expect(declared == routeRoles)
    }

    @Test("Served as YAML: it parses, and its operations are exactly the route table's, both ways")
    func operationsMatchRoutes() async throws {
        let world = try APIWorld()
        let (document, _, contentType) = try await Self.served(world)
        #expect(contentType == "application/yaml")
        #expect(document["openapi"] as? String == "3.1.0")
        let documented = Set(Self.operations(document).keys)
        let declared = Set(world.api.routes().map(\.operation))
        #expect(documented.subtracting(declared).isEmpty, "documented but not declared: \(documented.subtracting(declared).sorted())")
        #expect(declared.subtracting(documented).isEmpty, "declared but not documented: \(declared.subtracting(documented).sorted())")
        #expect(documented.count == 38)
    }

    @Test("Each operation needs the bearer token, answers 401 and 403, and its summary names exactly the route's roles")
    func securityAndRoles() async throws {
        let world = try APIWorld()
        let (document, _, _) = try await Self.served(world)
        #expect((document["security"] as? [Any])?.map(Self.mapping).map { $0.keys.sorted() } == [["bearer"]])
        let scheme = Self.mapping(Self.mapping(Self.mapping(document["components"])["securitySchemes"])["bearer"])
        #expect(scheme["type"] as? String == "http" && scheme["scheme"] as? String == "bearer")
        let operations = Self.operations(document)
        for route in world.api.routes() {
            let operation = try #require(operations[route.operation], "\(route.operation) is not documented")
            // An operation's own `security` would replace the document's (`[]`: no token).
            #expect(operation["security"] == nil, "\(route.operation) overrides the document's security")
            let responses = Self.mapping(operation["responses"])
            #expect(Self.mapping(responses["401"])["$ref"] as? String == "#/components/responses/Unauthorized", "\(route.operation)")
            #expect(Self.mapping(responses["403"])["$ref"] as? String == "#/components/responses/Forbidden", "\(route.operation)")
            let summary = try #require(operation["summary"] as? String, "\(route.operation) has no summary")
            #expect(Self.roles(summary) == [Set(route.roles.map(\.rawValue))], "\(route.operation): \(summary)")
        }
    }

    @Test("The database's time zones and every webhook event are in the served document")
    func enumerations() async throws {
        let world = try APIWorld()
        let (document, text, _) = try await Self.served(world)
        #expect(!text.contains(OpenAPIDocument.timeZonesPlaceholder))
        let schemas = Self.mapping(Self.mapping(document["components"])["schemas"])
        let zones = try #require(Self.mapping(schemas["TimeZone"])["enum"] as? [Any]).compactMap { $0 as? String }
        let known = try TenantStore(connection: world.connection).timeZoneNames()
        #expect(zones == known)
        #expect(zones.contains("Europe/Vienna") && zones.contains("UTC") && zones.count > 300)
        let events = Self.mapping(Self.mapping(Self.mapping(schemas["WebhookCreate"])["properties"])["events"])
        #expect(Self.mapping(events["items"])["enum"] as? [String] == WebhookEvent.allCases.map(\.rawValue))
    }
}
