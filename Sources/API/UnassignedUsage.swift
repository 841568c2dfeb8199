/// Usage of a User-Name that is no subscriber in the period, as /v1/usage/unassigned lists it.
struct UnassignedUsage: Encodable, Sendable {
    var user: String
    var uploadBytes: Int64
    var downloadBytes: Int64
}
