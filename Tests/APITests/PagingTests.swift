import Foundation
import Hummingbird
import Rating
import Storage
import TestSupport
import Testing

@testable import API

/// Follows `next_cursor` from the first page to the last; returns every item in order and how
/// many pages there were.
func allPages(_ client: APIClient, _ path: String, token: String, limit: Int) async throws -> (items: [[String: Any]], pages: Int) {
    var items: [[String: Any]] = []
    var cursor: String?
    var pages = 0
    repeat {
        let separator = path.contains("?") ? "&" : "?"
        let response = try await client.send(.get, path + "\(separator)limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
        guard response.status == 200 else { throw CLIFailure("\(path) page \(pages + 1): \(response.status) \(response.body)") }
        items += response.items
        cursor = response.object["next_cursor"] as? String
        pages += 1
    } while cursor != nil && pages < 10_000
    return (items, pages)
}

struct CLIFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Items as comparable text (keys sorted).
func canonical(_ items: [[String: Any]]) -> [String] {
    items.map { item in
        String(decoding: try! JSONSerialization.data(withJSONObject: item, options: [.sortedKeys]), as: UTF8.self)
    }
}

@Suite("Listings in pages", .enabled(if: TestDatabase.available), .serialized)
struct PagingTests {
    @Test("Every listing: pages of 1 and 2 rows, following next_cursor, give exactly the rows of one big page, in order")
    func everyListingPages() async throws {
        let world = try APIWorld()
        // More than one row everywhere: a second NAS and plan, and a tenant more.
        _ = try NASStore(connection: world.connection, cipher: TestDatabase.cipher).add(
            tenant: world.a, name: "alpha-edge", address: "10.1.0.2", secret: "s")
        let plans = PlanStore(connection: world.connection)
        _ = try plans.createPlan(tenant: world.a, name: "alpha-basic", terms: PlanTerms(currency: "EUR", recurringFee: 5), effectiveFrom: nil)
        _ = try TenantStore(connection: world.connection).create(slug: "charlie", name: "Charlie")
        let listings: [(String, String)] = [
            ("/v1/tenants", "admin"), ("/v1/nas", "alpha.operator"), ("/v1/sessions", "alpha.readonly"),
            ("/v1/usage", "alpha.readonly"), ("/v1/usage?by=hour", "alpha.readonly"), ("/v1/usage?by=day", "alpha.billing"),
            ("/v1/usage?by=month", "alpha.billing"), ("/v1/usage?by=hour&from=2026-10-07T01:00Z&to=2026-10-07T04:00Z", "alpha.billing"),
            ("/v1/usage/totals?by=hour", "alpha.readonly"), ("/v1/usage/top", "alpha.readonly"), ("/v1/usage/top?by=upload", "alpha.readonly"),
            ("/v1/usage/unassigned?period=2026-10", "alpha.billing"), ("/v1/plans", "alpha.billing"), ("/v1/subscribers", "alpha.billing"),
            ("/v1/invoices", "alpha.billing"), ("/v1/invoices/export?period=2026-10&format=json", "alpha.billing"),
        ]
        try await world.withClient { client in
            for (path, role) in listings {
                let token = world.token(role)
                let whole = try await client.send(.get, path + (path.contains("?") ? "&" : "?") + "limit=10000", token: token)
                #expect(whole.status == 200, "\(path): \(whole.body)")
                #expect(whole.object["next_cursor"] is NSNull, "\(path): one page of 10000 holds everything: \(whole.body.prefix(200))")
                #expect(whole.items.count >= 2 || path.contains("unassigned"), "\(path) has \(whole.items.count) rows: too few to page")
                for limit in [1, 2] {
                    let paged = try await allPages(client, path, token: token, limit: limit)
                    #expect(canonical(paged.items) == canonical(whole.items), "\(path) in pages of \(limit)")
                    #expect(
                        paged.pages == max(1, (whole.items.count + limit - 1) / limit),
                        "\(path): \(paged.pages) pages of \(limit) for \(whole.items.count) rows")
                }
            }
            // Pages of one: no row twice, and in (subscriber, period) order.
            let hourly = try await allPages(client, "/v1/usage?by=hour", token: world.token("alpha.readonly"), limit: 1)
            #expect(hourly.items.count == Set(canonical(hourly.items)).count, "a row came twice")
            #expect(
                hourly.items.map { ($0["subscriber"] as! String) + " " + ($0["period"] as! String) }
                    == hourly.items.map { ($0["subscriber"] as! String) + " " + ($0["period"] as! String) }.sorted(),
                "rows in (subscriber, period) order")
            // limit bounds.
            for bad in ["0", "10001", "-1", "x"] {
                #expect(try await client.send(.get, "/v1/nas?limit=\(bad)", token: world.token("alpha.operator")).status == 400, "limit=\(bad)")
            }
            // CSV streams every row: limit and cursor do not apply to it.
            let csv = try await client.send(.get, "/v1/usage?by=hour&format=csv&limit=1", token: world.token("alpha.readonly"))
            let json = try await client.send(.get, "/v1/usage?by=hour&limit=10000", token: world.token("alpha.readonly"))
            #expect(csv.status == 200 && csv.body.components(separatedBy: "\r\n").count - 2 == json.items.count, "\(csv.body)")
        }
    }

    @Test("Cursors are sealed: altered, made-up, another listing's or another tenant's cursor is 400 and shows nothing")
    func sealedCursors() async throws {
        let world = try APIWorld()
        _ = try NASStore(connection: world.connection, cipher: TestDatabase.cipher).add(
            tenant: world.b, name: "bravo-edge", address: "10.2.0.2", secret: "s")
        try await world.withClient { client in
            let bravo = try await client.send(.get, "/v1/nas?limit=1", token: world.token("bravo.operator"))
            let cursor = try #require(bravo.object["next_cursor"] as? String, "\(bravo.body)")
            // B's own cursor works for B and gives B's second NAS.
            let second = try await client.send(.get, "/v1/nas?limit=1&cursor=\(cursor)", token: world.token("bravo.operator"))
            #expect(second.status == 200 && second.items.first?["name"] as? String == "bravo-edge", "\(second.body)")
            let sessions = try await client.send(.get, "/v1/sessions?limit=1", token: world.token("bravo.readonly"))
            let sessionCursor = try #require(sessions.object["next_cursor"] as? String)
            var flipped = Array(cursor)
            flipped[flipped.count / 2] = flipped[flipped.count / 2] == "A" ? "B" : "A"
            let attempts: [(String, String)] = [
                ("/v1/nas?cursor=\(cursor)", "alpha.operator"), // another tenant's
                ("/v1/sessions?cursor=\(sessionCursor)", "alpha.readonly"), // another tenant's
                ("/v1/nas?cursor=\(String(flipped))", "bravo.operator"), // altered
                ("/v1/nas?cursor=\(cursor)x", "bravo.operator"), // lengthened
                ("/v1/plans?cursor=\(cursor)", "bravo.billing"), // another listing's
                ("/v1/sessions?cursor=\(cursor)", "bravo.readonly"), // another listing's
                ("/v1/nas?cursor=abc", "bravo.operator"), ("/v1/nas?cursor=", "bravo.operator"),
                ("/v1/sessions?cursor=12", "alpha.readonly"), // a bare id, as cursors once were
                ("/v1/nas?cursor=\(String(repeating: "A", count: 5000))", "bravo.operator"),
            ]
            for (path, role) in attempts {
                let response = try await client.send(.get, path, token: world.token(role))
                #expect(response.status == 400, "\(path) as \(role): \(response.status) \(response.body)")
                #expect(!response.body.contains("bravo-"), "\(path): \(response.body)")
            }
        }
    }

    @Test("A CSV export of 24,000 rows streams complete and exact, formulas defused")
    func largeCSVExport() async throws {
        let world = try APIWorld()
        // 1,000 subscribers x 24 hours of October 8th for tenant A, with known bytes.
        try world.connection.execute(
            """
            INSERT INTO usage_hourly (tenant_id, subscriber, hour, upload_bytes, download_bytes, session_seconds)
            SELECT \(world.a.id), 'bulk-' || lpad(s::text, 4, '0'), timestamptz '2026-10-08 00:00:00+00' + h * interval '1 hour', s * 100 + h, s * 1000 + h, 60
            FROM generate_series(1, 1000) s, generate_series(0, 23) h
            """)
        let hostile = ["=HYPERLINK(\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
        for (i, name) in hostile.enumerated() {
            try world.connection.query(
                """
                INSERT INTO usage_hourly (tenant_id, subscriber, hour, upload_bytes, download_bytes, session_seconds)
                VALUES ($1, $2, timestamptz '2026-10-09 00:00:00+00', $3, 0, 0)
                """, [String(world.a.id), name, String(i + 1)])
        }
        let response = try await world.withClient { client in
            try await client.send(
                .get, "/v1/usage?by=hour&format=csv&from=2026-10-08T00:00Z&to=2026-10-09T00:00Z", token: world.token("alpha.readonly"))
        }
        #expect(response.status == 200)
        #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
        let lines = response.body.components(separatedBy: "\r\n").dropLast()
        #expect(lines.count == 24_001, "header + 24,000 rows, got \(lines.count)")
        #expect(lines.first == "subscriber,period,upload_bytes,download_bytes,session_seconds")
        #expect(lines.dropFirst().first == "bulk-0001,2026-10-08 02:00,100,1000,60", "the tenant's zone is Europe/Vienna (UTC+2 on Oct 8)")
        #expect(lines.last == "bulk-1000,2026-10-09 01:00,100023,1000023,60")
        var upload: Int64 = 0
        var download: Int64 = 0
        var keys = Set<String>()
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",")
            upload += Int64(fields[2])!
            download += Int64(fields[3])!
            keys.insert(String(fields[0]) + " " + String(fields[1]))
        }
        // sum over s=1..1000, h=0..23 of (100 s + h) = 100 * 500500 * 24 + 1000 * 276
        #expect(upload == 1_201_200_000 + 276_000)
        #expect(download == 12_012_000_000 + 276_000)
        #expect(keys.count == 24_000, "each (subscriber, hour) exactly once")

        let defused = try await world.withClient { client in
            try await client.send(.get, "/v1/usage?format=csv&from=2026-10-09&to=2026-10-10", token: world.token("alpha.readonly"))
        }
        #expect(defused.status == 200)
        for name in hostile {
            #expect(defused.body.contains(CSVFieldProbe.expected(name)), "\(name.debugDescription) not defused: \(defused.body.debugDescription)")
        }
        #expect(!defused.body.contains("\r\n=") && !defused.body.contains("\r\n+") && !defused.body.contains("\r\n@"))
    }
}

/// What a hostile User-Name looks like in the API's CSV: an apostrophe first, quoted when it
/// holds a quote or a line break.
enum CSVFieldProbe {
    static func expected(_ name: String) -> String {
        let value = "'" + name
        if value.contains("\"") || value.contains("\r") { return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        return value + ","
    }
}
