import Accounting
import Foundation
import Hummingbird
import Presentation
import Rating
import Storage

extension TollgateAPI {
    // MARK: Plans, subscribers, invoices (billing)

    func billingRoutes<Context: RequestContext>() -> [APIRoute<Context>] {
        let billing: Set<TokenRole> = [.billing]
        return [
            APIRoute(.get, "/v1/plans", roles: billing) { request, context in
                let principal = try context.principal
                let cursor = pageCursor("plans", principal)
                let page = try QueryInput(request, allowed: ["limit", "cursor"]).page(cursor)
                return try await call(principal) { principal, connection in
                    let plans = try PlanStore(connection: connection).planPage(
                        tenant: try Self.tenant(principal), after: page.after, limit: page.limit)
                    return Page(items: plans.rows.map(PlanOutput.init), nextCursor: plans.next.map(cursor.encode))
                }
            },
            APIRoute(.post, "/v1/plans", roles: billing) { request, context in
                let principal = try context.principal
                let document = try await Self.planDocument(request)
                guard let name = document.name else { throw APIError.invalid("name is required") }
                return try await call(principal, status: .created) { principal, connection in
                    PlanOutput(
                        try PlanStore(connection: connection).createPlan(
                            tenant: try Self.tenant(principal), name: name, terms: document.terms,
                            effectiveFrom: document.effectiveFrom,
                            audit: AuditRecord(
                                actor: "token:\(principal.tokenID)", action: "plan.created", object: name,
                                detail: document.effectiveFrom.map { "effective_from \($0)" } ?? "")))
                }
            },
            APIRoute(.get, "/v1/plans/{name}", roles: billing) { request, context in
                let principal = try context.principal
                let name = try Self.parameter(context, "name")
                return try await call(principal) { principal, connection in
                    PlanOutput(try PlanStore(connection: connection).plan(tenant: try Self.tenant(principal), name: name))
                }
            },
            APIRoute(.post, "/v1/plans/{name}/versions", roles: billing) { request, context in
                let principal = try context.principal
                let name = try Self.parameter(context, "name")
                let document = try await Self.planDocument(request)
                // A plan file names its plan: one naming another plan than the path's conflicts with it.
                guard document.name == nil || document.name == name else {
                    throw APIError(
                        .conflict, "conflict", "the document names plan '\(document.name ?? "")', not '\(name)': leave name out or make it '\(name)'")
                }
                guard let from = document.effectiveFrom else { throw APIError.invalid("effective_from is required for a new version") }
                return try await call(principal, status: .created) { principal, connection in
                    PlanOutput(
                        try PlanStore(connection: connection).addVersion(
                            tenant: try Self.tenant(principal), plan: name, terms: document.terms,
                            effectiveFrom: from,
                            audit: AuditRecord(
                                actor: "token:\(principal.tokenID)", action: "plan.version_added",
                                object: name, detail: "effective_from \(from)")))
                }
            },
            APIRoute(.get, "/v1/subscribers", roles: billing) { request, context in
                let principal = try context.principal
                let query = try QueryInput(request, allowed: ["user", "limit", "cursor"])
                let user = try query.string("user", maxLength: 253)
                let cursor = pageCursor("subscribers", principal)
                let page = try query.page(cursor)
                return try await call(principal) { principal, connection in
                    let subscribers = try PlanStore(connection: connection).subscriberPage(
                        tenant: try Self.tenant(principal), user: user,
                        after: page.after, limit: page.limit)
                    return Page(items: subscribers.rows.map(SubscriberOutput.init), nextCursor: subscribers.next.map(cursor.encode))
                }
            },
            APIRoute(.post, "/v1/subscribers", roles: billing) { request, context in
                let principal = try context.principal
                let body = try await JSONBody.read(request, allowed: ["user", "plan", "from"])
                let user = try body.requiredString("user", maxLength: 253)
                let plan = try body.requiredString("plan", maxLength: 100)
                guard let from = try Self.date(try body.requiredString("from", maxLength: 10), "from") else {
                    throw APIError.invalid("from is required")
                }
                return try await call(principal, status: .created) { principal, connection in
                    SubscriberOutput(
                        try PlanStore(connection: connection).addSubscriber(tenant: try Self.tenant(principal), user: user, plan: plan, from: from))
                }
            },
            APIRoute(.post, "/v1/subscribers/plan-changes", roles: billing) { request, context in
                let principal = try context.principal
                let body = try await JSONBody.read(request, allowed: ["user", "plan", "on"])
                let user = try body.requiredString("user", maxLength: 253)
                let plan = try body.requiredString("plan", maxLength: 100)
                guard let on = try Self.date(try body.requiredString("on", maxLength: 10), "on") else { throw APIError.invalid("on is required") }
                return try await call(principal) { principal, connection in
                    SubscriberOutput(
                        try PlanStore(connection: connection).changePlan(tenant: try Self.tenant(principal), user: user, plan: plan, on: on))
                }
            },
            APIRoute(.post, "/v1/subscribers/ends", roles: billing) { request, context in
                let principal = try context.principal
                let body = try await JSONBody.read(request, allowed: ["user", "on"])
                let user = try body.requiredString("user", maxLength: 253)
                guard let on = try Self.date(try body.requiredString("on", maxLength: 10), "on") else { throw APIError.invalid("on is required") }
                return try await call(principal) { principal, connection in
                    SubscriberOutput(try PlanStore(connection: connection).endSubscription(tenant: try Self.tenant(principal), user: user, on: on))
                }
            },
            APIRoute(.post, "/v1/invoice-runs", roles: billing) { request, context in
                let principal = try context.principal
                let body = try await JSONBody.read(request, allowed: ["period", "finalize", "lookback"])
                let period = try body.requiredString("period", maxLength: 7)
                try Self.checkPeriod(period)
                let finalize = try body.bool("finalize") ?? false
                let lookback = try body.integer("lookback", 0...24) ?? 3
                return try await call(principal) { principal, connection in
                    let tenant = try Self.tenant(principal)
                    let audit = AuditRecord(
                        actor: "token:\(principal.tokenID)", action: finalize ? "invoice_run.finalized" : "invoice_run.created", object: period)
                    return InvoiceRunOutput(
                        try InvoiceStore(connection: connection).run(
                            tenant: tenant, period: period, finalize: finalize, lookback: lookback,
                            audit: audit),
                        currency: tenant.currency)
                }
            },
            APIRoute(.get, "/v1/invoices", roles: billing) { request, context -> Response in
                let principal = try context.principal
                let query = try QueryInput(request, allowed: ["period", "status", "user", "format", "limit", "cursor"])
                let period = try query.string("period", maxLength: 7)
                if let period { try Self.checkPeriod(period) }
                let status = try query.string("status", maxLength: 5)
                if let status, status != "draft", status != "final" { throw APIError.invalid("status must be draft or final") }
                let user = try query.string("user", maxLength: 253)
                let format = try query.choice("format", ResponseFormat.self) ?? .json
                let cursor = pageCursor("invoices", principal)
                let page = try query.page(cursor)
                if format == .csv {
                    return try await streamCSV(principal, filename: "invoices.csv", columns: InvoicePresentation.columns) { tenant, connection in
                        try InvoiceStore(connection: connection).openList(tenant: tenant, period: period, status: status, user: user)
                    } row: {
                        InvoicePresentation($0).cells
                    }
                }
                return try await call(principal) { principal, connection in
                    let invoices = try InvoiceStore(connection: connection).page(
                        tenant: try Self.tenant(principal), period: period, status: status,
                        user: user, after: page.after, limit: page.limit)
                    return Page(items: invoices.rows.map { InvoicePresentation($0) }, nextCursor: invoices.next.map(cursor.encode))
                }
            },
            APIRoute(.get, "/v1/invoices/export", roles: billing) { request, context -> Response in
                let principal = try context.principal
                let query = try QueryInput(request, allowed: ["period", "format", "limit", "cursor"])
                guard let period = try query.string("period", maxLength: 7) else { throw APIError.invalid("period is required (YYYY-MM)") }
                try Self.checkPeriod(period)
                let format = try query.choice("format", ResponseFormat.self) ?? .csv
                let cursor = pageCursor("invoice-lines", principal)
                let page = try query.page(cursor)
                if format == .csv {
                    return try await streamCSV(principal, filename: "invoice-lines-\(period).csv", columns: InvoiceLinePresentation.columns) {
                        tenant, connection in
                        try InvoiceStore(connection: connection).openExport(tenant: tenant, period: period)
                    } row: {
                        InvoiceLinePresentation($0).cells
                    }
                }
                return try await call(principal) { principal, connection in
                    let lines = try InvoiceStore(connection: connection).exportPage(
                        tenant: try Self.tenant(principal), period: period,
                        after: page.after, limit: page.limit)
                    return Page(items: lines.rows.map { InvoiceLinePresentation($0) }, nextCursor: lines.next.map(cursor.encode))
                }
            },
            APIRoute(.get, "/v1/invoices/{id}", roles: billing) { request, context in
                let principal = try context.principal
                let text = try Self.parameter(context, "id")
                guard let id = Int64(text), id > 0 else { throw APIError(.notFound, "not_found", "no such invoice") }
                return try await call(principal) { principal, connection in
                    InvoicePresentation(withLines: try InvoiceStore(connection: connection).show(tenant: try Self.tenant(principal), id: id))
                }
            },
        ]
    }

