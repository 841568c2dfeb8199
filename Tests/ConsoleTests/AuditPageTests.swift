import Foundation
import Storage
import TestSupport
import Testing

@testable import Console

@Suite("Console audit log page", .enabled(if: TestDatabase.available))
struct AuditPageTests {
    static let users: [(email: String, role: TokenRole, tenant: String?)] = [
        ("op@alpha.example", .operator, "alpha"), ("billing@alpha.example", .billing, "alpha"),
    ]

    /// Records entries for tenant alpha, oldest first: object "o1", "o2", ...
    func record(_ harness: StaffConsoleHarness, _ actions: [String]) throws {
        for (i, action) in actions.enumerated() {
            try harness.connection.tenantTransaction(harness.a.id) { connection in
                try AuditLog(connection: connection).record(
                    AuditRecord(
                        actor: "billing@alpha.example", action: action, object: "o\(i + 1)",
                        detail: "d\(i + 1)"), tenant: harness.a)
            }
        }
    }

    func objects(_ page: ConsolePage) -> [String] { page.rows("audit").map { ConsolePage.cells($0)[3] } }

    @Test("Newest first with who, what and on what; filtered by action; paged both ways with limit")
    func listing() async throws {
        let harness = try StaffConsoleHarness(users: Self.users)
        try record(harness, ["plan.created", "nas.added", "plan.version_added", "nas.added", "top_up.added", "nas.removed", "nas.added"])
        try await harness.withBrowser { browser in
            let billing = try await browser.signIn("billing@alpha.example")
            let all = try await browser.get("/console/audit", session: billing.token)
            #expect(all.status == 200)
            #expect(objects(all) == ["o7", "o6", "o5", "o4", "o3", "o2", "o1"])
            let first = try #require(all.rows("audit").first)
            #expect(first.hasPrefix("<tr data-action=\"nas.added\""))
            #expect(Array(ConsolePage.cells(first)[1...]) == ["billing@alpha.example", "nas.added", "o7", "d7"])
            #expect(ConsolePage.cells(first)[0].count == 20 && ConsolePage.cells(first)[0].hasSuffix("Z"))
            #expect(!all.body.contains("class=\"pager\""))

            let added = try await browser.get("/console/audit?action=nas.added", session: billing.token)
            #expect(objects(added) == ["o7", "o4", "o2"])
            #expect(added.body.contains("<option value=\"nas.added\" selected>nas.added</option>"))

            let page1 = try await browser.get("/console/audit?limit=3", session: billing.token)
            #expect(objects(page1) == ["o7", "o6", "o5"])
            let ids = try harness.connection.query("SELECT id FROM audit_log ORDER BY id").rows.map { $0[0]! }
            #expect(page1.body.contains("<a rel=\"next\" href=\"/console/audit?limit=3&amp;before=\(ids[4])\">Older</a>"))
            #expect(!page1.body.contains("rel=\"prev\""))
            let page2 = try await browser.get("/console/audit?limit=3&before=\(ids[4])", session: billing.token)
            #expect(objects(page2) == ["o4", "o3", "o2"])
            #expect(page2.body.contains("<a rel=\"prev\" href=\"/console/audit?limit=3&amp;after=\(ids[3])\">Newer</a>"))
            #expect(page2.body.contains("<a rel=\"next\" href=\"/console/audit?limit=3&amp;before=\(ids[1])\">Older</a>"))
            let page3 = try await browser.get("/console/audit?limit=3&before=\(ids[1])", session: billing.token)
            #expect(objects(page3) == ["o1"] && !page3.body.contains("rel=\"next\""))
            let back = try await browser.get("/console/audit?limit=3&after=\(ids[3])", session: billing.token)
            #expect(objects(back) == ["o7", "o6", "o5"] && !back.body.contains("rel=\"prev\""))
            let filteredPage = try await browser.get("/console/audit?action=nas.added&limit=2", session: billing.token)
            #expect(objects(filteredPage) == ["o7", "o4"])
            #expect(filteredPage.body.contains("<a rel=\"next\" href=\"/console/audit?action=nas.added&amp;limit=2&amp;before=\(ids[3])\">Older</a>"))

            for bad in ["?action=NAS", "?action=%3Cb%3E", "?limit=0", "?limit=501", "?before=x", "?before=1&after=2"] {
                #expect(try await browser.get("/console/audit\(bad)", session: billing.token).status == 400, "\(bad)")
            }
            let operatorView = try await browser.get("/console/audit", session: try await browser.signIn("op@alpha.example").token)
            #expect(objects(operatorView).count == 7)
        }
    }
}
