import Accounting
import Foundation
import HummingbirdTesting
import Rating
import Storage
import TestSupport
import Testing

@Suite("Management API: quotas, top-ups and the enforcement log", .enabled(if: TestDatabase.available), .serialized)
struct QuotaAPITests {
    /// alpha-u1 on a plan with policies, 12 GB counted today, one live session, throttled at 10 GB.
    func world() throws -> APIWorld {
        let world = try APIWorld()
        let terms = PlanTerms(
            currency: "EUR", unit: .GB, included: 10, rate: "50M/50M",
            quotas: [
                QuotaPolicy(threshold: .percent(80), action: .notify),
                QuotaPolicy(threshold: .percent(100), action: .throttle, rate: "1M/1M"),
            ])
        let plans = PlanStore(connection: world.connection)
        _ = try plans.createPlan(tenant: world.a, name: "Fair", terms: terms, effectiveFrom: CivilDate("2020-01-01"))
        let today = LocalTime.date(utc: Int64(Date().timeIntervalSince1970), zone: world.a.timeZone)!
        let cycleStart = BillingPeriod.containing(today, billingDay: world.a.billingDay).first
        _ = try plans.changePlan(tenant: world.a, user: "alpha-u1", plan: "Fair", on: cycleStart)
        let hour = Int64(Date().timeIntervalSince1970) / 3600 * 3600
        try world.connection.query(
            """
            INSERT INTO usage_hourly (tenant_id, subscriber, hour, download_bytes) VALUES ($1, 'alpha-u1', to_timestamp($2), 12000000000)
            ON CONFLICT (tenant_id, subscriber, hour) DO UPDATE SET download_bytes = usage_hourly.download_bytes + 12000000000
            """, [String(world.a.id), String(hour)])
        _ = try QuotaStore(connection: world.connection).enforce(
            tenantID: world.a.id, users: ["alpha-u1"], now: Int64(Date().timeIntervalSince1970),
            claimant: UUID(), cache: QuotaStore.TermsCache())
        return world
    }

    @Test("the quota shows counted usage, the allowance, each threshold and the state")
    func quota() async throws {
        let world = try world()
        let billing = world.token("alpha.billing")
        try await world.withClient { client in
            let response = try await client.send(.get, "/v1/subscribers/alpha-u1/quota", token: world.token("alpha.readonly"))
            #expect(response.status == 200, "\(response.body)")
            let object = try #require(response.json as? [String: Any])
            #expect(object["plan"] as? String == "Fair")
            #expect(object["used_bytes"] as? Int == 12_000_000_000)
            #expect(object["state"] as? String == "throttled")
            let thresholds = try #require(object["thresholds"] as? [[String: Any]])
            #expect(thresholds.map { $0["at"] as? String } == ["80%", "100%"])
            #expect(thresholds.allSatisfy { $0["crossed"] as? Bool == true && $0["crossed_at"] is String })
            #expect((object["restriction"] as? [String: Any])?["rate"] as? String == "1M/1M")
            // A subscriber without quota policies still has a quota view; an unknown one is 404.
            let plain = try await client.send(.get, "/v1/subscribers/alpha-u2/quota", token: billing)
            #expect(plain.status == 200 && (plain.json as? [String: Any])?["state"] as? String == "normal")
            #expect(try await client.send(.get, "/v1/subscribers/nobody/quota", token: billing).status == 404)
            // Tenant B cannot see A's subscriber, even with the same path.
            #expect(try await client.send(.get, "/v1/subscribers/alpha-u1/quota", token: world.token("bravo.billing")).status == 404)
            #expect(try await client.send(.get, "/v1/subscribers/alpha-u1/quota?x=1", token: billing).status == 400)
        }
    }

