import Foundation
import Hummingbird
import Storage

/// The audit log of staff actions, newest first, paged by entry id and filtered by action.
extension TollgateConsole {
    func registerAuditPages<Context: RequestContext>(on router: Router<Context>) {
        router.get("console/audit") { request, _ in
            let query = Result { try AuditQuery(request) }
            return try await page(request, .audit) { viewer, connection in
                let query = try query.get()
                let page = try AuditLog(connection: connection).page(
                    tenant: try viewer.tenant(), action: query.action, before: query.before,
                    after: query.after, limit: query.limit)
                return PageView(title: ConsoleSection.audit.title, template: "audit.list", data: AuditView(query: query, page: page))
            }
        }
    }
}

/// The audit page's query: `action`, `before` or `after` (entry ids) and `limit`.
struct AuditQuery: Sendable {
    var action: String?
    var before: Int64?
    var after: Int64?
    var limit = 50

    /// The actions the console, the API and the command line record.
    static let knownActions = [
        "invoice_run.created", "invoice_run.finalized", "nas.added", "nas.removed", "nas.secret_rotated", "nas.updated",
        "plan.created", "plan.version_added", "subscriber.assigned", "top_up.added",
    ]

    init(action: String? = nil, limit: Int = 50) {
        self.action = action
        self.limit = limit
    }

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        if let text = query["action"], !text.isEmpty {
            guard text.count <= 60, text.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || $0 == "_" || $0 == "." }) else {
                throw ConsoleError(.badRequest, "action must be an action name such as nas.added")
            }
            action = String(text)
        }
        func id(_ name: String) throws -> Int64? {
            guard let text = query[Substring(name)] else { return nil }
            guard let value = Int64(text), value > 0 else { throw ConsoleError(.badRequest, "\(name) must be an entry number") }
            return value
        }
        before = try id("before")
        after = try id("after")
        guard before == nil || after == nil else { throw ConsoleError(.badRequest, "give before or after, not both") }
        if let text = query["limit"] {
            guard let n = Int(text), (1...500).contains(n) else { throw ConsoleError(.badRequest, "limit must be a whole number from 1 to 500") }
            limit = n
        }
    }

    /// The page's link with `before` or `after` set, keeping the filter and the limit.
    func link(before: Int64? = nil, after: Int64? = nil) -> String {
        let parameters: [(String, String?)] = [
            ("action", action), ("limit", limit == 50 ? nil : String(limit)),
            ("before", before.map(String.init)), ("after", after.map(String.init)),
        ]
        let text = parameters.compactMap { name, value in value.map { "\(name)=\(ConsolePath.segment($0))" } }.joined(separator: "&")
        return text.isEmpty ? "/console/audit" : "/console/audit?" + text
    }
}

/// What the audit template shows.
struct AuditView {
    struct Option {
        var value: String
        var selected: Bool
    }

    var entries: [AuditEntry]
    var empty: Bool
    var options: [Option]
    var all: Bool
    var limit: Int
    var older: String?
    var newer: String?
    var pager: Bool

    init(query: AuditQuery, page: AuditLogPage) {
        entries = page.entries
        empty = page.entries.isEmpty
        let actions = AuditQuery.knownActions + (query.action.map { AuditQuery.knownActions.contains($0) ? [] : [$0] } ?? [])
        options = actions.map { Option(value: $0, selected: $0 == query.action) }
        all = query.action == nil
        limit = query.limit
        older = page.hasOlder ? page.entries.last.map { query.link(before: $0.id) } : nil
        newer = page.hasNewer ? page.entries.first.map { query.link(after: $0.id) } : nil
        pager = older != nil || newer != nil
    }
}
