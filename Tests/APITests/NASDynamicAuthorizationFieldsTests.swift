import Foundation
import Storage
import TestSupport
import Testing

@Suite("API: NAS coa_port, coa_secret and vendor", .enabled(if: TestDatabase.available))
struct NASDynamicAuthorizationFieldsTests {
    /// What `NASStore.dynamicAuthorization` gives the enforcer for a NAS of tenant alpha: "port vendor secret".
    func reached(_ world: APIWorld, _ name: String) throws -> String {
        let store = NASStore(connection: world.connection, cipher: TestDatabase.cipher)
        let id = try store.find(tenant: world.a, name: name).id
        let settings = try #require(try store.dynamicAuthorization(tenantID: world.a.id, nasIDs: [id])[id])
        return "\(settings.port) \(settings.vendor) \(String(decoding: settings.secret, as: UTF8.self))"
    }

    @Test("Defaults, set on create and PATCH, null coa_secret goes back to the shared secret; the CoA secret is never returned")
    func fields() async throws {
        let world = try APIWorld()
        let op = world.token("alpha.operator")
        try await world.withClient { client in
            let plain = try await client.send(
                .post, "/v1/nas", token: op, json: ["name": "plain", "address": "10.1.30.1", "secret": "plain-shared-secret"])
            #expect(plain.status == 201, "\(plain.body)")
            #expect(plain.object["coa_port"] as? Int == 3799 && plain.object["vendor"] as? String == "generic", "\(plain.body)")
            #expect(plain.object["has_coa_secret"] as? Bool == false && plain.object["weak_coa_secret"] as? Bool == false, "\(plain.body)")
            #expect(try reached(world, "plain") == "3799 generic plain-shared-secret")

            let custom = try await client.send(
                .post, "/v1/nas", token: op,
                json: [
                    "name": "custom", "address": "10.1.30.2", "secret": "custom-shared-secret", "coa_port": 1700,
                    "coa_secret": "custom-coa-secret", "vendor": "mikrotik",
                ])
            #expect(custom.status == 201, "\(custom.body)")
            #expect(custom.object["coa_port"] as? Int == 1700 && custom.object["vendor"] as? String == "mikrotik", "\(custom.body)")
            #expect(custom.object["has_coa_secret"] as? Bool == true && custom.object["weak_coa_secret"] as? Bool == false, "\(custom.body)")
            #expect(try reached(world, "custom") == "1700 mikrotik custom-coa-secret")
            // Nulls take the defaults.
            let nulls = try await client.send(
                .post, "/v1/nas", token: op,
                json: [
                    "name": "nulls", "address": "10.1.30.3", "secret": "nulls-shared-secret", "coa_port": NSNull(), "coa_secret": NSNull(),
                    "vendor": NSNull(),
                ])
            #expect(
                nulls.status == 201 && nulls.object["coa_port"] as? Int == 3799 && nulls.object["vendor"] as? String == "generic", "\(nulls.body)")

            let shown = try await client.send(.get, "/v1/nas/custom", token: op)
            #expect(shown.status == 200 && shown.object["coa_port"] as? Int == 1700 && shown.object["has_coa_secret"] as? Bool == true)
            let list = try await client.send(.get, "/v1/nas", token: op)
            let rows = list.items.filter { ["plain", "custom"].contains($0["name"] as? String) }
                .map { "\($0["name"]!) \($0["coa_port"]!) \($0["vendor"]!) \($0["has_coa_secret"]!)" }
            #expect(rows == ["custom 1700 mikrotik true", "plain 3799 generic false"])

            let moved = try await client.send(.patch, "/v1/nas/custom", token: op, json: ["coa_port": 3800, "vendor": "cisco"])
            #expect(
                moved.status == 200 && moved.object["coa_port"] as? Int == 3800 && moved.object["has_coa_secret"] as? Bool == true, "\(moved.body)")
            #expect(try reached(world, "custom") == "3800 cisco custom-coa-secret")
            let untouched = try await client.send(.patch, "/v1/nas/custom", token: op, json: ["coa_port": NSNull(), "vendor": NSNull()])
            #expect(untouched.status == 200 && untouched.object["coa_port"] as? Int == 3800 && untouched.object["vendor"] as? String == "cisco")
            let cleared = try await client.send(.patch, "/v1/nas/custom", token: op, json: ["coa_secret": NSNull()])
            #expect(cleared.status == 200 && cleared.object["has_coa_secret"] as? Bool == false, "\(cleared.body)")
            #expect(try reached(world, "custom") == "3800 cisco custom-shared-secret")
            let weak = try await client.send(.patch, "/v1/nas/plain", token: op, json: ["coa_secret": "short-coa"])
            #expect(weak.status == 200 && weak.object["has_coa_secret"] as? Bool == true && weak.object["weak_coa_secret"] as? Bool == true)
            #expect(try reached(world, "plain") == "3799 generic short-coa")

