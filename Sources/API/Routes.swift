import Foundation
import Hummingbird
import Presentation
import Rating
import Storage

private let tenantRoles: Set<TokenRole> = [.operator, .billing, .readonly]

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
                    try TenantStore(connection: connection).create(slug: slug, name: name, currency: currency, timeZone: zone, billingDay: day,
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
                    try TenantStore(connection: connection).update(slug: slug, name: name, currency: currency, timeZone: zone, billingDay: day,
                                                                   roundingMode: rounding)
                }
            },
        ]
    }

    // MARK: NAS devices (operator) and sessions

    func operatorRoutes<Context: RequestContext>() -> [APIRoute<Context>] {
        let cipher = self.cipher
        let nasLimit = self.nasLimit
        return [
            APIRoute(.get, "/v1/nas", roles: [.operator]) { request, context in
                let principal = try context.principal
                let cursor = pageCursor("nas", principal)
                let page = try QueryInput(request, allowed: ["limit", "cursor"]).page(cursor)
                return try await call(principal) { principal, connection in
                    Page(try NASStore(connection: connection, cipher: cipher).page(tenant: try Self.tenant(principal), after: page.after, limit: page.limit),
                         cursor)
                }
            },
            APIRoute(.post, "/v1/nas", roles: [.operator]) { request, context in
                let principal = try context.principal
                let body = try await JSONBody.read(request, allowed: ["name", "address", "secret", "listener", "identifier",
                                                                      "require_message_authenticator", "coa_port", "coa_secret", "vendor"])
                let name = try body.requiredString("name")
                let address = try body.requiredString("address", maxLength: 64)
                try Self.checkPrefix(address)
                let secret = try body.requiredString("secret", maxLength: 128)
                let listener = try body.string("listener", maxLength: 63) ?? "default"
                let identifier = try body.string("identifier", maxLength: 253)
                let requireMessageAuthenticator = try body.bool("require_message_authenticator") ?? false
                let coa = try Self.dynamicAuthorizationFields(body)
                return try await call(principal, status: .created) { principal, connection in
                    try NASStore(connection: connection, cipher: cipher, limit: nasLimit).add(
                        tenant: try Self.tenant(principal), name: name, address: address, secret: secret, listener: listener,
                        identifier: identifier, requireMessageAuthenticator: requireMessageAuthenticator, coaPort: coa.port ?? NASStore.defaultCoAPort,
                        coaSecret: coa.secret ?? nil, vendor: coa.vendor ?? NASStore.defaultVendor,
                        audit: Self.audit(principal, "nas.added", name, NASAuditDetail.added(address: address, listener: listener)))
                }
            },
            APIRoute(.get, "/v1/nas/{name}", roles: [.operator]) { request, context in
                let principal = try context.principal
                let name = try Self.parameter(context, "name")
                return try await call(principal) { principal, connection in
                    try NASStore(connection: connection, cipher: cipher).find(tenant: try Self.tenant(principal), name: name)
                }
            },
            APIRoute(.patch, "/v1/nas/{name}", roles: [.operator]) { request, context in
                let principal = try context.principal
                let name = try Self.parameter(context, "name")
                let body = try await JSONBody.read(request, allowed: ["address", "identifier", "listener", "require_message_authenticator",
                                                                      "coa_port", "coa_secret", "vendor"])
                let address = try body.string("address", maxLength: 64)
                if let address { try Self.checkPrefix(address) }
                let identifier = try body.clearableString("identifier", maxLength: 253)
                let listener = try body.string("listener", maxLength: 63)
                let requireMessageAuthenticator = try body.bool("require_message_authenticator")
                let coa = try Self.dynamicAuthorizationFields(body)
                return try await call(principal) { principal, connection in
                    try NASStore(connection: connection, cipher: cipher).update(tenant: try Self.tenant(principal), name: name, address: address,
                                                                                identifier: identifier, listener: listener,
                                                                                requireMessageAuthenticator: requireMessageAuthenticator,
                                                                                coaPort: coa.port, coaSecret: coa.secret, vendor: coa.vendor,
                                                                                audit: Self.audit(principal, "nas.updated", name, NASAuditDetail.updated(
                                                                                    address: address, identifier: identifier, listener: listener,
                                                                                    requireMessageAuthenticator: requireMessageAuthenticator,
                                                                                    coaPort: coa.port, coaSecret: coa.secret, vendor: coa.vendor)))
                }
            },
            APIRoute(.delete, "/v1/nas/{name}", roles: [.operator]) { request, context -> Response in
                let principal = try context.principal
                let name = try Self.parameter(context, "name")
                try await perform(principal) { principal, connection in
                    try NASStore(connection: connection, cipher: cipher).remove(tenant: try Self.tenant(principal), name: name,
                                                                                audit: Self.audit(principal, "nas.removed", name))
                }
                return Response(status: .noContent)
            },
            APIRoute(.post, "/v1/nas/{name}/secret", roles: [.operator]) { request, context -> Response in
                let principal = try context.principal
                let name = try Self.parameter(context, "name")
                let body = try await JSONBody.read(request, allowed: ["secret"])
                let secret = try body.requiredString("secret", maxLength: 128)
                try await perform(principal) { principal, connection in
                    try NASStore(connection: connection, cipher: cipher).rotateSecret(tenant: try Self.tenant(principal), name: name, secret: secret,
                                                                                      audit: Self.audit(principal, "nas.secret_rotated", name))
                }
                return Response(status: .noContent)
            },
            APIRoute(.get, "/v1/sessions", roles: tenantRoles) { request, context in
                let principal = try context.principal
                let query = try QueryInput(request, allowed: ["state", "user", "nas", "from", "to", "limit", "cursor"])
                let state = try query.choice("state", ReportStore.SessionState.self) ?? .all
                let user = try query.string("user", maxLength: 253)
                let nas = try query.string("nas")
                let from = try query.string("from", maxLength: 32)
                let to = try query.string("to", maxLength: 32)
                let cursor = pageCursor("sessions", principal)
                let page = try query.page(cursor)
                let after = try page.after.map { key -> Int64 in
                    guard key.count == 1, let id = Int64(key[0]) else { throw APIError.invalid("cursor does not belong to this listing") }
                    return id
                }
                return try await call(principal) { principal, connection in
                    let sessions = try ReportStore(connection: connection).sessionPage(tenant: try Self.tenant(principal), state: state, user: user, nas: nas,
                                                                                      from: from, to: to, after: after, limit: page.limit)
                    return Page(items: sessions.rows, nextCursor: sessions.next.map { cursor.encode([String($0)]) })
                }
            },
        ]
    }

    /// The dynamic-authorization fields of a NAS body, checked here so that a refusal names the
    /// field: `secret` is nil when absent and `.some(nil)` for null (back to the accounting secret).
    static func dynamicAuthorizationFields(_ body: JSONBody) throws -> (port: Int?, secret: String??, vendor: String?) {
        let port = try body.integer("coa_port", 1...65535)
        let secret = try body.clearableString("coa_secret", maxLength: 128)
        if case .some(.some(let text)) = secret, text.isEmpty || text.utf8.count > 128 {
            throw APIError.invalid("coa_secret must be 1-128 octets")
        }
        let vendor = try body.string("vendor", maxLength: 40)
        if let vendor, !isSlug(vendor) {
            throw APIError.invalid("vendor must be 1-40 characters of a-z, 0-9, '-' and '_', beginning with a letter or digit: the name of a profile in Config/vendors")
        }
        return (port, secret, vendor)
    }

    /// The audit record of an action by an API token.
    static func audit(_ principal: Principal, _ action: String, _ object: String, _ detail: String = "") -> AuditRecord {
        AuditRecord(actor: "token:\(principal.tokenID)", action: action, object: object, detail: detail)
    }

    /// Through the API a NAS address is at most a /16 (IPv4) or /48 (IPv6): a wider range on
    /// a shared listener would keep every other tenant from registering there. The platform
    /// operator registers wider ranges with the CLI.
    public static func checkPrefix(_ address: String) throws {
        // PostgreSQL reads "10" or "10.1" as the prefixes 10.0.0.0/8 and 10.1.0.0/16: only a
        // full dotted quad says which address (and so which prefix length) is meant.
        let host = address.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]
        if !host.contains(":"), host.split(separator: ".", omittingEmptySubsequences: false).count != 4 {
            throw APIError.invalid("address: '\(JSONBody.printable(address))' is not an IPv4 address a.b.c.d[/len] or an IPv6 address")
        }
        guard let slash = address.firstIndex(of: "/") else { return }
        var length = Int(address[address.index(after: slash)...]) ?? 0
        var minimum = address.contains(":") ? 48 : 16
        // An IPv4-mapped prefix (::ffff:10.0.0.0/104) is registered as the IPv4 one (10.0.0.0/8).
        if isIPv4Mapped(String(address[..<slash])) {
            length -= 96
            minimum = 16
        }
        guard length >= minimum else {
            throw APIError.invalid("address: a prefix shorter than /\(minimum) is registered by the platform operator (tollgate nas add), not through the API")
        }
    }

    /// Whether `text` is an IPv6 address in ::ffff:0:0/96, however it is written.
    static func isIPv4Mapped(_ text: String) -> Bool {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return false }
        return withUnsafeBytes(of: &address) { bytes in bytes.prefix(10).allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff }
    }

    // MARK: Usage (billing, readonly)

    func usageRoutes<Context: RequestContext>() -> [APIRoute<Context>] {
        let roles: Set<TokenRole> = [.billing, .readonly]
        return [
            APIRoute(.get, "/v1/usage", roles: roles) { request, context -> Response in
                let principal = try context.principal
                let query = try QueryInput(request, allowed: ["user", "from", "to", "by", "format", "limit", "cursor"])
                let user = try query.string("user", maxLength: 253)
                let from = try query.string("from", maxLength: 32)
                let to = try query.string("to", maxLength: 32)
                let grouping = try query.choice("by", UsageGrouping.self)
                let format = try query.choice("format", ResponseFormat.self) ?? .json
                // One listing whatever the grouping: a key (subscriber, period) orders every form.
                let cursor = pageCursor("usage", principal)
                // Read (and so checked) for CSV too, though a CSV export has every row.
                let page = try query.page(cursor)
                if format == .csv {
                    return try await streamCSV(principal, filename: "usage.csv", columns: UsagePresentation.columns) { tenant, connection in
                        try ReportStore(connection: connection).openUsageExport(tenant: tenant, user: user, from: from, to: to, by: grouping)
                    } row: { UsagePresentation($0).cells }
                }
                return try await call(principal) { principal, connection in
                    let rows = try ReportStore(connection: connection).usagePage(tenant: try Self.tenant(principal), user: user, from: from, to: to,
                                                                                 by: grouping, after: page.after, limit: page.limit)
                    return Page(items: rows.rows.map { UsagePresentation($0) }, nextCursor: rows.next.map(cursor.encode))
                }
            },
            APIRoute(.get, "/v1/usage/totals", roles: roles) { request, context in
                let principal = try context.principal
                let query = try QueryInput(request, allowed: ["from", "to", "by", "limit", "cursor"])
                let from = try query.string("from", maxLength: 32)
                let to = try query.string("to", maxLength: 32)
                let grouping = try query.choice("by", UsageGrouping.self)
                let cursor = pageCursor("usage-totals", principal)
                let page = try query.page(cursor)
                return try await call(principal) { principal, connection in
                    let rows = try ReportStore(connection: connection).usageTotalsPage(tenant: try Self.tenant(principal), from: from, to: to, by: grouping,
                                                                                       after: page.after, limit: page.limit)
                    return Page(items: rows.rows.map { UsageTotal(period: $0.period, uploadBytes: $0.uploadBytes, downloadBytes: $0.downloadBytes,
                                                                  sessionSeconds: $0.sessionSeconds) },
                                nextCursor: rows.next.map(cursor.encode))
                }
            },
            APIRoute(.get, "/v1/usage/top", roles: roles) { request, context in
                let principal = try context.principal
                let query = try QueryInput(request, allowed: ["from", "to", "by", "limit", "cursor"])
                let from = try query.string("from", maxLength: 32)
                let to = try query.string("to", maxLength: 32)
                let ranking = try query.choice("by", ReportStore.UsageRanking.self) ?? .total
                // The first page is "the top N": 100 unless asked; the cursor goes further down the ranking.
                let cursor = pageCursor("usage-top", principal)
                let page = try query.page(cursor, defaultLimit: 100)
                return try await call(principal) { principal, connection in
                    let rows = try ReportStore(connection: connection).topPage(tenant: try Self.tenant(principal), from: from, to: to, by: ranking,
                                                                               after: page.after, limit: page.limit)
                    return Page(items: rows.rows.map { UsagePresentation($0) }, nextCursor: rows.next.map(cursor.encode))
                }
            },
            APIRoute(.get, "/v1/usage/unassigned", roles: roles) { request, context in
                let principal = try context.principal
                let query = try QueryInput(request, allowed: ["period", "limit", "cursor"])
                guard let period = try query.string("period", maxLength: 7) else { throw APIError.invalid("period is required (YYYY-MM)") }
                try Self.checkPeriod(period)
                let cursor = pageCursor("usage-unassigned", principal)
                let page = try query.page(cursor)
                return try await call(principal) { principal, connection in
                    let rows = try ReportStore(connection: connection).unassignedPage(tenant: try Self.tenant(principal), period: period,
                                                                                      after: page.after, limit: page.limit)
                    return Page(items: rows.rows.map { UnassignedUsage(user: $0.userName, uploadBytes: $0.uploadBytes, downloadBytes: $0.downloadBytes) },
                                nextCursor: rows.next.map(cursor.encode))
                }
            },
        ]
    }
}

extension TollgateAPI {
    /// The cursor of `listing` for the principal's tenant.
    func pageCursor(_ listing: String, _ principal: Principal) -> PageCursor {
        PageCursor(listing: listing, tenantID: principal.tenant?.id ?? 0, cipher: cipher)
    }
}

enum ResponseFormat: String, CaseIterable {
    case json, csv
}

struct UsageTotal: Encodable, Sendable {
    var period: String?
    var uploadBytes: Int64
    var downloadBytes: Int64
    var sessionSeconds: Int64
}

struct UnassignedUsage: Encodable, Sendable {
    var user: String
    var uploadBytes: Int64
    var downloadBytes: Int64
}
