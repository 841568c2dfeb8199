import Storage

/// A top-up of a subscriber's allowance as the API answers it.
struct TopUpOutput: Encodable, Sendable {
    var id: Int64
    var user: String
    var period: String
    var bytes: Int64
    var note: String?
    var createdAt: String
    /// Restore requests recorded by this top-up (only in the answer that created it).
    var restores: Int?

    init(_ record: TopUpRecord) {
        id = record.id
        user = record.userName
        period = record.period
        bytes = record.bytes
        note = record.note
        createdAt = record.createdAt
    }
}
