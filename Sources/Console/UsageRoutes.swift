import Accounting
import Foundation
import Hummingbird
import Rating
import Storage

extension TollgateConsole {
    /// The usage pages: overview, subscribers, a subscriber (and its top-up form), sessions,
    /// top users (and their CSV), and the platform admin's tenants.
    func registerUsagePages<Context: RequestContext>(on router: Router<Context>) {
        // "/console" and "/console/" reach the same route: the overview lives at the latter.
        router.get("console") { request, _ in
            guard request.uri.path.hasSuffix("/") else { return Response(status: .permanentRedirect, headers: [.location: "/console/"]) }
            return try await page(request, .overview) { viewer, connection in try Self.overview(viewer, connection) }
        }
        router.get("console/subscribers") { request, _ in
            let query = PageQuery(request)
            return try await page(request, .subscribers) { viewer, connection in try Self.subscribers(viewer, query, connection) }
        }
        router.get("console/subscribers/:user") { request, context in
            let user = Self.userParameter(context)
            let query = PageQuery(request)
            return try await page(request, .subscribers) { viewer, connection in
                try Self.subscriber(viewer, user: try Self.require(user), query, connection)
            }
        }
        router.post("console/subscribers/:user/top-up") { request, context in
            let user = Self.userParameter(context)
            return try await form(request, .subscribers, roles: [.billing]) { viewer, fields, connection in
                try Self.addTopUp(viewer, user: try Self.require(user), fields, connection)
            }
        }
        router.get("console/sessions") { request, _ in
            let query = PageQuery(request)
            return try await page(request, .sessions) { viewer, connection in try Self.sessions(viewer, query, connection) }
        }
        router.get("console/top-users") { request, _ in
            let query = PageQuery(request)
            return try await page(request, .topUsers) { viewer, connection in try Self.topUsers(viewer, query, connection) }
        }
        router.get("console/top-users.csv") { request, _ in
            let query = PageQuery(request)
            return try await download(request, .topUsers) { viewer, connection in try Self.topUsersCSV(viewer, query, connection) }
        }
        router.get("console/tenants") { request, _ in
            let query = PageQuery(request)
            return try await page(request, .tenants) { viewer, connection in try Self.tenants(viewer, query, connection) }
        }
    }

    /// Now, in Unix seconds.
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// The tenant's local date now.
    static func today(_ tenant: Tenant, now: Int64 = now()) throws -> CivilDate {
        guard let today = LocalTime.date(utc: now, zone: tenant.timeZone) else {
            throw ConsoleError(.internalServerError, "The tenant's time zone '\(tenant.timeZone)' is unknown to this system.")
        }
        return today
    }

    /// A `YYYY-MM` billing period of the tenant, or the current one when absent.
    static func period(_ text: String?, tenant: Tenant) throws -> BillingPeriod {
        guard let text else { return BillingPeriod.containing(try today(tenant), billingDay: tenant.billingDay) }
        guard text.count == 7, let period = BillingPeriod(text, billingDay: tenant.billingDay),
            (1100...8999).contains(period.year)
        else {
            throw ConsoleError(.badRequest, "period must be a month as YYYY-MM of the years 1100-8999")
        }
        return period
    }

    /// The `{user}` of a path, percent-decoded.
    /// nil when it is not a User-Name at all (the page answers 404).
    static func userParameter(_ context: some RequestContext) -> String? {
        try? ConsolePath.parameter(context, "user")
    }

    static func require(_ user: String?) throws -> String {
        guard let user else { throw ConsoleError.notFound }
        return user
    }

    /// The subscriber page's path.
    static func subscriberPath(_ user: String) -> String { "/console/subscribers/" + ConsolePath.segment(user) }
}
