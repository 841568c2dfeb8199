import Foundation
import Hummingbird
import Storage
import TestSupport
import Testing

@testable import API

/// Everything of tenant B ("bravo") a response to tenant A must never contain, unless the
/// request itself named it.
private let bravoMarkers = [
    "bravo-bras", "bravo-u1", "bravo-u2", "bravo-stranger", "bravo-plan", "bravo-s0", "bravo-s1", "bravo-s2", "bravo-open",
    "bravo ISP", "bravo-secret", "10.2.0.1", "100.64.2.",
]

@Suite("Tenant isolation through the API", .enabled(if: TestDatabase.available), .serialized)
struct APIIsolationTests {
    @Test("Tenant A's tokens, every role, on tenant B's ids and in every list filter: 404 or A's own data only, nothing of B anywhere")
    func isolationMatrix() async throws {
        let world = try APIWorld()
        let bInvoices = world.invoiceIDs["bravo"]!
        let bSessions = world.sessionIDs["bravo"]!
        #expect(!bInvoices.isEmpty && !bSessions.isEmpty)
        var requests: [(HTTPRequest.Method, String, String?)] = [
            (.get, "/v1/nas/bravo-bras", nil), (.patch, "/v1/nas/bravo-bras", "{\"address\": \"10.1.77.1\"}"), (.delete, "/v1/nas/bravo-bras", nil),
            (.post, "/v1/nas/bravo-bras/secret", "{\"secret\": \"taken-over\"}"),
            (.get, "/v1/nas", nil),
            (.get, "/v1/sessions?user=bravo-u1", nil), (.get, "/v1/sessions?nas=bravo-bras", nil), (.get, "/v1/sessions", nil),
            (.get, "/v1/sessions?state=active", nil), (.get, "/v1/sessions?limit=1000", nil),
            (.get, "/v1/usage?user=bravo-u1", nil), (.get, "/v1/usage", nil), (.get, "/v1/usage?by=hour", nil), (.get, "/v1/usage?format=csv", nil),
            (.get, "/v1/usage/totals", nil), (.get, "/v1/usage/totals?by=day", nil), (.get, "/v1/usage/top?limit=10000", nil),
            (.get, "/v1/usage/top?by=upload", nil), (.get, "/v1/usage/unassigned?period=2026-10", nil),
            (.get, "/v1/plans", nil), (.get, "/v1/plans/bravo-plan", nil),
            (.post, "/v1/plans/bravo-plan/versions", "{\"effective_from\": \"2026-11-01\", \"currency\": \"EUR\", \"recurring_fee\": \"0\"}"),
            (.get, "/v1/subscribers", nil), (.get, "/v1/subscribers?user=bravo-u1", nil),
            (.post, "/v1/subscribers", "{\"user\": \"someone\", \"plan\": \"bravo-plan\", \"from\": \"2026-10-01\"}"),
            (.post, "/v1/subscribers/plan-changes", "{\"user\": \"bravo-u1\", \"plan\": \"alpha-plan\", \"on\": \"2026-11-01\"}"),
            (.post, "/v1/subscribers/ends", "{\"user\": \"bravo-u2\", \"on\": \"2026-11-01\"}"),
            (.get, "/v1/invoices", nil), (.get, "/v1/invoices?user=bravo-u1", nil), (.get, "/v1/invoices?format=csv", nil),
            (.get, "/v1/invoices/export?period=2026-10", nil), (.get, "/v1/invoices/export?period=2026-10&format=json", nil),
        ]
        for id in bInvoices { requests.append((.get, "/v1/invoices/\(id)", nil)) }
        let before = try snapshot(world)
        let matrix = requests
        try await world.withClient { client in
            // B's cursors (one per page of B's sessions) are refused for A: they are sealed for B.
            var cursor: String?
            var bCursors: [String] = []
            repeat {
                let page = try await client.send(
                    .get, "/v1/sessions?limit=1" + (cursor.map { "&cursor=\($0)" } ?? ""), token: world.token("bravo.readonly"))
                cursor = page.object["next_cursor"] as? String
                if let cursor { bCursors.append(cursor) }
            } while cursor != nil
            #expect(bCursors.count == bSessions.count - 1)
            for bCursor in bCursors {
                let response = try await client.send(.get, "/v1/sessions?limit=1&cursor=\(bCursor)", token: world.token("alpha.readonly"))
                #expect(response.status == 400 && !response.body.contains("bravo"), "\(response.status) \(response.body)")
            }
            for role in ["operator", "billing", "readonly"] {
                let token = world.token("alpha.\(role)")
                for (method, path, body) in matrix {
                    let response = try await client.send(method, path, token: token, body: body)
                    #expect(response.status != 500, "\(role) \(method) \(path): \(response.body)")
                    #expect([200, 201, 204, 403, 404].contains(response.status), "\(role) \(method) \(path): \(response.status) \(response.body)")
                    for marker in bravoMarkers where !path.contains(marker) && !(body ?? "").contains(marker) {
                        #expect(!response.body.contains(marker), "\(role) \(method) \(path) returned B's \(marker): \(response.body.prefix(300))")
                    }
                    // Objects of B named in the request are not found (or the role may not ask at all).
                    if path.contains("/bravo-") || path.hasPrefix("/v1/invoices/") && !path.contains("export") && !path.contains("?") {
                        #expect(response.status == 404 || response.status == 403, "\(role) \(method) \(path): \(response.status)")
                    }
                    if (body ?? "").contains("bravo-") && response.status != 403 {
                        #expect(response.status == 404, "\(role) \(method) \(path) \(body ?? ""): \(response.status) \(response.body)")
                    }
                }
            }
            // Counts are A's alone.
            let sessions = try await client.send(.get, "/v1/sessions?limit=1000", token: world.token("alpha.readonly"))
            #expect(sessions.items.count == 4)
            let totals = try await client.send(.get, "/v1/usage/totals", token: world.token("alpha.readonly"))
            #expect(totals.items.first?["upload_bytes"] as? Int == 6_000_000, "B's usage (12,000,000 up) is not counted: \(totals.body)")
            #expect(try await client.send(.get, "/v1/invoices", token: world.token("alpha.billing")).items.count == world.invoiceIDs["alpha"]!.count)
        }
        #expect(try snapshot(world) == before, "B's rows changed")
    }

