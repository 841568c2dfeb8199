import Foundation
import Hummingbird
import Storage
import TestSupport
import Testing

@testable import API

/// Which roles may call each route, as the API promises (admin: tenants only).
let routeRoles: [String: Set<String>] = [
    "GET /v1/tenants": ["admin"], "POST /v1/tenants": ["admin"], "GET /v1/tenants/{slug}": ["admin"], "PATCH /v1/tenants/{slug}": ["admin"],
    "GET /v1/nas": ["operator"], "POST /v1/nas": ["operator"], "GET /v1/nas/{name}": ["operator"], "PATCH /v1/nas/{name}": ["operator"],
    "DELETE /v1/nas/{name}": ["operator"], "POST /v1/nas/{name}/secret": ["operator"],
    "GET /v1/sessions": ["operator", "billing", "readonly"],
    "GET /v1/usage": ["billing", "readonly"], "GET /v1/usage/totals": ["billing", "readonly"], "GET /v1/usage/top": ["billing", "readonly"],
    "GET /v1/usage/unassigned": ["billing", "readonly"],
    "GET /v1/plans": ["billing"], "POST /v1/plans": ["billing"], "GET /v1/plans/{name}": ["billing"], "POST /v1/plans/{name}/versions": ["billing"],
    "GET /v1/subscribers": ["billing"], "POST /v1/subscribers": ["billing"], "POST /v1/subscribers/plan-changes": ["billing"],
    "POST /v1/subscribers/ends": ["billing"],
    "POST /v1/invoice-runs": ["billing"], "GET /v1/invoices": ["billing"], "GET /v1/invoices/export": ["billing"],
    "GET /v1/invoices/{id}": ["billing"],
    "GET /v1/webhooks": ["operator", "billing", "readonly"], "POST /v1/webhooks": ["operator", "billing"],
    "GET /v1/webhooks/{id}": ["operator", "billing", "readonly"], "PATCH /v1/webhooks/{id}": ["operator", "billing"],
    "DELETE /v1/webhooks/{id}": ["operator", "billing"], "POST /v1/webhooks/{id}/rotate-secret": ["operator", "billing"],
    "GET /v1/webhooks/{id}/deliveries": ["operator", "billing", "readonly"],
    "GET /v1/subscribers/{user}/quota": ["operator", "billing", "readonly"],
    "GET /v1/subscribers/{user}/top-ups": ["operator", "billing", "readonly"],
    "POST /v1/subscribers/{user}/top-ups": ["billing"], "GET /v1/enforcement": ["operator", "billing", "readonly"],
]

/// A concrete path for a route template, naming alpha's objects.
func concrete(_ template: String) -> String {
    template.replacingOccurrences(of: "{slug}", with: "alpha").replacingOccurrences(of: "{name}", with: "alpha-bras")
        .replacingOccurrences(of: "{user}", with: "alpha-u1")
        .replacingOccurrences(of: "{id}", with: "1") + (template.hasSuffix("unassigned") || template.hasSuffix("export") ? "?period=2026-10" : "")
}