            for response in [plain, custom, nulls, shown, list, moved, untouched, cleared, weak] {
                #expect(response.object["coa_secret"] == nil && !response.body.contains("\"coa_secret\""), "\(response.body)")
                #expect(!response.body.contains("custom-coa-secret") && !response.body.contains("short-coa"), "\(response.body)")
            }
        }
    }

    @Test("Out-of-range ports, bad vendor names and bad CoA secrets are 400 naming the field; nothing changes")
    func refusals() async throws {
        let world = try APIWorld()
        let op = world.token("alpha.operator")
        try await world.withClient { client in
            let base: [String: Any] = ["name": "edge", "address": "10.1.31.1", "secret": "edge-shared-secret"]
            let cases: [(String, Any, String)] = [
                ("coa_port", 0, "coa_port must be between 1 and 65535, not 0"),
                ("coa_port", 65536, "coa_port must be between 1 and 65535, not 65536"),
                ("coa_port", -3799, "coa_port must be between 1 and 65535, not -3799"),
                ("coa_port", "3799", "coa_port must be a whole number, not a string"),
                ("coa_port", 3799.5, "coa_port must be a whole number, not a number"),
                ("vendor", "../etc", "vendor must be 1-40 characters"),
                ("vendor", "Mikrotik", "vendor must be 1-40 characters"),
                ("vendor", "generic'; DROP TABLE nas_devices; --", "vendor must be 1-40 characters"),
                ("vendor", "", "vendor must be 1-40 characters"),
                ("vendor", String(repeating: "v", count: 41), "vendor must be at most 40 characters"),
                ("vendor", 7, "vendor must be a string, not a number"),
                ("coa_secret", "", "coa_secret must be 1-128 octets"),
                ("coa_secret", String(repeating: "€", count: 43), "coa_secret must be 1-128 octets"),
                ("coa_secret", String(repeating: "s", count: 129), "coa_secret must be at most 128 characters"),
                ("coa_secret", "nul\u{0}inside", "coa_secret must not contain NUL characters"),
                ("coa_secret", true, "coa_secret must be a string, not a boolean"),
            ]
            for (field, value, message) in cases {
                var body = base
                body[field] = value
                let created = try await client.send(.post, "/v1/nas", token: op, json: body)
                #expect(created.status == 400 && created.errorMessage.hasPrefix(message), "POST \(field)=\(value): \(created.body)")
                let patched = try await client.send(.patch, "/v1/nas/alpha-bras", token: op, json: [field: value])
                #expect(patched.status == 400 && patched.errorMessage.hasPrefix(message), "PATCH \(field)=\(value): \(patched.body)")
            }
            let unknown = try await client.send(.patch, "/v1/nas/alpha-bras", token: op, json: ["coa_host": "10.0.0.1"])
            #expect(unknown.status == 400 && unknown.errorMessage.contains("unknown field 'coa_host'"), "\(unknown.body)")
            #expect(
                try world.connection.query(
                    "SELECT name, coa_port, vendor, coa_secret_sealed IS NULL FROM nas_devices WHERE tenant_id = $1",
                    [String(world.a.id)]
                ).rows == [["alpha-bras", "3799", "generic", "t"]])
        }
    }

    @Test("Another tenant's operator gets 404 for a NAS and changes nothing of it")
    func crossTenant() async throws {
        let world = try APIWorld()
        let alpha = world.token("alpha.operator")
        let bravo = world.token("bravo.operator")
        try await world.withClient { client in
            #expect(
                try await client.send(.patch, "/v1/nas/alpha-bras", token: alpha, json: ["coa_secret": "alpha-own-coa", "coa_port": 1700]).status
                    == 200)
            let foreign = try await client.send(
                .patch, "/v1/nas/alpha-bras", token: bravo, json: ["coa_secret": NSNull(), "coa_port": 9, "vendor": "evil"])
            #expect(foreign.status == 404 && !foreign.body.contains("alpha-own-coa"), "\(foreign.body)")
            #expect(try await client.send(.get, "/v1/nas/alpha-bras", token: bravo).status == 404)
            let own = try await client.send(.get, "/v1/nas/alpha-bras", token: alpha)
            #expect(
                own.object["coa_port"] as? Int == 1700 && own.object["vendor"] as? String == "generic"
                    && own.object["has_coa_secret"] as? Bool == true)
            #expect(try reached(world, "alpha-bras") == "1700 generic alpha-own-coa")
        }
    }
}
