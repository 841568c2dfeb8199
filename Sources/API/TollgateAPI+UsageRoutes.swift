import Foundation
import Hummingbird
import Presentation
import Rating
import Storage

extension TollgateAPI {
    // MARK: Usage (billing, readonly)

    func usageRoutes<Context: RequestContext>() -> [APIRoute<Context>] {
        let roles: Set<TokenRole> = [.billing, .readonly]
        return [
            APIRoute(.get, "/v1/usage", roles: roles) { request, context -> Response in
                let principal = try context.principal
                let query = try QueryInput(request, allowed: ["user", "from", "to", "by", "format", "limit", "cursor"])
                let user = try query.string("user", maxLength: 253)
                let from = try query.string("from", maxLength: 32)
                let to = try query.string("to", maxLength: 32)
                let grouping = try query.choice("by", UsageGrouping.self)
                let format = try query.choice("format", ResponseFormat.self) ?? .json
                // One listing whatever the grouping: a key (subscriber, period) orders every form.
                let cursor = pageCursor("usage", principal)
                // Read (and so checked) for CSV too, though a CSV export has every row.
                let page = try query.page(cursor)
                if format == .csv {
                    return try await streamCSV(principal, filename: "usage.csv", columns: UsagePresentation.columns) { tenant, connection in
                        try ReportStore(connection: connection).openUsageExport(tenant: tenant, user: user, from: from, to: to, by: grouping)
                    } row: {
                        UsagePresentation($0).cells
                    }
                }
                return try await call(principal) { principal, connection in
                    let rows = try ReportStore(connection: connection).usagePage(
                        tenant: try Self.tenant(principal), user: user, from: from, to: to,
                        by: grouping, after: page.after, limit: page.limit)
                    return Page(items: rows.rows.map { UsagePresentation($0) }, nextCursor: rows.next.map(cursor.encode))
                }
            },
            APIRoute(.get, "/v1/usage/totals", roles: roles) { request, context in
                let principal = try context.principal
                let query = try QueryInput(request, allowed: ["from", "to", "by", "limit", "cursor"])
                let from = try query.string("from", maxLength: 32)
                let to = try query.string("to", maxLength: 32)
                let grouping = try query.choice("by", UsageGrouping.self)
                let cursor = pageCursor("usage-totals", principal)
                let page = try query.page(cursor)
                return try await call(principal) { principal, connection in
                    let rows = try ReportStore(connection: connection).usageTotalsPage(
                        tenant: try Self.tenant(principal), from: from, to: to, by: grouping,
                        after: page.after, limit: page.limit)
                    return Page(
                        items: rows.rows.map {
                            UsageTotal(
                                period: $0.period, uploadBytes: $0.uploadBytes, downloadBytes: $0.downloadBytes,
                                sessionSeconds: $0.sessionSeconds)
                        },
                        nextCursor: rows.next.map(cursor.encode))
                }
            },
            APIRoute(.get, "/v1/usage/top", roles: roles) { request, context in
                let principal = try context.principal
                let query = try QueryInput(request, allowed: ["from", "to", "by", "limit", "cursor"])
                let from = try query.string("from", maxLength: 32)
                let to = try query.string("to", maxLength: 32)
                let ranking = try query.choice("by", ReportStore.UsageRanking.self) ?? .total
                // The first page is "the top N": 100 unless asked; the cursor goes further down the ranking.
                let cursor = pageCursor("usage-top", principal)
                let page = try query.page(cursor, defaultLimit: 100)
                return try await call(principal) { principal, connection in
                    let rows = try ReportStore(connection: connection).topPage(
                        tenant: try Self.tenant(principal), from: from, to: to, by: ranking,
                        after: page.after, limit: page.limit)
                    return Page(items: rows.rows.map { UsagePresentation($0) }, nextCursor: rows.next.map(cursor.encode))
                }
            },
            APIRoute(.get, "/v1/usage/unassigned", roles: roles) { request, context in
                let principal = try context.principal
                let query = try QueryInput(request, allowed: ["period", "limit", "cursor"])
                guard let period = try query.string("period", maxLength: 7) else { throw APIError.invalid("period is required (YYYY-MM)") }
                try Self.checkPeriod(period)
                let cursor = pageCursor("usage-unassigned", principal)
                let page = try query.page(cursor)
                return try await call(principal) { principal, connection in
                    let rows = try ReportStore(connection: connection).unassignedPage(
                        tenant: try Self.tenant(principal), period: period,
                        after: page.after, limit: page.limit)
                    return Page(
                        items: rows.rows.map { UnassignedUsage(user: $0.userName, uploadBytes: $0.uploadBytes, downloadBytes: $0.downloadBytes) },
                        nextCursor: rows.next.map(cursor.encode))
                }
            },
        ]
    }
}