@Suite("Management API", .enabled(if: TestDatabase.available), .serialized)
struct APITests {
    @Test("Every route: 401 without a token or with a bad, foreign or revoked one; 403 for each role that may not call it")
    func authenticationAndRoles() async throws {
        let world = try APIWorld()
        let revoked = try TokenStore(connection: world.connection).create(tenant: world.a, role: .billing, name: "old")
        try TokenStore(connection: world.connection).revoke(id: revoked.token.id)
        let routes = world.router.routes.map { "\($0.method.rawValue) \($0.path)" }.filter { $0.contains("/v1/") }
        #expect(Set(routes.map(normalizedRoute)) == Set(routeRoles.keys), "routes and the role table disagree")
        #expect(Set(world.api.routes().map(\.operation)) == Set(routeRoles.keys), "the route table and the role table disagree")
        try await world.withClient { client in
            for route in routeRoles.keys.sorted() {
                let parts = route.split(separator: " ")
                let method = HTTPRequest.Method(rawValue: String(parts[0]))!
                let path = concrete(String(parts[1]))
                let body = method == .get || method == .delete ? nil : "{}"
                let genuine = world.token("alpha.billing")
                let forged = String(genuine.dropLast()) + (genuine.hasSuffix("0") ? "1" : "0")
                for token in [
                    nil, "", "nonsense", "tg_0123456789abcdef_" + String(repeating: "0", count: 64), forged, revoked.secret,
                    String(repeating: "A", count: 5000),
                ] as [String?] {
                    let response = try await client.send(method, path, token: token, body: body)
                    #expect(response.status == 401, "\(route) with \(token.map { String($0.prefix(24)) } ?? "no token"): \(response.status)")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                }
                let allowed = routeRoles[route]!
                for role in ["admin", "operator", "billing", "readonly"] {
                    let token = world.token(role == "admin" ? "admin" : "alpha.\(role)")
                    let response = try await client.send(method, path, token: token, body: body)
                    if allowed.contains(role) {
                        #expect(response.status != 401 && response.status != 403, "\(route) as \(role): \(response.status) \(response.body)")
                    } else {
                        #expect(response.status == 403, "\(route) as \(role): \(response.status)")
                    }
                    #expect(response.status != 500, "\(route) as \(role): \(response.body)")
                }
            }
        }
    }

    @Test("Bodies: invalid JSON, not an object, unknown fields, wrong types, out of range, NUL and oversized bodies are 400/413 naming the field")
    func bodyValidation() async throws {
        let world = try APIWorld()
        let admin = world.token("admin")
        try await world.withClient { client in
            let cases: [(String, String)] = [
                ("{\"slug\": \"x\", ", "not valid JSON"),
                ("[1, 2]", "must be a JSON object"),
                ("{\"slug\": \"new\", \"name\": \"N\", \"colour\": \"red\"}", "unknown field 'colour'"),
                ("{\"slug\": 5, \"name\": \"N\"}", "slug must be a string"),
                ("{\"slug\": \"new\", \"name\": \"N\", \"billing_day\": 29}", "billing_day must be between 1 and 28"),
                ("{\"slug\": \"new\", \"name\": \"N\", \"billing_day\": \"3\"}", "billing_day must be a whole number"),
                ("{\"slug\": \"new\", \"name\": \"N\", \"billing_day\": true}", "billing_day must be a whole number"),
                ("{\"slug\": \"new\", \"name\": \"N\", \"billing_day\": 1.5}", "billing_day must be a whole number"),
                ("{\"slug\": \"new\", \"name\": \"a\\u0000b\"}", "name must not contain NUL"),
                ("{\"name\": \"N\"}", "slug is required"),
                ("{\"slug\": \"new\", \"name\": \"N\", \"time_zone\": \"Mars/Olympus\"}", "unknown time zone"),
                ("{\"slug\": \"Bad Slug\", \"name\": \"N\"}", "tenant slug"),
            ]
            for (body, message) in cases {
                let response = try await client.send(.post, "/v1/tenants", token: admin, body: body)
                #expect(response.status == 400, "\(body): \(response.status)")
                #expect(response.errorMessage.contains(message), "\(body): \(response.errorMessage)")
            }
            let huge = "{\"slug\": \"new\", \"name\": \"" + String(repeating: "x", count: 1 << 20) + "\"}"
            #expect(try await client.send(.post, "/v1/tenants", token: admin, body: huge).status == 413)
            let unknownQuery = try await client.send(.get, "/v1/sessions?colour=red", token: world.token("alpha.operator"))
            #expect(unknownQuery.status == 400 && unknownQuery.errorMessage.contains("colour"))
            let badLimit = try await client.send(.get, "/v1/sessions?limit=0", token: world.token("alpha.operator"))
            #expect(badLimit.status == 400 && badLimit.errorMessage.contains("limit"))
        }
    }

    @Test("Tenants: create, list, show, update; a currency is fixed once plans exist")
    func tenants() async throws {
        let world = try APIWorld()
        let admin = world.token("admin")
        try await world.withClient { client in
            let created = try await client.send(
                .post, "/v1/tenants", token: admin,
                json: [
                    "slug": "charlie", "name": "Charlie Net", "currency": "CHF", "time_zone": "Europe/Zurich", "billing_day": 15,
                    "rounding_mode": "half-up",
                ])
            #expect(created.status == 201, "\(created.body)")
            #expect(created.object["time_zone"] as? String == "Europe/Zurich" && created.object["billing_day"] as? Int == 15)
            #expect(try await client.send(.post, "/v1/tenants", token: admin, json: ["slug": "charlie", "name": "Again"]).status == 409)
            let list = try await client.send(.get, "/v1/tenants", token: admin)
            #expect(list.items.compactMap { $0["slug"] as? String } == ["alpha", "bravo", "charlie"])
            let updated = try await client.send(
                .patch, "/v1/tenants/charlie", token: admin,
                json: [
                    "time_zone": "Asia/Kolkata", "billing_day": 1,
                    "currency": "EUR",
                ])
            #expect(
                updated.status == 200 && updated.object["time_zone"] as? String == "Asia/Kolkata" && updated.object["currency"] as? String == "EUR")
            let shown = try await client.send(.get, "/v1/tenants/charlie", token: admin)
            #expect(shown.object["billing_day"] as? Int == 1 && shown.object["name"] as? String == "Charlie Net")
            let fixed = try await client.send(.patch, "/v1/tenants/alpha", token: admin, json: ["currency": "USD"])
            #expect(fixed.status == 409 && fixed.errorMessage.contains("currency"))
            let zone = try await client.send(.patch, "/v1/tenants/alpha", token: admin, json: ["time_zone": "UTC"])
            #expect(zone.status == 409 && zone.errorMessage.contains("usage"), "\(zone.body)")
            #expect(try await client.send(.get, "/v1/tenants/nobody", token: admin).status == 404)
            #expect(try await client.send(.patch, "/v1/tenants/alpha", token: admin, json: ["slug": "x"]).status == 400)
        }
    }

