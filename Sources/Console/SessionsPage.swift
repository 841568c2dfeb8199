import Storage

/// Sessions, newest first: open ones, or every recent one; by User-Name and NAS.
struct SessionsPage: Sendable {
    struct Row: Sendable {
        var id: Int64
        var user: String
        var href: String?
        var nas: String
        var sessionID: String
        var startedAt: String
        var lastUpdateAt: String
        var stoppedAt: String
        var upload: UsageFormat.Bytes
        var download: UsageFormat.Bytes
        var seconds: Int64
        var cause: String
        var closeReason: String?
        var address: String
    }

    var active: Bool
    var user: String
    var nas: String
    var rows: [Row]
    var empty: Bool
    var pager: Pager

    /// `?state=`: open sessions, or all recent ones (open and closed).
    enum State: String, CaseIterable, Sendable {
        case active, recent
    }
}

extension TollgateConsole {
    static func sessions(_ viewer: Viewer, _ query: PageQuery, _ connection: PostgresConnection) throws -> PageView {
        let tenant = try viewer.tenant()
        let state = try query.choice("state", SessionsPage.State.active)
        let user = try query.text("user")
        let nas = try query.text("nas", maxLength: 200)
        let limit = try query.limit()
        let after = try query.text("after", maxLength: 20).map { text -> Int64 in
            guard let id = Int64(text), id > 0 else { throw ConsoleError(.badRequest, "after must be a session id") }
            return id
        }
        let page = try ReportStore(connection: connection).sessionPage(
            tenant: tenant, status: state == .active ? .active : .all, user: user, nas: nas,
            after: after, limit: limit)
        let linkUsers = ConsoleSection.subscribers.roles.contains(viewer.role)
        let rows = page.rows.map { row in
            SessionsPage.Row(
                id: row.id, user: row.user, href: linkUsers ? subscriberPath(row.user) : nil, nas: row.nas, sessionID: row.sessionID,
                startedAt: row.startedAt ?? "", lastUpdateAt: row.lastUpdateAt ?? "", stoppedAt: row.stoppedAt ?? "",
                upload: .init(row.uploadBytes), download: .init(row.downloadBytes), seconds: row.sessionSeconds,
                cause: UsageFormat.terminateCause(row.terminateCause), closeReason: row.closeReason, address: row.framedIPAddress ?? "")
        }
        let data = SessionsPage(
            active: state == .active, user: user ?? "", nas: nas ?? "", rows: rows, empty: rows.isEmpty,
            pager: Pager(
                first: after != nil ? query.link(["after": nil]) : nil,
                next: page.next.map { query.link(["after": String($0)]) }))
        return PageView(title: "Sessions", template: "usage-sessions", data: data)
    }
}