    /// Years of the billing periods the API takes: an invoice run looks up to 24 months back
    /// and one month ahead, and periods exist for years 1000-9000.
    static let periodYears = 1100...8999

    /// A billing period as the API takes it: YYYY-MM, a year of `periodYears`.
    static func checkPeriod(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
            bytes.enumerated().allSatisfy({ $0.offset == 4 || (48...57).contains($0.element) }),
            let month = Int(text.suffix(2)), (1...12).contains(month), let year = Int(text.prefix(4)), periodYears.contains(year)
        else {
            throw APIError.invalid(
                "period must be YYYY-MM of a year \(periodYears.lowerBound)-\(periodYears.upperBound), not '\(JSONBody.printable(text))'")
        }
    }

    /// A plan document from the body (the same keys as a plan file, as JSON).
    static func planDocument(_ request: Request) async throws -> PlanDocument {
        // Its fields are checked by the plan document's own reader.
        let body = try await JSONBody.read(request, allowed: nil)
        for (key, value) in body.fields { try Self.refuseNUL(value, key) }
        do { return try PlanDocument.parse(body.fields.mapValues(\.foundationObject)) } catch { throw APIError.invalid(error.description) }
    }

    private static func refuseNUL(_ value: JSONValue, _ path: String) throws {
        switch value {
        case .string(let text): try JSONBody.check(text, path, maxLength: 1000)
        case .array(let items): for (i, item) in items.enumerated() { try refuseNUL(item, "\(path)[\(i)]") }
        case .object(let fields): for (key, item) in fields { try refuseNUL(item, "\(path).\(key)") }
        default: break
        }
    }
}
