/// A NAS reported silent: no accounting received from it for `thresholdSeconds`.
public struct SilentNAS: Hashable, Sendable {
    public var tenantID: Int64
    public var nasID: Int64
    public var name: String
    /// The newest receipt time of a packet from it, `YYYY-MM-DDTHH:MM:SSZ`: silent since then.
    public var lastHeardAt: String
    /// The interim interval the silence was judged by, seconds.
    public var intervalSeconds: Int
    public var thresholdSeconds: Int
    /// Deliveries enqueued for it.
    public var deliveries: Int

    public init(tenantID: Int64, nasID: Int64, name: String, lastHeardAt: String, intervalSeconds: Int, thresholdSeconds: Int, deliveries: Int) {
        self.tenantID = tenantID
        self.nasID = nasID
        self.name = name
        self.lastHeardAt = lastHeardAt
        self.intervalSeconds = intervalSeconds
        self.thresholdSeconds = thresholdSeconds
        self.deliveries = deliveries
    }
}