    @Test("NAS devices: register, list, show, update, rotate the secret, remove; secrets are never returned")
    func nasDevices() async throws {
        let world = try APIWorld()
        let op = world.token("alpha.operator")
        try await world.withClient { client in
            let created = try await client.send(
                .post, "/v1/nas", token: op,
                json: [
                    "name": "edge 2", "address": "10.1.9.0/24", "secret": "s3cret-value", "identifier": "edge-2",
                ])
            #expect(created.status == 201, "\(created.body)")
            #expect(created.object["address"] as? String == "10.1.9.0/24" && created.object["identifier"] as? String == "edge-2")
            let list = try await client.send(.get, "/v1/nas", token: op)
            #expect(list.items.compactMap { $0["name"] as? String } == ["alpha-bras", "edge 2"])
            let shown = try await client.send(.get, "/v1/nas/\(encoded("edge 2"))", token: op)
            #expect(shown.status == 200 && shown.object["listener"] as? String == "default")
            let moved = try await client.send(
                .patch, "/v1/nas/\(encoded("edge 2"))", token: op, body: "{\"address\": \"10.1.10.1\", \"identifier\": null}")
            #expect(moved.status == 200 && moved.object["address"] as? String == "10.1.10.1/32" && moved.object["identifier"] == nil, "\(moved.body)")
            #expect(try await client.send(.post, "/v1/nas/\(encoded("edge 2"))/secret", token: op, json: ["secret": "rotated-value"]).status == 204)
            let sealed = try world.connection.query("SELECT encode(secret_sealed, 'hex') FROM nas_devices WHERE name = 'edge 2'").value(
                row: 0, column: 0)!
            let bytes = stride(from: 0, to: sealed.count, by: 2).map { UInt8(sealed.dropFirst($0).prefix(2), radix: 16)! }
            #expect(try TestDatabase.cipher.open(bytes, tenantID: world.a.id) == Array("rotated-value".utf8))
            let clash = try await client.send(.post, "/v1/nas", token: op, json: ["name": "dup", "address": "10.1.10.1", "secret": "x"])
            #expect(clash.status == 409)
            let foreignClash = try await client.send(.post, "/v1/nas", token: op, json: ["name": "dup", "address": "10.2.0.1", "secret": "x"])
            #expect(foreignClash.status == 409 && !foreignClash.body.contains("bravo"), "\(foreignClash.body)")
            #expect(try await client.send(.post, "/v1/nas", token: op, json: ["name": "bad", "address": "10.1.1.1/8", "secret": "x"]).status == 400)
            // Ranges wide enough to squat on a shared listener are the platform operator's to register.
            for wide in ["0.0.0.0/0", "10.0.0.0/8", "::/0", "2001:db8::/32"] {
                let response = try await client.send(.post, "/v1/nas", token: op, json: ["name": "wide", "address": wide, "secret": "x"])
                #expect(response.status == 400 && response.errorMessage.contains("prefix"), "\(wide): \(response.body)")
            }
            #expect(
                try await client.send(.post, "/v1/nas", token: op, json: ["name": "pool", "address": "172.16.0.0/16", "secret": "x"]).status == 201)
            for body in [created.body, list.body, shown.body, moved.body] {
                // Only the derived flags mention a secret.
                let flags = ["\"weak_secret\"", "\"has_coa_secret\"", "\"weak_coa_secret\""]
                #expect(!flags.reduce(body) { $0.replacingOccurrences(of: $1, with: "") }.contains("secret"), "a secret field in \(body)")
                #expect(!body.contains("s3cret") && !body.contains("rotated-value"))
            }
            #expect(try await client.send(.delete, "/v1/nas/\(encoded("edge 2"))", token: op).status == 204)
            #expect(try await client.send(.delete, "/v1/nas/\(encoded("edge 2"))", token: op).status == 404)
        }
    }

    @Test("Sessions: active and closed, filtered by user, NAS and time, paginated with a cursor")
    func sessions() async throws {
        let world = try APIWorld()
        let token = world.token("alpha.readonly")
        try await world.withClient { client in
            let all = try await client.send(.get, "/v1/sessions", token: token)
            #expect(all.status == 200 && all.items.count == 4)
            #expect(all.object["next_cursor"] is NSNull || all.object["next_cursor"] == nil)
            #expect(try await client.send(.get, "/v1/sessions?state=active", token: token).items.count == 1)
            #expect(try await client.send(.get, "/v1/sessions?state=closed", token: token).items.count == 3)
            #expect(try await client.send(.get, "/v1/sessions?user=alpha-u1", token: token).items.count == 2)
            #expect(try await client.send(.get, "/v1/sessions?nas=alpha-bras&state=closed", token: token).items.count == 3)
            #expect(try await client.send(.get, "/v1/sessions?from=2026-10-07T01:00:00Z&to=2026-10-07T03:00:00Z", token: token).items.count == 2)
            // Pages of one, following the cursor, give every session once, newest first.
            var seen: [Int] = []
            var cursor: String?
            repeat {
                let page = try await client.send(.get, "/v1/sessions?limit=1" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
                seen += page.items.compactMap { $0["id"] as? Int }
                cursor = page.object["next_cursor"] as? String
            } while cursor != nil && seen.count < 10
            #expect(seen == world.sessionIDs["alpha"]!.reversed().map { Int($0) })
            #expect(try await client.send(.get, "/v1/sessions?state=idle", token: token).status == 400)
            #expect(try await client.send(.get, "/v1/sessions?cursor=-4", token: token).status == 400)
            #expect(try await client.send(.get, "/v1/sessions?from=yesterday", token: token).status == 400)
        }
    }

    @Test("Usage: per subscriber by hour, day and month, tenant totals, top N, unassigned User-Names, CSV")
    func usage() async throws {
        let world = try APIWorld()
        let token = world.token("alpha.billing")
        try await world.withClient { client in
            let perUser = try await client.send(.get, "/v1/usage?from=2026-10-01&to=2026-11-01", token: token)
            #expect(perUser.items.compactMap { $0["subscriber"] as? String } == ["alpha-stranger", "alpha-u1", "alpha-u2"])
            let u2 = perUser.items.first { $0["subscriber"] as? String == "alpha-u2" }!
            #expect(u2["upload_bytes"] as? Int == 2_000_000 && u2["download_bytes"] as? Int == 4_294_967_296 + 40_000_000)
            let byDay = try await client.send(.get, "/v1/usage?user=alpha-u1&by=day", token: token)
            #expect(byDay.items.map { $0["period"] as? String } == ["2026-10-07"])
            let byHour = try await client.send(.get, "/v1/usage?user=alpha-u1&by=hour", token: token)
            #expect(byHour.items.count == 2, "a 2-hour session spans two hourly buckets: \(byHour.body)")
            let totals = try await client.send(.get, "/v1/usage/totals?by=month", token: token)
            #expect(totals.items.count == 1 && totals.items[0]["period"] as? String == "2026-10")
            #expect(totals.items[0]["upload_bytes"] as? Int == 6_000_000)
            let top = try await client.send(.get, "/v1/usage/top?by=download&limit=2&from=2026-10-01&to=2026-11-01", token: token)
            #expect(top.items.compactMap { $0["subscriber"] as? String } == ["alpha-stranger", "alpha-u2"])
            let unassigned = try await client.send(.get, "/v1/usage/unassigned?period=2026-10", token: token)
            #expect(unassigned.items.compactMap { $0["user"] as? String } == ["alpha-stranger"])
            let csv = try await client.send(.get, "/v1/usage?by=month&format=csv", token: token)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.body.hasPrefix("subscriber,period,upload_bytes,download_bytes,session_seconds\r\nalpha-stranger,2026-10,3000000,"))
            #expect(try await client.send(.get, "/v1/usage?by=week", token: token).status == 400)
            #expect(try await client.send(.get, "/v1/usage/unassigned", token: token).status == 400)
            #expect(try await client.send(.get, "/v1/usage/top?limit=0", token: token).status == 400)
            for bad in ["0000-01-01", "2026-01-01ZZ", "2026-02-30", "99999-01-01"] {
                for path in ["/v1/usage/totals?from=", "/v1/usage/top?to=", "/v1/usage?from=", "/v1/sessions?from="] {
                    let status = try await client.send(.get, path + bad, token: token).status
                    #expect(status == 400, "\(path)\(bad): \(status)")
                }
            }
            for bad in ["2026-13", "2026-1", "26-10", "2026/10"] {
                #expect(try await client.send(.get, "/v1/invoices?period=\(bad)", token: token).status == 400)
                #expect(try await client.send(.get, "/v1/usage/unassigned?period=\(bad)", token: token).status == 400)
            }
        }
    }

    @Test("Plans, versions, subscribers and plan changes, invoice runs, lists, lines, export and finalizing")
    func billing() async throws {
        let world = try APIWorld()
        let token = world.token("alpha.billing")
        try await world.withClient { client in
            let plan = try await client.send(
                .post, "/v1/plans", token: token,
                json: [
                    "name": "Fibre 1000", "effective_from": "2026-01-01", "currency": "EUR", "recurring_fee": "49.90", "unit": "GB", "included": 500,
                    "overage": "per_unit", "price": "0.10", "tax_rate": "0.20",
                ])
            #expect(plan.status == 201, "\(plan.body)")
            let version = try await client.send(
                .post, "/v1/plans/\(encoded("Fibre 1000"))/versions", token: token,
                json: [
                    "effective_from": "2026-10-16", "currency": "EUR", "recurring_fee": "59.90", "unit": "GB", "included": 500, "overage": "none",
                ])
            #expect(version.status == 201 && (version.object["versions"] as? [Any])?.count == 2, "\(version.body)")
            let badPlan = try await client.send(
                .post, "/v1/plans", token: token, json: ["name": "X", "currency": "EUR", "recurring_fee": "1", "unit": "parsec"])
            #expect(badPlan.status == 400 && badPlan.errorMessage.contains("unit"), "\(badPlan.body)")
            #expect(
                try await client.send(.post, "/v1/plans", token: token, json: ["name": "Fibre 1000", "currency": "EUR", "recurring_fee": "1"]).status
                    == 409)
            // A well-formed currency that is not the tenant's conflicts with the tenant.
            let dollars = try await client.send(.post, "/v1/plans", token: token, json: ["name": "Dollars", "currency": "USD", "recurring_fee": "1"])
            #expect(dollars.status == 409 && dollars.errorMessage.contains("bills in EUR"), "\(dollars.body)")
            #expect(try await client.send(.get, "/v1/plans", token: token).items.count == 2)
            #expect(try await client.send(.get, "/v1/plans/nothing", token: token).status == 404)

            let added = try await client.send(
                .post, "/v1/subscribers", token: token, json: ["user": "alpha-stranger", "plan": "Fibre 1000", "from": "2026-10-01"])
            #expect(added.status == 201, "\(added.body)")
            let moved = try await client.send(
                .post, "/v1/subscribers/plan-changes", token: token, json: ["user": "alpha-u2", "plan": "Fibre 1000", "on": "2026-10-20"])
            #expect(moved.status == 200 && (moved.object["assignments"] as? [Any])?.count == 2, "\(moved.body)")
            let ended = try await client.send(.post, "/v1/subscribers/ends", token: token, json: ["user": "alpha-u1", "on": "2026-10-25"])
            #expect(ended.status == 200)
            #expect(
                try await client.send(.post, "/v1/subscribers", token: token, json: ["user": "x", "plan": "none", "from": "2026-10-01"]).status == 404
            )
            #expect(
                try await client.send(.post, "/v1/subscribers", token: token, json: ["user": "x", "plan": "Fibre 1000", "from": "2026-13-01"]).status
                    == 400)
            #expect(try await client.send(.get, "/v1/subscribers?user=alpha-u2", token: token).items.count == 1)

            let run = try await client.send(.post, "/v1/invoice-runs", token: token, json: ["period": "2026-10"])
            #expect(run.status == 200 && run.object["drafts"] as? Int == 3, "\(run.body)")
            let invoices = try await client.send(.get, "/v1/invoices?period=2026-10", token: token)
            #expect(invoices.items.count == 3)
            let sum = invoices.items.compactMap { Decimal(string: $0["total"] as? String ?? "") }.reduce(0, +)
            #expect(sum == Decimal(string: run.object["total"] as? String ?? ""))
            let id = invoices.items[0]["id"] as! Int
            let shown = try await client.send(.get, "/v1/invoices/\(id)", token: token)
            #expect(shown.status == 200 && !((shown.object["lines"] as? [Any]) ?? []).isEmpty)
            let csv = try await client.send(.get, "/v1/invoices/export?period=2026-10", token: token)
            #expect(csv.body.hasPrefix("invoice_id,user,period,status,currency,position,kind,"))
            let listCSV = try await client.send(.get, "/v1/invoices?format=csv", token: token)
            #expect(listCSV.body.split(separator: "\r\n").count == 4)
            let final = try await client.send(.post, "/v1/invoice-runs", token: token, json: ["period": "2026-10", "finalize": true])
            #expect(final.object["finalized"] as? Int == 3)
            #expect(try await client.send(.get, "/v1/invoices?status=final", token: token).items.count == 3)
            #expect(try await client.send(.post, "/v1/invoice-runs", token: token, json: ["period": "October"]).status == 400)
            #expect(try await client.send(.get, "/v1/invoices/999999", token: token).status == 404)
            #expect(try await client.send(.get, "/v1/invoices/abc", token: token).status == 404)
        }
    }
}

/// "GET /v1/nas/{name}" whatever syntax the router prints parameters in.
func normalizedRoute(_ route: String) -> String {
    route.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
        if segment.hasPrefix(":") { return "{\(segment.dropFirst())}" }
        if segment.hasPrefix("${") { return "{\(segment.dropFirst(2).dropLast())}" }
        return String(segment)
    }.joined(separator: "/")
}
