import Accounting

/// What one committed batch changed.
public struct BatchSummary: Hashable, Sendable {
    public var sessionsTouched = 0
    /// Generations after a key's first that the batch opened (a NAS reused a session id).
    public var sessionsOpened = 0
    public var sessionsClosedByNAS = 0
    public var usageRows = 0
    public var packetsStored = 0
    /// Subscribers whose usage the batch changed or who started a session (what quota
    /// enforcement looks at next).
    public var subscribers: Set<TenantSubscriber> = []
}
