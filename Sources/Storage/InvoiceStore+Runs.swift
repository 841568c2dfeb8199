import Accounting
import Foundation
import Rating

extension InvoiceStore {
    /// Invoice runs, newest period first: one row per period with invoices, at most `limit`.
    public func runs(tenant: Tenant, limit: Int = 60) throws -> [InvoiceRunSummary] {
        try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query(
                """
                SELECT i.period, min(i.currency) AS currency, count(*) FILTER (WHERE i.status = 'draft') AS drafts,
                       count(*) FILTER (WHERE i.status = 'final') AS finals, sum(i.subtotal)::bigint AS subtotal,
                       sum(i.tax)::bigint AS tax, sum(i.total)::bigint AS total,
                       to_char(max(i.rated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_rated_at,
                       to_char(max(i.finalized_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS finalized_at
                FROM invoices i
                WHERE i.tenant_id = $1 AND i.period IN (SELECT DISTINCT period FROM invoices WHERE tenant_id = $1 ORDER BY period DESC LIMIT $2)
                GROUP BY i.period ORDER BY i.period DESC
                """, [String(tenant.id), String(max(1, min(limit, 500)))])
            let period = try result.column("period")
            let currency = try result.column("currency")
            let drafts = try result.column("drafts")
            let finals = try result.column("finals")
            let subtotal = try result.column("subtotal")
            let tax = try result.column("tax")
            let total = try result.column("total")
            let lastRatedAt = try result.column("last_rated_at")
            let finalizedAt = try result.column("finalized_at")
            return (0..<result.rowCount).map { row in
                InvoiceRunSummary(
                    period: result.value(row: row, column: period) ?? "", currency: result.value(row: row, column: currency) ?? "",
                    drafts: Int(result.int64(row: row, column: drafts)), finals: Int(result.int64(row: row, column: finals)),
                    lines: nil, subtotal: result.int64(row: row, column: subtotal),
                    tax: result.int64(row: row, column: tax), total: result.int64(row: row, column: total),
                    lastRatedAt: result.value(row: row, column: lastRatedAt) ?? "",
                    finalizedAt: result.value(row: row, column: finalizedAt))
            }
        }
    }

    /// The summary of one period's run; nil when the period has no invoices.
    public func runSummary(tenant: Tenant, period: String) throws -> InvoiceRunSummary? {
        try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query(
                """
                SELECT min(i.currency) AS currency, count(*) FILTER (WHERE i.status = 'draft') AS drafts,
                       count(*) FILTER (WHERE i.status = 'final') AS finals,
                       (SELECT count(*) FROM invoice_lines l JOIN invoices j ON j.tenant_id = l.tenant_id AND j.id = l.invoice_id
                        WHERE l.tenant_id = $1 AND j.period = $2)::bigint AS lines,
                       coalesce(sum(i.subtotal), 0)::bigint AS subtotal, coalesce(sum(i.tax), 0)::bigint AS tax,
                       coalesce(sum(i.total), 0)::bigint AS total,
                       to_char(max(i.rated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_rated_at,
                       to_char(max(i.finalized_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS finalized_at
                FROM invoices i WHERE i.tenant_id = $1 AND i.period = $2
                """, [String(tenant.id), period])
            let currency = try result.column("currency")
            let drafts = try result.column("drafts")
            let finals = try result.column("finals")
            let lines = try result.column("lines")
            let subtotal = try result.column("subtotal")
            let tax = try result.column("tax")
            let total = try result.column("total")
            let lastRatedAt = try result.column("last_rated_at")
            let finalizedAt = try result.column("finalized_at")
            guard result.rowCount == 1, result.int64(row: 0, column: drafts) + result.int64(row: 0, column: finals) > 0 else { return nil }
            return InvoiceRunSummary(
                period: period, currency: result.value(row: 0, column: currency) ?? "",
                drafts: Int(result.int64(row: 0, column: drafts)), finals: Int(result.int64(row: 0, column: finals)),
                lines: Int(result.int64(row: 0, column: lines)), subtotal: result.int64(row: 0, column: subtotal),
                tax: result.int64(row: 0, column: tax), total: result.int64(row: 0, column: total),
                lastRatedAt: result.value(row: 0, column: lastRatedAt) ?? "",
                finalizedAt: result.value(row: 0, column: finalizedAt))
        }
    }

    /// One page of a period's invoices (without lines), sorted by `sort` (ties by id):
    /// `limit` (at most 500) from `offset`, and whether more follow.
    public func periodPage(
        tenant: Tenant, period: String, sort: InvoiceSort, descending: Bool, offset: Int,
        limit: Int
    ) throws -> (invoices: [InvoiceRecord], more: Bool) {
        let limit = max(1, min(limit, 500))
        let direction = descending ? "DESC" : "ASC"
        let invoices = try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query(
                """
                SELECT \(Self.invoiceColumns) FROM invoices i JOIN subscribers s ON s.tenant_id = i.tenant_id AND s.id = i.subscriber_id
                WHERE i.tenant_id = $1 AND i.period = $2
                ORDER BY \(sort.expression) \(direction), i.id \(direction)
                LIMIT $3 OFFSET $4
                """, [String(tenant.id), period, String(limit + 1), String(max(0, offset))])
            return try Self.invoices(result)
        }
        return (Array(invoices.prefix(limit)), invoices.count > limit)
    }

    /// What re-rating `user` over `range` (a period calendar's bucket range) needs: the
    /// subscriber with its assignments, its plans and `plan` with every version, and its
    /// hourly buckets, all from one snapshot. Writes nothing.
    public func ratingInputs(tenant: Tenant, user: String, plan: String, range: Range<Int64>) throws -> RatingInputs {
        try connection.tenantTransaction(tenant.id, repeatableRead: true) { connection in
            guard let subscriber = try PlanStore.subscribers(connection, tenant: tenant, user: user).first else {
                throw StoreError(.notFound, "no subscriber '\(user)'")
            }
            let names = Array(Set(subscriber.assignments.map(\.planName) + [plan])).sorted()
            let plans = try PlanStore.plans(connection, tenant: tenant, names: names)
            // A month has at most 745 hourly buckets (a daylight-saving hour more); a margin of a day.
            let result = try connection.query(
                """
                SELECT extract(epoch FROM hour)::bigint AS hour_epoch, upload_bytes, download_bytes FROM usage_hourly
                WHERE tenant_id = $1 AND subscriber = $2 AND hour >= to_timestamp($3) AND hour < to_timestamp($4)
                ORDER BY hour LIMIT 800
                """, [String(tenant.id), user, String(range.lowerBound), String(range.upperBound)])
            let c = try result.columns("hour_epoch", "upload_bytes", "download_bytes")
            let usage = (0..<result.rowCount).map {
                HourlyUsage(
                    hour: result.int64(row: $0, column: c[0]), upload: result.int64(row: $0, column: c[1]),
                    download: result.int64(row: $0, column: c[2]))
            }
            return RatingInputs(subscriber: subscriber, plans: plans, usage: usage)
        }
    }
}
