import Accounting
import Rating

/// A NAS as the overview's health table shows it.
public struct NASHealthRow: Hashable, Sendable {
    public var name: String
    /// Newest receipt time of a packet from it (`YYYY-MM-DDTHH:MM:SSZ`); nil if never heard.
    public var lastHeardAt: String?
    /// Seconds since then.
    public var silentSeconds: Int64?
    /// Whether the silence watcher has reported it silent (`nas.silent`).
    public var reportedSilent: Bool
    public var openSessions: Int64
    /// Datagrams from it the collectors dropped in the last 24 hours, by reason (the names of
    /// the collector's `reason` label), most first.
    public var drops: [NASDropTotal] = []
}
