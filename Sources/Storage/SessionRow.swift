import Accounting
import Rating

/// A session as billing staff and operators see it.
public struct SessionRow: Hashable, Sendable, Codable {
    public var id: Int64
    public var nas: String
    public var user: String
    public var sessionID: String
    /// 1 for the first session with this Acct-Session-Id, User-Name and NAS port; 2, 3, ...
    /// when the NAS reused them for a later session; 0, -1, ... for imported radacct sessions
    /// older than the ones the collector received of the key.
    public var generation: Int
    public var nasPort: String
    public var startedAt: String?
    public var lastUpdateAt: String?
    public var stoppedAt: String?
    public var closeReason: String?
    public var terminateCause: Int?
    public var uploadBytes: Int64
    public var downloadBytes: Int64
    public var sessionSeconds: Int64
    public var framedIPAddress: String?
}
