import COpenSSL
import Foundation

/// Who a request is: the token's role and, for tenant roles, its tenant.
public struct Principal: Hashable, Sendable {
    public var tokenID: String
    public var role: TokenRole
    public var tenant: Tenant?
}
