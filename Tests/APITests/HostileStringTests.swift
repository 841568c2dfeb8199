import Foundation
import Hummingbird
import Storage
import TestSupport
import Testing

@testable import API

@Suite("Hostile strings through the API", .enabled(if: TestDatabase.available), .serialized)
struct HostileStringTests {
    static let hostile: [String] = [
        "'; DROP TABLE tenants; --", "\" OR \"1\"=\"1", "Robert'); DELETE FROM sessions WHERE ('1'='1", "$1", "%s%n%x", "\\", "\\\\0",
        "名前 😀 \u{202E}gnp.exe", "e\u{301}", "a\u{0}b", String(repeating: "x", count: 10_000), "<script>alert(1)</script>", "../../etc/passwd",
        "line\nbreak", " leading and trailing ", "{{7*7}}", "\u{FEFF}bom",
    ]

    @Test("SQL metacharacters, long strings, unicode and NUL in every string field: stored and returned exactly, or 400; never a 500")
    func hostileStrings() async throws {
        let world = try APIWorld()
        let admin = world.token("admin")
        let op = world.token("alpha.operator")
        let billing = world.token("alpha.billing")
        try await world.withClient { client in
            for (n, value) in Self.hostile.enumerated() {
                func check(_ response: APIResponse, _ field: String, returned: (APIResponse) -> String?) {
                    #expect(
                        response.status == 201 || response.status == 200 || response.status == 400,
                        "\(field) = \(value.prefix(40).debugDescription): \(response.status) \(response.body.prefix(200))")
                    if response.status == 200 || response.status == 201 {
                        #expect(returned(response) == value, "\(field) not returned exactly: \(value.prefix(40).debugDescription)")
                    }
                }
                // Tenant name (create and update).
                let tenant = try await client.send(.post, "/v1/tenants", token: admin, json: ["slug": "t\(n)", "name": value])
                check(tenant, "tenant name") { $0.object["name"] as? String }
                check(try await client.send(.patch, "/v1/tenants/alpha", token: admin, json: ["name": value]), "tenant name (update)") {
                    $0.object["name"] as? String
                }
                // Slug, time zone and currency are constrained: always 400 for these.
                for field in ["slug", "time_zone", "currency"] {
                    var body: [String: Any] = ["slug": "h\(n)", "name": "H"]
                    body[field] = value
                    let response = try await client.send(.post, "/v1/tenants", token: admin, json: body)
                    #expect(response.status == 400, "\(field) = \(value.prefix(40).debugDescription): \(response.status)")
                }
                // NAS name, NAS-Identifier and secret.
                let nas = try await client.send(
                    .post, "/v1/nas", token: op,
                    json: [
                        "name": value, "address": "10.1.\(100 + n).1", "secret": value,
                        "identifier": value,
                    ])
                check(nas, "NAS name/identifier/secret") { $0.object["name"] as? String }
                if nas.status == 201 {
                    #expect(nas.object["identifier"] as? String == value)
                    let shown = try await client.send(.get, "/v1/nas/\(encoded(value))", token: op)
                    #expect(
                        shown.status == 200 && shown.object["name"] as? String == value,
                        "NAS by its name \(value.prefix(40).debugDescription): \(shown.status) \(shown.body.prefix(200))")
                }
                #expect(try await client.send(.post, "/v1/nas", token: op, json: ["name": "n\(n)", "address": value, "secret": "s"]).status == 400)
                // Plan name, subscriber User-Name.
                let plan = try await client.send(.post, "/v1/plans", token: billing, json: ["name": value, "currency": "EUR", "recurring_fee": "1"])
                check(plan, "plan name") { $0.object["name"] as? String }
                let subscriber = try await client.send(
                    .post, "/v1/subscribers", token: billing, json: ["user": value, "plan": "alpha-plan", "from": "2026-10-01"])
                check(subscriber, "subscriber user") { $0.object["user"] as? String }
                // Every string query parameter.
                for path in [
                    "/v1/sessions?user=", "/v1/sessions?nas=", "/v1/usage?user=", "/v1/subscribers?user=", "/v1/invoices?user=",
                    "/v1/invoices?period=", "/v1/usage?from=", "/v1/sessions?to=", "/v1/usage/unassigned?period=",
                ] {
                    let response = try await client.send(.get, path + encoded(value), token: billing)
                    #expect(
                        response.status == 200 || response.status == 400 || response.status == 403,
                        "\(path)\(value.prefix(30).debugDescription): \(response.status)")
                    if path.hasPrefix("/v1/subscribers"), subscriber.status == 201 {
                        // The subscriber just added under this name, found exactly.
                        #expect(response.items.compactMap { $0["user"] as? String } == [value], "\(path): \(response.body.prefix(200))")
                    } else {
                        #expect(response.status != 200 || response.items.isEmpty, "\(path): \(response.body.prefix(200))")
                    }
                }
            }
        }
        // The schema is intact and tenant B untouched.
        #expect(try world.connection.query("SELECT count(*) FROM tenants WHERE slug = 'bravo'").rows == [["1"]])
        #expect(try world.connection.query("SELECT count(*) FROM sessions WHERE tenant_id = $1", [String(world.b.id)]).rows == [["4"]])
    }
}
