import Accounting
import Rating
import Storage

/// The subscribers: search, plan, the cycle's usage against the allowance, quota state.
struct SubscriberListPage: Sendable {
    struct Row: Sendable {
        var user: String
        var href: String
        var plan: String
        var upload: UsageFormat.Bytes
        var download: UsageFormat.Bytes
        var total: UsageFormat.Bytes
        var allowance: UsageFormat.Bytes
        var used: UsageFormat.Bytes
        var percent: String
        var meter: String
        var state: String
    }

    var q: String
    var cycle: String
    var headers: [SortHeader]
    var rows: [Row]
    var empty: Bool
    var pager: Pager
}

extension TollgateConsole {
    static func subscribers(_ viewer: Viewer, _ query: PageQuery, _ connection: PostgresConnection) throws -> PageView {
        let tenant = try viewer.tenant()
        let now = now()
        let search = try query.text("q", maxLength: 253)
        let sort = try query.choice("sort", ConsoleUsageStore.SubscriberSort.user)
        let descending = try query.choice("dir", SortDirection.asc) == .desc
        let limit = try query.limit()
        let page = try query.integer("page", 1, in: 1...10_000)
        let today = try today(tenant, now: now)
        let cycle = BillingPeriod.containing(today, billingDay: tenant.billingDay)
        let listing = try ConsoleUsageStore(connection: connection).subscriberPage(
            tenant: tenant, search: search, sort: sort, descending: descending, today: today, cycle: cycle.first..<cycle.end,
            offset: (page - 1) * limit, limit: limit)
        let quotas = try QuotaStore(connection: connection).summaries(tenant: tenant, users: listing.rows.map { $0.userName }, now: now)
        let rows = listing.rows.map { row in
            let quota = quotas[row.userName]
            let allowance = quota?.allowanceBytes ?? 0
            let used = quota?.usedBytes ?? 0
            return SubscriberListPage.Row(
                user: row.userName, href: subscriberPath(row.userName), plan: row.plan ?? "",
                upload: .init(row.usage.upload), download: .init(row.usage.download), total: .init(row.usage.total),
                allowance: .init(allowance), used: .init(used),
                percent: UsageFormat.percent(used: used, of: allowance).map { "\($0) %" } ?? "no allowance",
                meter: UsageChart.meter(used: used, allowance: allowance), state: quota?.state ?? "normal")
        }
        let columns: [(String, String, Bool)] = [
            ("user", "Subscriber", false), ("plan", "Plan", false), ("upload", "Upload", true),
            ("download", "Download", true), ("total", "Total", true),
        ]
        let data = SubscriberListPage(
            q: search ?? "", cycle: cycle.description,
            headers: SortHeader.headers(
                query, columns: columns, sortable: Set(ConsoleUsageStore.SubscriberSort.allCases.map(\.rawValue)),
                sort: sort.rawValue, descending: descending), rows: rows, empty: rows.isEmpty,
            pager: Pager(
                previous: page > 1 ? query.link(["page": String(page - 1)]) : nil,
                next: listing.more ? query.link(["page": String(page + 1)]) : nil))
        return PageView(title: "Subscribers", template: "usage-subscribers", data: data)
    }
}

/// `?dir=asc|desc` of a sortable table.
enum SortDirection: String, CaseIterable, Sendable {
    case asc, desc
}
