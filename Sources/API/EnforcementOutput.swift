import Storage

/// One entry of the enforcement log: a CoA or Disconnect request, why it was sent and its outcome.
struct EnforcementOutput: Encodable, Sendable {
    var id: Int64
    var user: String
    var action: String
    var reason: String
    var status: String
    var attempts: Int
    var errorCause: Int64?
    var detail: String?
    var rate: String?
    var nas: String?
    var nasId: Int64
    var sessionId: Int64
    var acctSessionId: String
    var framedIpAddress: String?
    var crossingId: Int64?
    var decidedAt: String
    var completedAt: String?

    init(_ record: EnforcementRecord) {
        let request = record.request
        id = request.id
        user = request.userName
        action = request.action
        reason = request.reason
        status = record.status.rawValue
        attempts = record.attempts
        errorCause = record.errorCause
        detail = record.detail
        rate = request.rate
        nas = record.nasName
        nasId = request.nasID
        sessionId = request.sessionID
        acctSessionId = request.acctSessionID
        framedIpAddress = request.framedIPAddress
        crossingId = request.crossingID
        decidedAt = record.decidedAt
        completedAt = record.completedAt
    }
}