    @Test("a top-up is granted once per request, lifts the throttle and records a restore for the live session")
    func topUp() async throws {
        let world = try world()
        let billing = world.token("alpha.billing")
        try await world.withClient { client in
            let created = try await client.send(
                .post, "/v1/subscribers/alpha-u1/top-ups", token: billing, json: ["amount": "5 GB", "note": "goodwill"])
            #expect(created.status == 201, "\(created.body)")
            let object = try #require(created.json as? [String: Any])
            #expect(object["bytes"] as? Int == 5_000_000_000 && object["note"] as? String == "goodwill")
            #expect(object["restores"] as? Int == 1)
            let quota = try #require(try await client.send(.get, "/v1/subscribers/alpha-u1/quota", token: billing).json as? [String: Any])
            #expect(quota["allowance_bytes"] as? Int == 15_000_000_000 && quota["state"] as? String == "normal")
            let list = try await client.send(.get, "/v1/subscribers/alpha-u1/top-ups", token: world.token("alpha.operator"))
            #expect(list.items.map { $0["bytes"] as? Int } == [5_000_000_000])
            let log = try await client.send(.get, "/v1/enforcement?user=alpha-u1", token: world.token("alpha.operator"))
            #expect(log.status == 200)
            #expect(log.items.map { $0["action"] as? String } == ["restore", "throttle"])
            #expect(log.items.first?["rate"] as? String == "50M/50M" && log.items.first?["reason"] as? String == "top-up")
            // The throttle was never answered: the lift drops it, so it cannot land after the restore.
            #expect(log.items.map { $0["status"] as? String } == ["pending", "failed"])
            #expect(log.items.last?["detail"] as? String == "lifted before it was answered")
            #expect(log.items.allSatisfy { $0["acct_session_id"] as? String == "alpha-open" })
            // Tenant B sees none of it and cannot top A's subscriber up.
            #expect(try await client.send(.get, "/v1/enforcement", token: world.token("bravo.billing")).items.isEmpty)
            #expect(
                try await client.send(
                    .post, "/v1/subscribers/alpha-u1/top-ups", token: world.token("bravo.billing"),
                    json: ["amount": "5 GB"]
                ).status == 404)
        }
        #expect(try world.connection.query("SELECT count(*) FROM top_ups").int64(row: 0, column: 0) == 1)
    }

    @Test(
        "hostile top-ups are refused naming the field, and nothing is granted",
        arguments: [
            #"{"amount": "5"}"#, #"{"amount": "-5 GB"}"#, #"{"amount": "0 GB"}"#, #"{"amount": "5 XB"}"#, #"{"amount": 5}"#,
            #"{"amount": "=1+1"}"#, #"{"amount": "5 GB'; DROP TABLE top_ups; --"}"#, #"{"amount": "99999999999 TB"}"#,
            #"{"amount": "5 GB", "bytes": 1}"#, #"{"note": "no amount"}"#, #"{"amount": "5 GB", "note": "a\u0000b"}"#,
        ])
    func hostileTopUps(body: String) async throws {
        let world = try world()
        let billing = world.token("alpha.billing")
        try await world.withClient { client in
            let response = try await client.send(.post, "/v1/subscribers/alpha-u1/top-ups", token: billing, body: body)
            #expect(response.status == 400, "\(body): \(response.status) \(response.body)")
        }
        #expect(try world.connection.query("SELECT count(*) FROM top_ups").int64(row: 0, column: 0) == 0)
    }

    @Test("the enforcement log pages newest first and filters by status")
    func enforcementPages() async throws {
        let world = try world()
        for i in 0..<4 {
            try world.connection.query(
                """
                INSERT INTO sessions (tenant_id, nas_id, acct_session_id, user_name, nas_port) VALUES ($1, 1, $2, 'alpha-u1', $3)
                """, [String(world.a.id), "extra-\(i)", String(i)])
        }
        _ = try QuotaStore(connection: world.connection).enforce(
            tenantID: world.a.id, users: ["alpha-u1"], now: Int64(Date().timeIntervalSince1970),
            claimant: UUID(), cache: QuotaStore.TermsCache())
        try await world.withClient { client in
            let token = world.token("alpha.billing")
            var ids: [Int] = []
            var cursor: String?
            repeat {
                let page = try await client.send(.get, "/v1/enforcement?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
                #expect(page.status == 200)
                ids += page.items.compactMap { $0["id"] as? Int }
                cursor = (page.json as? [String: Any])?["next_cursor"] as? String
            } while cursor != nil
            #expect(ids.count == 5 && ids == ids.sorted(by: >))
            #expect(try await client.send(.get, "/v1/enforcement?status=acked", token: token).items.isEmpty)
            #expect(try await client.send(.get, "/v1/enforcement?status=maybe", token: token).status == 400)
        }
    }
}
