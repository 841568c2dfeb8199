/// A page of the audit log, newest first, and whether there are older and newer entries
/// beyond it (for the pager's links).
public struct AuditLogPage: Hashable, Sendable {
    public var entries: [AuditEntry]
    public var hasOlder: Bool
    public var hasNewer: Bool
}
