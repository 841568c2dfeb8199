import Foundation

/// A person who signs in to the console: a tenant's staff member with one of the API's
/// roles, or a platform admin (no tenant). Never the password hash.
public struct ConsoleUser: Hashable, Sendable, Codable {
    public var id: Int64
    public var email: String
    public var role: TokenRole
    /// nil for a platform admin.
    public var tenant: Tenant?
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    public var createdAt: String
    public var passwordChangedAt: String
}
