import Foundation
import Hummingbird
import Presentation
import Rating
import Storage

extension TollgateAPI {
    // MARK: Tenants (admin)

    func tenantRoutes<Context: RequestContext>() -> [APIRoute<Context>] {
        let fields: Set<String> = ["slug", "name", "currency", "time_zone", "billing_day", "rounding_mode"]
        return [
            APIRoute(.get, "/v1/tenants", roles: [.admin]) { request, context in
                let principal = try context.principal
                let cursor = pageCursor("tenants", principal)
                let page = try QueryInput(request, allowed: ["limit", "cursor"]).page(cursor)
                return try await call(principal) { _, connection in
                    Page(try TenantStore(connection: connection).page(after: page.after, limit: page.limit), cursor)
                }
            },
            APIRoute(.post, "/v1/tenants", roles: [.admin]) { request, context in
                let principal = try context.principal
                let body = try await JSONBody.read(request, allowed: fields)
                let slug = try body.requiredString("slug", maxLength: 63)
                let name = try body.requiredString("name")
                let currency = try body.string("currency", maxLength: 3) ?? "EUR"
                let zone = try body.string("time_zone", maxLength: 64) ?? "UTC"
                let day = try body.integer("billing_day", 1...28) ?? 1
                let rounding = try body.string("rounding_mode", maxLength: 20) ?? "half-even"
                return try await call(principal, status: .created) { _, connection in
                    try TenantStore(connection: connection).create(
                        slug: slug, name: name, currency: currency, timeZone: zone, billingDay: day,
                        roundingMode: rounding)
                }
            },
            APIRoute(.get, "/v1/tenants/{slug}", roles: [.admin]) { request, context in
                let principal = try context.principal
                let slug = try Self.parameter(context, "slug")
                return try await call(principal) { _, connection in try TenantStore(connection: connection).require(slug: slug) }
            },
            APIRoute(.patch, "/v1/tenants/{slug}", roles: [.admin]) { request, context in
                let principal = try context.principal
                let slug = try Self.parameter(context, "slug")
                let body = try await JSONBody.read(request, allowed: fields.subtracting(["slug"]))
                let name = try body.string("name")
                let currency = try body.string("currency", maxLength: 3)
                let zone = try body.string("time_zone", maxLength: 64)
                let day = try body.integer("billing_day", 1...28)
                let rounding = try body.string("rounding_mode", maxLength: 20)
                return try await call(principal) { _, connection in
                    try TenantStore(connection: connection).update(
                        slug: slug, name: name, currency: currency, timeZone: zone, billingDay: day,
                        roundingMode: rounding)
                }
            },
        ]
    }
}
