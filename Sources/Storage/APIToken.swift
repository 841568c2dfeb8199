import COpenSSL
import Foundation

/// An API token as listed: never the token itself.
public struct APIToken: Hashable, Sendable, Codable {
    public var id: String
    /// nil for a platform admin token.
    public var tenantSlug: String?
    public var tenantID: Int64?
    public var role: TokenRole
    public var name: String
    public var createdAt: String
    public var lastUsedAt: String?
    public var revokedAt: String?
}
