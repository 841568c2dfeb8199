import Foundation
import Hummingbird
import Presentation
import Rating
import Storage

private let tenantRoles: Set<TokenRole> = [.operator, .billing, .readonly]

extension TollgateAPI {
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
                    Page(
                        try NASStore(connection: connection, cipher: cipher).page(
                            tenant: try Self.tenant(principal), after: page.after, limit: page.limit),
                        cursor)
                }
            },
            APIRoute(.post, "/v1/nas", roles: [.operator]) { request, context in
                let principal = try context.principal
                let body = try await JSONBody.read(
                    request,
                    allowed: [
                        "name", "address", "secret", "listener", "identifier",
                        "require_message_authenticator", "coa_port", "coa_secret", "vendor",
                    ])
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
                        identifier: identifier, requireMessageAuthenticator: requireMessageAuthenticator,
                        coaPort: coa.port ?? NASStore.defaultCoAPort,
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
                let body = try await JSONBody.read(
                    request,
                    allowed: [
                        "address", "identifier", "listener", "require_message_authenticator",
                        "coa_port", "coa_secret", "vendor",
                    ])
                let address = try body.string("address", maxLength: 64)
                if let address { try Self.checkPrefix(address) }
                let identifier = try body.clearableString("identifier", maxLength: 253)
                let listener = try body.string("listener", maxLength: 63)
                let requireMessageAuthenticator = try body.bool("require_message_authenticator")
                let coa = try Self.dynamicAuthorizationFields(body)
                return try await call(principal) { principal, connection in
                    try NASStore(connection: connection, cipher: cipher).update(
                        tenant: try Self.tenant(principal), name: name, address: address,
                        identifier: identifier, listener: listener,
                        requireMessageAuthenticator: requireMessageAuthenticator,
                        coaPort: coa.port, coaSecret: coa.secret, vendor: coa.vendor,
                        audit: Self.audit(
                            principal, "nas.updated", name,
                            NASAuditDetail.updated(
                                address: address, identifier: identifier, listener: listener,
                                requireMessageAuthenticator: requireMessageAuthenticator,
                                coaPort: coa.port, coaSecret: coa.secret, vendor: coa.vendor)))
                }
            },
            APIRoute(.delete, "/v1/nas/{name}", roles: [.operator]) { request, context -> Response in
                let principal = try context.principal
                let name = try Self.parameter(context, "name")
                try await perform(principal) { principal, connection in
                    try NASStore(connection: connection, cipher: cipher).remove(
                        tenant: try Self.tenant(principal), name: name,
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
                    try NASStore(connection: connection, cipher: cipher).rotateSecret(
                        tenant: try Self.tenant(principal), name: name, secret: secret,
                        audit: Self.audit(principal, "nas.secret_rotated", name))
                }
                return Response(status: .noContent)
            },
            APIRoute(.get, "/v1/sessions", roles: tenantRoles) { request, context in
                let principal = try context.principal
                let query = try QueryInput(request, allowed: ["state", "user", "nas", "from", "to", "limit", "cursor"])
                let status = try query.choice("state", ReportStore.SessionStatus.self) ?? .all
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
                    let sessions = try ReportStore(connection: connection).sessionPage(
                        tenant: try Self.tenant(principal), status: status, user: user, nas: nas,
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
            throw APIError.invalid(
                "vendor must be 1-40 characters of a-z, 0-9, '-' and '_', beginning with a letter or digit: the name of a profile in Config/vendors")
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
            throw APIError.invalid(
                "address: a prefix shorter than /\(minimum) is registered by the platform operator (tollgate nas add), not through the API")
        }
    }

    /// Whether `text` is an IPv6 address in ::ffff:0:0/96, however it is written.
    static func isIPv4Mapped(_ text: String) -> Bool {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return false }
        return withUnsafeBytes(of: &address) { bytes in bytes.prefix(10).allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff }
    }
}
