import Foundation
import Hummingbird
import Rating
import Storage

private let tenantRoles: Set<TokenRole> = [.operator, .billing, .readonly]

extension TollgateAPI {
    // MARK: Tenants (admin)

    func registerTenantRoutes(on router: Router<some RequestContext>) {
        let fields: Set<String> = ["slug", "name", "currency", "time_zone", "billing_day", "rounding_mode"]
        router.get("v1/tenants") { request, _ in
            let principal = try await authorize(request, [.admin])
            _ = try QueryInput(request, allowed: [])
            return try await call(principal) { _, connection in Items(items: try TenantStore(connection: connection).list()) }
        }
        router.post("v1/tenants") { request, _ in
            let principal = try await authorize(request, [.admin])
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
        }
        router.get("v1/tenants/{slug}") { request, context in
            let principal = try await authorize(request, [.admin])
            let slug = try Self.parameter(context, "slug")
            return try await call(principal) { _, connection in try TenantStore(connection: connection).require(slug: slug) }
        }
        router.patch("v1/tenants/{slug}") { request, context in
            let principal = try await authorize(request, [.admin])
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
        }
    }

    // MARK: NAS devices (operator) and sessions

    func registerOperatorRoutes(on router: Router<some RequestContext>) {
        let cipher = self.cipher
        let nasLimit = self.nasLimit
        router.get("v1/nas") { request, _ in
            let principal = try await authorize(request, [.operator])
            _ = try QueryInput(request, allowed: [])
            return try await call(principal) { principal, connection in
                Items(items: try NASStore(connection: connection, cipher: cipher).list(tenant: try Self.tenant(principal)))
            }
        }
        router.post("v1/nas") { request, _ in
            let principal = try await authorize(request, [.operator])
            let body = try await JSONBody.read(request, allowed: ["name", "address", "secret", "listener", "identifier",
                                                                  "require_message_authenticator"])
            let name = try body.requiredString("name")
            let address = try body.requiredString("address", maxLength: 64)
            try Self.checkPrefix(address)
            let secret = try body.requiredString("secret", maxLength: 128)
            let listener = try body.string("listener", maxLength: 63) ?? "default"
            let identifier = try body.string("identifier", maxLength: 253)
            let requireMessageAuthenticator = try body.bool("require_message_authenticator") ?? false
            return try await call(principal, status: .created) { principal, connection in
                try NASStore(connection: connection, cipher: cipher, limit: nasLimit).add(
                    tenant: try Self.tenant(principal), name: name, address: address, secret: secret, listener: listener,
                    identifier: identifier, requireMessageAuthenticator: requireMessageAuthenticator)
            }
        }
        router.get("v1/nas/{name}") { request, context in
            let principal = try await authorize(request, [.operator])
            let name = try Self.parameter(context, "name")
            return try await call(principal) { principal, connection in
                try NASStore(connection: connection, cipher: cipher).find(tenant: try Self.tenant(principal), name: name)
            }
        }
        router.patch("v1/nas/{name}") { request, context in
            let principal = try await authorize(request, [.operator])
            let name = try Self.parameter(context, "name")
            let body = try await JSONBody.read(request, allowed: ["address", "identifier", "listener", "require_message_authenticator"])
            let address = try body.string("address", maxLength: 64)
            if let address { try Self.checkPrefix(address) }
            let identifier = try body.clearableString("identifier", maxLength: 253)
            let listener = try body.string("listener", maxLength: 63)
            let requireMessageAuthenticator = try body.bool("require_message_authenticator")
            return try await call(principal) { principal, connection in
                try NASStore(connection: connection, cipher: cipher).update(tenant: try Self.tenant(principal), name: name, address: address,
                                                                            identifier: identifier, listener: listener,
                                                                            requireMessageAuthenticator: requireMessageAuthenticator)
            }
        }
        router.delete("v1/nas/{name}") { request, context -> Response in
            let principal = try await authorize(request, [.operator])
            let name = try Self.parameter(context, "name")
            try await perform(principal) { principal, connection in
                try NASStore(connection: connection, cipher: cipher).remove(tenant: try Self.tenant(principal), name: name)
            }
            return Response(status: .noContent)
        }
        router.post("v1/nas/{name}/secret") { request, context -> Response in
            let principal = try await authorize(request, [.operator])
            let name = try Self.parameter(context, "name")
            let body = try await JSONBody.read(request, allowed: ["secret"])
            let secret = try body.requiredString("secret", maxLength: 128)
            try await perform(principal) { principal, connection in
                try NASStore(connection: connection, cipher: cipher).rotateSecret(tenant: try Self.tenant(principal), name: name, secret: secret)
            }
            return Response(status: .noContent)
        }
        router.get("v1/sessions") { request, _ in
            let principal = try await authorize(request, tenantRoles)
            let query = try QueryInput(request, allowed: ["state", "user", "nas", "from", "to", "limit", "cursor"])
            let state = try query.choice("state", ReportStore.SessionState.self) ?? .all
            let user = try query.string("user", maxLength: 253)
            let nas = try query.string("nas")
            let from = try query.string("from", maxLength: 32)
            let to = try query.string("to", maxLength: 32)
            let limit = try query.integer("limit", 1...1000) ?? 100
            let cursor = try query.string("cursor", maxLength: 20).map { text -> Int64 in
                guard let id = Int64(text), id > 0 else { throw APIError.invalid("cursor is not one this API returned") }
                return id
            }
            return try await call(principal) { principal, connection in
                let page = try ReportStore(connection: connection).sessionPage(tenant: try Self.tenant(principal), state: state, user: user, nas: nas,
                                                                              from: from, to: to, after: cursor, limit: limit)
                return Page(items: page.rows, nextCursor: page.next.map(String.init))
            }
        }
    }

