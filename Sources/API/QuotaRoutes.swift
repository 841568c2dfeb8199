import Foundation
import Hummingbird
import Rating
import Storage

extension TollgateAPI {
    // MARK: Quotas, top-ups, the enforcement log

    func quotaRoutes<Context: RequestContext>() -> [APIRoute<Context>] {
        let readers: Set<TokenRole> = [.billing, .operator, .readonly]
        return [
            APIRoute(.get, "/v1/subscribers/{user}/quota", roles: readers) { request, context in
                let principal = try context.principal
                let user = try Self.userParameter(context)
                _ = try QueryInput(request, allowed: [])
                return try await call(principal) { principal, connection in
                    QuotaOutput(try QuotaStore(connection: connection).quota(tenant: try Self.tenant(principal), user: user,
                                                                             now: Int64(Date().timeIntervalSince1970)))
                }
            },
            APIRoute(.get, "/v1/subscribers/{user}/top-ups", roles: readers) { request, context in
                let principal = try context.principal
                let user = try Self.userParameter(context)
                _ = try QueryInput(request, allowed: [])
                return try await call(principal) { principal, connection in
                    let topUps = try QuotaStore(connection: connection).topUps(tenant: try Self.tenant(principal), user: user,
                                                                                now: Int64(Date().timeIntervalSince1970))
                    return Page(items: topUps.map(TopUpOutput.init), nextCursor: nil)
                }
            },
            APIRoute(.post, "/v1/subscribers/{user}/top-ups", roles: [.billing]) { request, context in
                let principal = try context.principal
                let user = try Self.userParameter(context)
                let body = try await JSONBody.read(request, allowed: ["amount", "note"])
                let amountText = try body.requiredString("amount", maxLength: 40)
                guard let bytes = QuotaPolicy.parseAmount(amountText), bytes > 0 else {
                    throw APIError.invalid("amount '\(JSONBody.printable(amountText))' is not an amount such as \"10 GB\" (units B, MB, GB, TB, MiB, GiB, TiB)")
                }
                let note = try body.string("note", maxLength: 500)
                return try await call(principal, status: .created) { principal, connection in
                    let result = try QuotaStore(connection: connection).addTopUp(tenant: try Self.tenant(principal), user: user, bytes: bytes, note: note,
                                                                                 now: Int64(Date().timeIntervalSince1970),
                                                                                 audit: AuditRecord(actor: "token:\(principal.tokenID)", action: "top_up.added",
                                                                                                    object: user, detail: "\(bytes) bytes"))
                    var output = TopUpOutput(result.topUp)
                    output.restores = result.restores
                    return output
                }
            },
            APIRoute(.get, "/v1/enforcement", roles: readers) { request, context in
                let principal = try context.principal
                let query = try QueryInput(request, allowed: ["user", "status", "limit", "cursor"])
                let user = try query.string("user", maxLength: 253)
                let status = try query.choice("status", EnforcementStatus.self)
                let cursor = pageCursor("enforcement", principal)
                let page = try query.page(cursor)
                return try await call(principal) { principal, connection in
                    let log = try QuotaStore(connection: connection).enforcementPage(tenant: try Self.tenant(principal), user: user, status: status,
                                                                                     after: page.after, limit: page.limit)
                    return Page(items: log.rows.map(EnforcementOutput.init), nextCursor: log.next.map(cursor.encode))
                }
            },
        ]
    }

    static func userParameter(_ context: some RequestContext) throws -> String {
        let user = try parameter(context, "user")
        try JSONBody.check(user, "user", maxLength: 253)
        return user
    }
}

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

struct QuotaOutput: Encodable, Sendable {
    struct Threshold: Encodable, Sendable {
        var index: Int
        var at: String
        var action: String
        var period: String
        var periodKey: String
        var rate: String?
        var fallback: String?
        var thresholdBytes: Int64
        var usedBytes: Int64
        var crossed: Bool
        var crossedAt: String?
    }

    struct State: Encodable, Sendable {
        var action: String
        var rate: String?
        var period: String
        var periodKey: String
        var since: String
    }

    var user: String
    var plan: String?
    var planVersionId: Int64?
    var cycle: String
    var segmentFrom: String?
    var segmentUntil: String?
    var allowanceBytes: Int64
    var usedBytes: Int64
    var state: String
    var restriction: State?
    var thresholds: [Threshold]
    var topUps: [TopUpOutput]

    init(_ view: QuotaView) {
        user = view.userName
        plan = view.plan
        planVersionId = view.planVersionID
        cycle = view.cycle
        segmentFrom = view.segmentFirst?.description
        segmentUntil = view.segmentEnd.map { $0.adding(days: -1).description }
        allowanceBytes = view.allowanceBytes
        usedBytes = view.usedBytes
        state = view.state?.name ?? "normal"
        restriction = view.state.map { State(action: $0.action, rate: $0.rate, period: $0.period, periodKey: $0.periodKey, since: $0.since) }
        thresholds = view.levels.map { item in
            Threshold(index: item.level.index, at: item.level.policy.thresholdText, action: item.level.policy.action.rawValue,
                      period: item.level.policy.period.rawValue, periodKey: item.level.periodKey, rate: item.level.policy.rate,
                      fallback: item.level.policy.fallback?.rawValue, thresholdBytes: item.level.thresholdBytes, usedBytes: item.level.usedBytes,
                      crossed: item.level.isCrossed, crossedAt: item.crossedAt)
        }
        topUps = view.topUps.map(TopUpOutput.init)
    }
}

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
