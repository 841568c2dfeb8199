import Storage

/// The platform admin's tenants: their settings and how many NAS and console users each
/// has (never their usage).
struct TenantsPage: Sendable {
    struct Row: Sendable {
        var slug: String
        var name: String
        var currency: String
        var timeZone: String
        var billingDay: Int
        var nasCount: Int64
        var userCount: Int64
    }

    var rows: [Row]
    var empty: Bool
    var pager: Pager
}

extension TollgateConsole {
    static func tenants(_ viewer: Viewer, _ query: PageQuery, _ connection: PostgresConnection) throws -> PageView {
        guard viewer.role == .admin else { throw ConsoleError.forbidden }
        let limit = try query.limit()
        let after = try query.text("after", maxLength: 63)
        let fetched = try ConsoleUsageStore(connection: connection).tenants(after: after, limit: limit + 1)
        let rows = fetched.prefix(limit).map { row in
            TenantsPage.Row(
                slug: row.tenant.slug, name: row.tenant.name, currency: row.tenant.currency, timeZone: row.tenant.timeZone,
                billingDay: row.tenant.billingDay, nasCount: row.nasCount, userCount: row.consoleUserCount)
        }
        let data = TenantsPage(
            rows: Array(rows), empty: rows.isEmpty,
            pager: Pager(
                first: after != nil ? query.link(["after": nil]) : nil,
                next: fetched.count > limit ? rows.last.map { query.link(["after": $0.slug]) } : nil))
        return PageView(title: "Tenants", template: "usage-tenants", data: data)
    }
}
