/// A listener from the registry: dedicated to a tenant or shared.
public struct ListenerAssignment: Hashable, Sendable {
    public var name: String
    public var tenantID: Int64?

    public init(name: String, tenantID: Int64?) {
        self.name = name
        self.tenantID = tenantID
    }
}
