/// How one NAS is doing, as an operator's NAS pages show it: when it was last heard from,
/// whether it was reported silent, its open sessions and its last reboot.
public struct NASDeviceHealth: Hashable, Sendable {
    public var nasID: Int64
    /// The newest receipt time of a packet from it (`nas_activity`), `YYYY-MM-DDTHH:MM:SSZ`;
    /// nil when never heard from (or not yet observed).
    public var lastHeardAt: String?
    /// Since when it is reported silent (`nas.silent`); nil while it is heard.
    public var silentSince: String?
    /// Sessions of it that are still open.
    public var openSessions: Int
    /// When it last sent Accounting-On or Accounting-Off.
    public var lastRebootAt: String?

    /// "silent", "ok", or "never" (no packet heard yet).
    public var state: String { silentSince != nil ? "silent" : lastHeardAt == nil ? "never" : "ok" }

    public init(nasID: Int64, lastHeardAt: String? = nil, silentSince: String? = nil, openSessions: Int = 0, lastRebootAt: String? = nil) {
        self.nasID = nasID
        self.lastHeardAt = lastHeardAt
        self.silentSince = silentSince
        self.openSessions = openSessions
        self.lastRebootAt = lastRebootAt
    }
}