    /// Through the API a NAS address is at most a /16 (IPv4) or /48 (IPv6): a wider range on
    /// a shared listener would keep every other tenant from registering there. The platform
    /// operator registers wider ranges with the CLI.
    static func checkPrefix(_ address: String) throws {
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

    func registerUsageRoutes(on router: Router<some RequestContext>) {
        let roles: Set<TokenRole> = [.billing, .readonly]
        router.get("v1/usage") { request, _ -> Response in
            let principal = try await authorize(request, roles)
            let query = try QueryInput(request, allowed: ["user", "from", "to", "by", "format"])
            let user = try query.string("user", maxLength: 253)
            let from = try query.string("from", maxLength: 32)
            let to = try query.string("to", maxLength: 32)
            let grouping = try query.choice("by", UsageGrouping.self)
            let format = try query.choice("format", ResponseFormat.self) ?? .json
            let rows = try await perform(principal) { principal, connection in
                try ReportStore(connection: connection).usage(tenant: try Self.tenant(principal), user: user, from: from, to: to, by: grouping)
            }
            if format == .csv {
                return Self.csv(CSV.render(["subscriber", "period", "upload_bytes", "download_bytes", "session_seconds"], rows.map {
                    [$0.subscriber, $0.period, String($0.uploadBytes), String($0.downloadBytes), String($0.sessionSeconds)]
                }), filename: "usage.csv")
            }
            return try Self.json(Items(items: rows))
        }
        router.get("v1/usage/totals") { request, _ in
            let principal = try await authorize(request, roles)
            let query = try QueryInput(request, allowed: ["from", "to", "by"])
            let from = try query.string("from", maxLength: 32)
            let to = try query.string("to", maxLength: 32)
            let grouping = try query.choice("by", UsageGrouping.self)
            return try await call(principal) { principal, connection in
                let rows = try ReportStore(connection: connection).usageTotals(tenant: try Self.tenant(principal), from: from, to: to, by: grouping)
                return Items(items: rows.map { UsageTotal(period: $0.period, uploadBytes: $0.uploadBytes, downloadBytes: $0.downloadBytes,
                                                          sessionSeconds: $0.sessionSeconds) })
            }
        }
        router.get("v1/usage/top") { request, _ in
            let principal = try await authorize(request, roles)
            let query = try QueryInput(request, allowed: ["from", "to", "by", "limit"])
            let from = try query.string("from", maxLength: 32)
            let to = try query.string("to", maxLength: 32)
            let ranking = try query.choice("by", ReportStore.UsageRanking.self) ?? .total
            let limit = try query.integer("limit", 1...10_000) ?? 100
            return try await call(principal) { principal, connection in
                Items(items: try ReportStore(connection: connection).topSubscribers(tenant: try Self.tenant(principal), from: from, to: to,
                                                                                    by: ranking, limit: limit))
            }
        }
        router.get("v1/usage/unassigned") { request, _ in
            let principal = try await authorize(request, roles)
            let query = try QueryInput(request, allowed: ["period"])
            guard let period = try query.string("period", maxLength: 7) else { throw APIError.invalid("period is required (YYYY-MM)") }
            try Self.checkPeriod(period)
            return try await call(principal) { principal, connection in
                Items(items: try ReportStore(connection: connection).unassigned(tenant: try Self.tenant(principal), period: period).map {
                    UnassignedUsage(user: $0.userName, uploadBytes: $0.uploadBytes, downloadBytes: $0.downloadBytes)
                })
            }
        }
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
