/// The whole tenant's usage of one period (or of the whole range), as /v1/usage/totals lists it.
struct UsageTotal: Encodable, Sendable {
    var period: String?
    var uploadBytes: Int64
    var downloadBytes: Int64
    var sessionSeconds: Int64
}
