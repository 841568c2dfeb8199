import Accounting
import Rating

/// Datagrams from a NAS dropped for one reason.
public struct NASDropTotal: Hashable, Sendable {
    public var reason: String
    public var datagrams: Int64

    public init(reason: String, datagrams: Int64) {
        self.reason = reason
        self.datagrams = datagrams
    }
}
