import Accounting
import Rating

/// Usage of one subscriber, optionally for one period.
public struct UsageRow: Hashable, Sendable, Codable {
    public var subscriber: String
    /// Start of the period in the tenant's time zone (`YYYY-MM-DD HH:00`, `YYYY-MM-DD`, `YYYY-MM`), nil for totals.
    public var period: String?
    public var uploadBytes: Int64
    public var downloadBytes: Int64
    public var sessionSeconds: Int64

    public init(subscriber: String, period: String?, uploadBytes: Int64, downloadBytes: Int64, sessionSeconds: Int64) {
        self.subscriber = subscriber
        self.period = period
        self.uploadBytes = uploadBytes
        self.downloadBytes = downloadBytes
        self.sessionSeconds = sessionSeconds
    }
}
