import Rating

/// An ISP sharing the deployment.
public struct Tenant: Hashable, Sendable, Codable {
    public var id: Int64
    public var slug: String
    public var name: String
    /// ISO 4217 code, e.g. EUR.
    public var currency: String
    /// IANA time zone, e.g. Europe/Vienna.
    public var timeZone: String
    /// Day of the month (1-28) billing cycles start on.
    public var billingDay: Int
    /// How invoice lines round to minor units: half-even (default), half-up, half-down, ceiling, floor.
    public var roundingMode: String = "half-even"
}
