import Accounting
import Rating

/// A tenant as the platform admin's listing shows it (no usage: the admin sees no tenant data).
public struct TenantOverviewRow: Hashable, Sendable {
    public var tenant: Tenant
    public var nasCount: Int64
    public var consoleUserCount: Int64
}
