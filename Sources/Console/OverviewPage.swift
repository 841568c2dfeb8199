import Accounting
import Rating
import Storage

/// The overview: the tenant's usage this cycle and last, live sessions, who is near or over
/// the allowance, and the health of NAS devices and of the merge.
struct OverviewPage: Sendable {
    struct Cycle: Sendable {
        var label: String
        var first: String
        var last: String
        var upload: UsageFormat.Bytes
        var download: UsageFormat.Bytes
        var total: UsageFormat.Bytes
    }

    struct NearCap: Sendable {
        var user: String
        var href: String
        var plan: String
        var used: UsageFormat.Bytes
        var allowance: UsageFormat.Bytes
        var percent: Int
        var over: Bool
        var state: String
    }

    struct NAS: Sendable {
        var name: String
        var lastHeardAt: String
        var silentSeconds: String
        var reportedSilent: Bool
        var openSessions: Int64
        var drops: [Drop]
        var dropped: Int64
    }

    struct Drop: Sendable {
        var reason: String
        var datagrams: Int64
    }

    var thisCycle: Cycle
    var lastCycle: Cycle
    var activeSessions: Int64
    var nearCap: [NearCap]
    var candidates: Int
    var nas: [NAS]
    /// Set when the tenant has more NAS than the health table shows: how many in all.
    var nasTotal: Int64?
    var nasShown: Int
    var showNAS: Bool
    var unmerged: Int64
    var mergeSeconds: Int64
    var showSubscribers: Bool

    /// The share of the allowance from which a subscriber is listed as near it.
    static let nearShare = 0.8
    /// How many of the cycle's heaviest users are measured against their allowance.
    static let candidateLimit = 500
    /// How many NAS the health table lists (by name); the NAS page has them all.
    static let nasLimit = 200
}

extension TollgateConsole {
    static func overview(_ viewer: Viewer, _ connection: PostgresConnection) throws -> PageView {
        let tenant = try viewer.tenant()
        let now = now()
        let store = ConsoleUsageStore(connection: connection)
        let current = BillingPeriod.containing(try today(tenant, now: now), billingDay: tenant.billingDay)
        func cycle(_ period: BillingPeriod) throws -> OverviewPage.Cycle {
            let totals = try store.totals(tenant: tenant, days: period.first..<period.end)
            return OverviewPage.Cycle(
                label: period.description, first: period.first.description, last: period.end.adding(days: -1).description,
                upload: .init(totals.upload), download: .init(totals.download), total: .init(totals.total))
        }
        // The cycle's heaviest users and everyone restricted now are measured as the quota
        // endpoint measures one subscriber; whoever uses 80 % or more of the allowance is listed.
        let heaviest = try store.heaviest(tenant: tenant, days: current.first..<current.end, limit: OverviewPage.candidateLimit)
        let restricted = try store.restricted(tenant: tenant, limit: OverviewPage.candidateLimit)
        let candidates = Array(Set(heaviest).union(restricted))
        let summaries = try QuotaStore(connection: connection).summaries(tenant: tenant, users: candidates, now: now)
        let listed = summaries.values.filter { summary in (summary.share ?? 0) >= OverviewPage.nearShare || summary.state != nil }
        let ordered = listed.sorted { a, b in
            let (x, y) = (a.share ?? 0, b.share ?? 0)
            return x != y ? x > y : a.userName < b.userName
        }
        let near = ordered.prefix(50).map { summary -> OverviewPage.NearCap in
            let percent = UsageFormat.percent(used: summary.usedBytes, of: summary.allowanceBytes) ?? 0
            let over = summary.allowanceBytes > 0 && summary.usedBytes >= summary.allowanceBytes
            return OverviewPage.NearCap(
                user: summary.userName, href: subscriberPath(summary.userName), plan: summary.plan ?? "",
                used: .init(summary.usedBytes), allowance: .init(summary.allowanceBytes),
                percent: percent, over: over, state: summary.state ?? "normal")
        }
        let lag = try store.mergeLag(tenant: tenant)
        // One more than shown tells whether there are more.
        let nasRows = try store.nasHealth(tenant: tenant, limit: OverviewPage.nasLimit + 1)
        let nas = nasRows.prefix(OverviewPage.nasLimit).map { row in
            OverviewPage.NAS(
                name: row.name, lastHeardAt: row.lastHeardAt ?? "never", silentSeconds: row.silentSeconds.map(String.init) ?? "",
                reportedSilent: row.reportedSilent, openSessions: row.openSessions,
                drops: row.drops.map { OverviewPage.Drop(reason: $0.reason, datagrams: $0.datagrams) },
                dropped: row.drops.reduce(0) { $0 + $1.datagrams })
        }
        let data = OverviewPage(
            thisCycle: try cycle(current), lastCycle: try cycle(current.previous),
            activeSessions: try store.activeSessionCount(tenant: tenant), nearCap: Array(near), candidates: candidates.count,
            nas: Array(nas), nasTotal: nasRows.count > OverviewPage.nasLimit ? try store.nasCount(tenant: tenant) : nil, nasShown: nas.count,
            showNAS: ConsoleSection.nas.roles.contains(viewer.role), unmerged: lag.unmerged, mergeSeconds: lag.oldestSeconds,
            showSubscribers: ConsoleSection.subscribers.roles.contains(viewer.role))
        return PageView(title: "Overview", template: "usage-overview", data: data)
    }
}
