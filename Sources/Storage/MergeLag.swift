import Accounting
import Rating

/// Packets of the tenant appended to the packet log and not merged into sessions and usage yet.
public struct MergeLag: Hashable, Sendable {
    /// How many (counted up to `MergeLag.countCap`).
    public var unmerged: Int64
    /// Age in seconds of the oldest of them; 0 when none waits.
    public var oldestSeconds: Int64

    public static let countCap: Int64 = 1_000_000
}
