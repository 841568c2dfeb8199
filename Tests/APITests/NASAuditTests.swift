import Foundation
import Storage
import TestSupport
import Testing

@Suite("API: NAS changes are audited in their own transaction", .enabled(if: TestDatabase.available))
struct NASAuditTests {
    @Test("Add, update, rotate and remove record token:<id> entries with the settings, never a secret; refusals record nothing")
    func audited() async throws {
        let world = try APIWorld()
        let op = world.token("alpha.operator")
        let id = String(op.split(separator: "_")[1])
        try await world.withClient { (client: APIClient) async throws in
            #expect(
                try await client.send(
                    .post, "/v1/nas", token: op, json: ["name": "edge-a", "address": "10.1.40.1", "secret": "edge-a-shared-secret"]
                ).status == 201)
            #expect(
                try await client.send(
                    .patch, "/v1/nas/edge-a", token: op,
                    json: ["coa_port": 1700, "coa_secret": "edge-a-coa-secret", "vendor": "mikrotik"]
                ).status == 200)
            #expect(try await client.send(.patch, "/v1/nas/edge-a", token: op, json: ["identifier": NSNull(), "coa_secret": NSNull()]).status == 200)
            #expect(try await client.send(.post, "/v1/nas/edge-a/secret", token: op, json: ["secret": "edge-a-rotated-secret"]).status == 204)
            // Refused or not found: nothing is recorded.
            #expect(try await client.send(.patch, "/v1/nas/edge-a", token: op, json: ["address": "10.1.40.1/8"]).status == 400)
            #expect(
                try await client.send(.post, "/v1/nas", token: op, json: ["name": "edge-a", "address": "10.1.40.2", "secret": "x-secret-long"]).status
                    == 409)
            #expect(try await client.send(.delete, "/v1/nas/bravo-bras", token: op).status == 404)
            #expect(try await client.send(.delete, "/v1/nas/edge-a", token: op).status == 204)
        }
        let entries = try AuditLog(connection: world.connection).page(tenant: world.a, limit: 100).reversed()
            .map { "\($0.actor) \($0.action) \($0.object) \($0.detail)" }
        #expect(
            entries == [
                "token:\(id) nas.added edge-a address=10.1.40.1 listener=default",
                "token:\(id) nas.updated edge-a coa_port=1700 coa_secret=set vendor=mikrotik",
                "token:\(id) nas.updated edge-a identifier=removed coa_secret=removed",
                "token:\(id) nas.secret_rotated edge-a ",
                "token:\(id) nas.removed edge-a ",
            ])
        #expect(try AuditLog(connection: world.connection).page(tenant: world.b, limit: 100).isEmpty)
    }
}
