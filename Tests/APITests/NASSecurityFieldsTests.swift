import Foundation
import TestSupport
import Testing

@Suite("API: NAS weak_secret and require_message_authenticator", .enabled(if: TestDatabase.available))
struct NASSecurityFieldsTests {
    @Test("weak_secret follows the secret's length; require_message_authenticator is set on create and PATCH; mapped prefixes count as IPv4")
    func fields() async throws {
        let world = try APIWorld()
        let op = world.token("alpha.operator")
        try await world.withClient { client in
            let weak = try await client.send(.post, "/v1/nas", token: op, json: ["name": "weak", "address": "10.1.20.1", "secret": "eleven-octs"])
            #expect(weak.status == 201, "\(weak.body)")
            #expect(weak.object["weak_secret"] as? Bool == true && weak.object["require_message_authenticator"] as? Bool == false, "\(weak.body)")
            let strict = try await client.send(
                .post, "/v1/nas", token: op,
                json: [
                    "name": "strict", "address": "10.1.20.2", "secret": "twelve-octet", "require_message_authenticator": true,
                ])
            #expect(strict.status == 201, "\(strict.body)")
            #expect(
                strict.object["weak_secret"] as? Bool == false && strict.object["require_message_authenticator"] as? Bool == true, "\(strict.body)")
            #expect(!strict.body.contains("twelve-octet"))

            let list = try await client.send(.get, "/v1/nas", token: op)
            let flags = list.items.filter { ["weak", "strict"].contains($0["name"] as? String) }
                .map { "\($0["name"]!) \($0["weak_secret"] as? Bool ?? false) \($0["require_message_authenticator"] as? Bool ?? false)" }
            #expect(flags == ["strict false true", "weak true false"])

            let relaxed = try await client.send(.patch, "/v1/nas/strict", token: op, json: ["require_message_authenticator": false])
            #expect(relaxed.status == 200 && relaxed.object["require_message_authenticator"] as? Bool == false, "\(relaxed.body)")
            let untouched = try await client.send(.patch, "/v1/nas/weak", token: op, json: ["address": "10.1.20.3"])
            #expect(untouched.status == 200 && untouched.object["require_message_authenticator"] as? Bool == false)
            let wrongType = try await client.send(.patch, "/v1/nas/strict", token: op, json: ["require_message_authenticator": "yes"])
            #expect(wrongType.status == 400 && wrongType.errorMessage.contains("require_message_authenticator"), "\(wrongType.body)")

            #expect(try await client.send(.post, "/v1/nas/weak/secret", token: op, json: ["secret": "now-long-enough"]).status == 204)
            #expect(try await client.send(.get, "/v1/nas/weak", token: op).object["weak_secret"] as? Bool == false)

            let mapped = try await client.send(
                .post, "/v1/nas", token: op, json: ["name": "mapped", "address": "::ffff:10.1.21.0/120", "secret": "a-good-secret"])
            #expect(mapped.status == 201 && mapped.object["address"] as? String == "10.1.21.0/24", "\(mapped.body)")
            // ::ffff:10.0.0.0/104 is 10.0.0.0/8: wider than the API's /16.
            for wide in ["::ffff:10.0.0.0/104", "::ffff:a00:0/104"] {
                let response = try await client.send(.post, "/v1/nas", token: op, json: ["name": "wide", "address": wide, "secret": "a-good-secret"])
                #expect(response.status == 400, "\(wide): \(response.body)")
            }
        }
    }
}
