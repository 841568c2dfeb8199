import Accounting

/// A subscriber (User-Name) of a tenant.
public struct TenantSubscriber: Hashable, Sendable, Comparable {
    public var tenantID: Int64
    public var subscriber: String

    public init(tenantID: Int64, subscriber: String) {
        self.tenantID = tenantID
        self.subscriber = subscriber
    }

    public static func < (a: TenantSubscriber, b: TenantSubscriber) -> Bool { (a.tenantID, a.subscriber) < (b.tenantID, b.subscriber) }
}
