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
                    QuotaOutput(
                        try QuotaStore(connection: connection).quota(
                            tenant: try Self.tenant(principal), user: user,
                            now: Int64(Date().timeIntervalSince1970)))
                }
            },
            APIRoute(.get, "/v1/subscribers/{user}/top-ups", roles: readers) { request, context in
                let principal = try context.principal
                let user = try Self.userParameter(context)
                _ = try QueryInput(request, allowed: [])
                return try await call(principal) { principal, connection in
                    let topUps = try QuotaStore(connection: connection).topUps(
                        tenant: try Self.tenant(principal), user: user,
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
                    throw APIError.invalid(
                        "amount '\(JSONBody.printable(amountText))' is not an amount such as \"10 GB\" (units B, MB, GB, TB, MiB, GiB, TiB)")
                }
                let note = try body.string("note", maxLength: 500)
                return try await call(principal, status: .created) { principal, connection in
                    let result = try QuotaStore(connection: connection).addTopUp(
                        tenant: try Self.tenant(principal), user: user, bytes: bytes, note: note,
                        now: Int64(Date().timeIntervalSince1970),
                        audit: AuditRecord(
                            actor: "token:\(principal.tokenID)", action: "top_up.added",
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
                    let log = try QuotaStore(connection: connection).enforcementPage(
                        tenant: try Self.tenant(principal), user: user, status: status,
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
