import Foundation
import Storage
import TestSupport
import Testing

@testable import API

@Suite("API actions in the audit log", .enabled(if: TestDatabase.available), .serialized)
struct APIAuditTests {
    @Test("Creating a plan, adding a version, running and finalizing a period record the token, the action and the object; refused ones nothing")
    func audited() async throws {
        let world = try APIWorld()
        let token = world.token("alpha.billing")
        let id = String(token.split(separator: "_")[1])
        let statuses = try await world.withClient { client in
            [
                try await client.send(.post, "/v1/plans", token: token, json: ["name": "audited", "currency": "EUR", "recurring_fee": "1"]).status,
                try await client.send(.post, "/v1/plans", token: token, json: ["name": "audited", "currency": "EUR"]).status,
                try await client.send(
                    .post, "/v1/plans/audited/versions", token: token,
                    json: ["currency": "EUR", "recurring_fee": "2", "effective_from": "2026-11-01"]
                ).status,
                try await client.send(.post, "/v1/invoice-runs", token: token, json: ["period": "2026-11"]).status,
                try await client.send(.post, "/v1/invoice-runs", token: token, json: ["period": "2026-11", "finalize": true]).status,
                // Final already: refused, and no entry.
                try await client.send(.post, "/v1/invoice-runs", token: token, json: ["period": "2026-11", "finalize": true]).status,
            ]
        }
        // The second plan of the same name conflicts and records nothing.
        #expect(statuses == [201, 409, 201, 200, 200, 409])
        let rows = try world.connection.query("SELECT tenant_id, actor, action, object, detail FROM audit_log ORDER BY id").rows
        let actor = "token:\(id)"
        let tenant = String(world.a.id)
        #expect(
            rows == [
                [tenant, actor, "plan.created", "audited", ""],
                [tenant, actor, "plan.version_added", "audited", "effective_from 2026-11-01"],
                [tenant, actor, "invoice_run.created", "2026-11", ""],
                [tenant, actor, "invoice_run.finalized", "2026-11", ""],
            ])
    }
}
