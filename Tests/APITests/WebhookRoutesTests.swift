import Foundation
import Hummingbird
import Storage
import TestSupport
import Testing

@testable import API

@Suite("Webhook API", .enabled(if: TestDatabase.available), .serialized)
struct WebhookRoutesTests {
    @Test("Create (secret once), list, show, update, rotate, deliveries, remove; bad URLs and events are 400; another tenant's endpoint is 404")
    func lifecycle() async throws {
        let world = try APIWorld()
        let op = world.token("alpha.operator")
        let billing = world.token("alpha.billing")
        let readonly = world.token("alpha.readonly")
        let bravo = try WebhookStore(connection: world.connection, cipher: TestDatabase.cipher)
            .create(tenant: world.b, url: "http://bravo.example/h", events: ["nas.silent"])
        try await world.withClient { client in
            let created = try await client.send(
                .post, "/v1/webhooks", token: op,
                json: [
                    "url": "https://noc.example/hooks", "events": ["nas.silent", "enforcement.failed"], "description": "NOC",
                ])
            #expect(created.status == 201, "\(created.body)")
            let secret = try #require(created.object["secret"] as? String)
            #expect(secret.hasPrefix("whsec_") && secret.count == 70)
            #expect(created.object["events"] as? [String] == ["enforcement.failed", "nas.silent"])
            #expect(created.object["enabled"] as? Bool == true)
            let id = try #require(created.object["id"] as? Int)
            let second = try await client.send(
                .post, "/v1/webhooks", token: billing,
                json: [
                    "url": "http://127.0.0.1:9/b", "events": ["invoice.finalized"],
                    "enabled": false,
                ])
            #expect(second.status == 201 && second.object["enabled"] as? Bool == false)
            // Listing pages by id with a cursor; no secret anywhere but in the create answer.
            let page1 = try await client.send(.get, "/v1/webhooks?limit=1", token: readonly)
            let cursor = try #require(page1.object["next_cursor"] as? String)
            let page2 = try await client.send(.get, "/v1/webhooks?limit=1&cursor=\(cursor)", token: readonly)
            #expect(
                page1.items.compactMap { $0["id"] as? Int } + page2.items.compactMap { $0["id"] as? Int } == [id, second.object["id"] as? Int ?? 0])
            #expect(page2.object["next_cursor"] is NSNull)
            let shown = try await client.send(.get, "/v1/webhooks/\(id)", token: readonly)
            #expect(shown.status == 200 && shown.object["description"] as? String == "NOC")
            for body in [page1.body, page2.body, shown.body] { #expect(!body.contains("secret") && !body.contains(secret)) }
            let updated = try await client.send(.patch, "/v1/webhooks/\(id)", token: billing, json: ["events": ["quota.crossed"], "enabled": false])
            #expect(
                updated.status == 200 && updated.object["events"] as? [String] == ["quota.crossed"] && updated.object["enabled"] as? Bool == false)
            #expect(updated.object["url"] as? String == "https://noc.example/hooks")
            let rotated = try await client.send(.post, "/v1/webhooks/\(id)/rotate-secret", token: op)
            #expect(rotated.status == 200)
            let newSecret = try #require(rotated.object["secret"] as? String)
            #expect(newSecret != secret)
            try world.connection.tenantTransaction(world.a.id) {
                _ = try $0.query("UPDATE webhook_endpoints SET enabled = true")
                try WebhookOutbox.enqueue($0, tenantID: world.a.id, event: .quotaCrossed, data: "{}")
                try WebhookOutbox.enqueue($0, tenantID: world.a.id, event: .quotaCrossed, data: "{}")
            }
            let deliveries = try await client.send(.get, "/v1/webhooks/\(id)/deliveries?limit=1", token: readonly)
            #expect(deliveries.status == 200 && deliveries.items.count == 1)
            #expect(deliveries.items.first?["status"] as? String == "pending" && deliveries.items.first?["event"] as? String == "quota.crossed")
            #expect(deliveries.items.first?["endpoint_id"] as? Int == id && deliveries.items.first?["attempts"] as? Int == 0)
            let next = try #require(deliveries.object["next_cursor"] as? String)
            #expect(try await client.send(.get, "/v1/webhooks/\(id)/deliveries?limit=1&cursor=\(next)", token: readonly).items.count == 1)
            // A cursor is a bound of the id order, good with a filter too; another listing's cursor is refused.
            #expect(try await client.send(.get, "/v1/webhooks/\(id)/deliveries?status=pending&cursor=\(next)", token: readonly).items.count == 1)
            #expect(try await client.send(.get, "/v1/webhooks/\(id)/deliveries?cursor=\(cursor)", token: readonly).status == 400)
            #expect(try await client.send(.get, "/v1/webhooks/\(id)/deliveries?status=lost", token: readonly).status == 400)

            // Hostile URLs and events.
            for url in ["file:///etc/passwd", "http://user:pw@h/", "javascript:alert(1)", "https://h/#x", "http://h:99999/", "=1+1", "http://h/a b"] {
                let response = try await client.send(.post, "/v1/webhooks", token: op, json: ["url": url, "events": ["nas.silent"]])
                #expect(response.status == 400 && response.errorMessage.contains("url"), "\(url): \(response.body)")
            }
            for events in [[] as [Any], ["nas.loud"], [1], ["'; DROP TABLE webhook_endpoints; --"]] {
                let response = try await client.send(.post, "/v1/webhooks", token: op, json: ["url": "http://h/", "events": events])
                #expect(response.status == 400 && response.errorMessage.contains("event"), "\(events): \(response.body)")
            }
            #expect(try await client.send(.post, "/v1/webhooks", token: op, json: ["url": "http://h/"]).status == 400)
            #expect(
                try await client.send(.post, "/v1/webhooks", token: op, json: ["url": "http://h/", "events": ["nas.silent"], "secret": "mine"]).status
                    == 400)
            // Readonly may not change anything.
            #expect(try await client.send(.post, "/v1/webhooks/\(id)/rotate-secret", token: readonly).status == 403)
            // Another tenant's endpoint, a made-up id and text ids: 404.
            for path in [
                "/v1/webhooks/\(bravo.id)", "/v1/webhooks/\(bravo.id)/deliveries", "/v1/webhooks/999999", "/v1/webhooks/abc", "/v1/webhooks/-1",
            ] {
                #expect(try await client.send(.get, path, token: op).status == 404, "\(path)")
            }
            #expect(try await client.send(.patch, "/v1/webhooks/\(bravo.id)", token: op, json: ["enabled": false]).status == 404)
            #expect(try await client.send(.post, "/v1/webhooks/\(bravo.id)/rotate-secret", token: op).status == 404)
            #expect(try await client.send(.delete, "/v1/webhooks/\(bravo.id)", token: op).status == 404)
            #expect(try await client.send(.delete, "/v1/webhooks/\(id)", token: op).status == 204)
            #expect(try await client.send(.get, "/v1/webhooks/\(id)", token: op).status == 404)
        }
        #expect(try WebhookStore(connection: world.connection, cipher: TestDatabase.cipher).find(tenant: world.b, id: bravo.id).enabled)
    }
}
