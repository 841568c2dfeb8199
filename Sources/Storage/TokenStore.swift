import COpenSSL
import Foundation

/// API tokens: `tg_<id>_<secret>`, shown once at creation. The database keeps the id in
/// clear (to find the row) and a SHA-256 of the whole token, compared in constant time.
public struct TokenStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Creates a token for `tenant` (nil with role admin) and returns it with the token text.
    public func create(tenant: Tenant?, role: TokenRole, name: String) throws -> (token: APIToken, secret: String) {
        guard (role == .admin) == (tenant == nil) else {
            throw StoreError(.invalid, role == .admin ? "an admin token belongs to no tenant" : "a \(role.rawValue) token needs a tenant")
        }
        guard (1...200).contains(name.count), !name.contains("\0") else {
            throw StoreError(.invalid, "token name must be 1-200 characters without NUL")
        }
        let id = hex(Self.random(8))
        let text = "tg_\(id)_\(hex(Self.random(32)))"
        let result = try connection.query(
            """
            INSERT INTO api_tokens AS k (id, tenant_id, role, name, token_hash) VALUES ($1, $2, $3, $4, decode($5, 'hex'))
            RETURNING \(Self.columns)
            """, [id, tenant.map { String($0.id) }, role.rawValue, name, hex(Self.sha256(Array(text.utf8)))])
        guard var token = try Self.tokens(result).first else { throw PostgresError(.result, message: "token row without a role") }
        token.tenantSlug = tenant?.slug
        return (token, text)
    }

    /// Tokens of `tenant`, or every token when nil; newest first.
    public func list(tenant: Tenant?) throws -> [APIToken] {
        let result = try connection.query(
            """
            SELECT \(Self.columns) FROM api_tokens k
            WHERE $1::bigint IS NULL OR k.tenant_id = $1 ORDER BY k.created_at DESC, k.id
            """, [tenant.map { String($0.id) }])
        return try Self.tokens(result)
    }

    /// Revokes a token: it stops working at once.
    public func revoke(id: String) throws {
        let updated = try connection.query("UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", [id]).affectedRows
        guard updated == 1 else { throw StoreError(.notFound, "no active token with id '\(id)'") }
    }

    /// The principal of a presented token, or nil for anything that is not a live token.
    /// The same work is done whether or not the id exists, so timing tells nothing.
    public func authenticate(_ presented: String) throws -> Principal? {
        let bytes = Array(presented.utf8)
        let digest = Self.sha256(bytes)
        guard bytes.count == 84, presented.hasPrefix("tg_"), bytes[19] == UInt8(ascii: "_") else { return nil }
        let id = String(decoding: bytes[3..<19], as: UTF8.self)
        guard id.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        let result = try connection.query(
            """
            SELECT k.role, encode(k.token_hash, 'hex') AS token_hash, t.id, t.slug, t.name, t.currency, t.time_zone,
                   t.billing_day, t.rounding_mode, k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute' AS stale_use
            FROM api_tokens k LEFT JOIN tenants t ON t.id = k.tenant_id
            WHERE k.id = $1 AND k.revoked_at IS NULL
            """, [id])
        let tokenHash = try result.column("token_hash")
        let roleColumn = try result.column("role")
        let stored =
            result.rowCount == 1 ? SecretCipher.hexBytes(result.value(row: 0, column: tokenHash) ?? "") ?? [] : [UInt8](repeating: 0, count: 32)
        guard Self.constantTimeEqual(stored, digest), result.rowCount == 1,
            let role = result.value(row: 0, column: roleColumn).flatMap(TokenRole.init(rawValue:))
        else { return nil }
        // An admin token has no tenant: the tenant's columns (`TenantStore.columns`) are NULL.
        let tenant = result.value(row: 0, column: try result.column("id")) == nil ? nil : try TenantStore.tenant(result)
        guard (role == .admin) == (tenant == nil) else { return nil }
        // When the token was last used, to the minute: one write per token and minute at most.
        if result.value(row: 0, column: try result.column("stale_use")) == "t" {
            try connection.query("UPDATE api_tokens SET last_used_at = now() WHERE id = $1", [id])
        }
        return Principal(tokenID: id, role: role, tenant: tenant)
    }

    static let columns = """
        k.id, k.tenant_id, k.role, k.name, to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
        to_char(k.last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_used_at,
        to_char(k.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS revoked_at,
        (SELECT slug FROM tenants WHERE id = k.tenant_id) AS tenant_slug
        """

    /// Rows of `columns`.
    static func tokens(_ result: PostgresResult) throws -> [APIToken] {
        let id = try result.column("id")
        let tenantID = try result.column("tenant_id")
        let roleColumn = try result.column("role")
        let name = try result.column("name")
        let createdAt = try result.column("created_at")
        let lastUsedAt = try result.column("last_used_at")
        let revokedAt = try result.column("revoked_at")
        let tenantSlug = try result.column("tenant_slug")
        return try (0..<result.rowCount).map { row in
            guard let role = result.value(row: row, column: roleColumn).flatMap(TokenRole.init(rawValue:)) else {
                throw PostgresError(.result, message: "token row without a role")
            }
            return APIToken(
                id: result.value(row: row, column: id) ?? "", tenantSlug: result.value(row: row, column: tenantSlug),
                tenantID: result.value(row: row, column: tenantID).flatMap { Int64($0) }, role: role,
                name: result.value(row: row, column: name) ?? "", createdAt: result.value(row: row, column: createdAt) ?? "",
                lastUsedAt: result.value(row: row, column: lastUsedAt), revokedAt: result.value(row: row, column: revokedAt))
        }
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = EVP_Digest(bytes, bytes.count, &digest, &length, EVP_sha256(), nil)
        return digest
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return CRYPTO_memcmp(a, b, a.count) == 0
    }

    static func random(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        precondition(RAND_bytes(&bytes, Int32(count)) == 1, "OpenSSL RAND_bytes failed")
        return bytes
    }
}