    @Test("The admin token sees tenants but no tenant's data; tenant tokens cannot reach admin routes")
    func adminIsolation() async throws {
        let world = try APIWorld()
        try await world.withClient { client in
            for path in ["/v1/nas", "/v1/sessions", "/v1/usage", "/v1/plans", "/v1/subscribers", "/v1/invoices"] {
                let status = try await client.send(.get, path, token: world.token("admin")).status
                #expect(status == 403, "\(path)")
            }
            for role in ["operator", "billing", "readonly"] {
                let token = world.token("alpha.\(role)")
                let statuses = [
                    try await client.send(.get, "/v1/tenants", token: token).status,
                    try await client.send(.get, "/v1/tenants/bravo", token: token).status,
                    try await client.send(.patch, "/v1/tenants/bravo", token: token, body: "{\"name\": \"x\"}").status,
                ]
                #expect(statuses == [403, 403, 403], "\(role)")
            }
        }
    }

    /// Every row of B, to show nothing A did changed it.
    private func snapshot(_ world: APIWorld) throws -> [[String?]] {
        let id = String(world.b.id)
        var rows: [[String?]] = []
        for table in [
            "nas_devices", "sessions", "usage_hourly", "plans", "plan_versions", "subscribers", "plan_assignments", "invoices", "invoice_lines",
        ] {
            rows += try world.connection.query("SELECT t::text FROM \(table) t WHERE tenant_id = $1 ORDER BY 1", [id]).rows
        }
        rows += try world.connection.query("SELECT t::text FROM tenants t WHERE id = $1", [id]).rows
        return rows
    }
}
