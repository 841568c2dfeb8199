import Accounting
import Foundation
import Rating

extension InvoiceStore {
    /// Invoice runs, newest period first: one row per period with invoices, at most `limit`.
    public func runs(tenant: Tenant, limit: Int = 60) throws -> [InvoiceRunSummary] {
        try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query("""
                SELECT i.period, min(i.currency), count(*) FILTER (WHERE i.status = 'draft'), count(*) FILTER (WHERE i.status = 'final'),
                       0, sum(i.subtotal)::bigint, sum(i.tax)::bigint, sum(i.total)::bigint,
                       to_char(max(i.rated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                       to_char(max(i.finalized_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                FROM invoices i
                WHERE i.tenant_id = $1 AND i.period IN (SELECT DISTINCT period FROM invoices WHERE tenant_id = $1 ORDER BY period DESC LIMIT $2)
                GROUP BY i.period ORDER BY i.period DESC
                """, [String(tenant.id), String(max(1, min(limit, 500)))])
            return (0..<result.rowCount).map { row in
                InvoiceRunSummary(period: result.value(row: row, column: 0) ?? "", currency: result.value(row: row, column: 1) ?? "",
                                  drafts: Int(result.int64(row: row, column: 2)), finals: Int(result.int64(row: row, column: 3)),
                                  lines: nil, subtotal: result.int64(row: row, column: 5),
                                  tax: result.int64(row: row, column: 6), total: result.int64(row: row, column: 7),
                                  lastRatedAt: result.value(row: row, column: 8) ?? "", finalizedAt: result.value(row: row, column: 9))
            }
        }
    }

    /// The summary of one period's run; nil when the period has no invoices.
    public func runSummary(tenant: Tenant, period: String) throws -> InvoiceRunSummary? {
        try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query("""
                SELECT min(i.currency), count(*) FILTER (WHERE i.status = 'draft'), count(*) FILTER (WHERE i.status = 'final'),
                       (SELECT count(*) FROM invoice_lines l JOIN invoices j ON j.tenant_id = l.tenant_id AND j.id = l.invoice_id
                        WHERE l.tenant_id = $1 AND j.period = $2)::bigint,
                       coalesce(sum(i.subtotal), 0)::bigint, coalesce(sum(i.tax), 0)::bigint, coalesce(sum(i.total), 0)::bigint,
                       to_char(max(i.rated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                       to_char(max(i.finalized_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                FROM invoices i WHERE i.tenant_id = $1 AND i.period = $2
                """, [String(tenant.id), period])
            guard result.rowCount == 1, result.int64(row: 0, column: 1) + result.int64(row: 0, column: 2) > 0 else { return nil }
            return InvoiceRunSummary(period: period, currency: result.value(row: 0, column: 0) ?? "",
                                     drafts: Int(result.int64(row: 0, column: 1)), finals: Int(result.int64(row: 0, column: 2)),
                                     lines: Int(result.int64(row: 0, column: 3)), subtotal: result.int64(row: 0, column: 4),
                                     tax: result.int64(row: 0, column: 5), total: result.int64(row: 0, column: 6),
                                     lastRatedAt: result.value(row: 0, column: 7) ?? "", finalizedAt: result.value(row: 0, column: 8))
        }
    }

    /// One page of a period's invoices (without lines), sorted by `sort` (ties by id):
    /// `limit` (at most 500) from `offset`, and whether more follow.
    public func periodPage(tenant: Tenant, period: String, sort: InvoiceSort, descending: Bool, offset: Int,
                           limit: Int) throws -> (invoices: [InvoiceRecord], more: Bool) {
        let limit = max(1, min(limit, 500))
        let direction = descending ? "DESC" : "ASC"
        let invoices = try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query("""
                SELECT \(Self.invoiceColumns) FROM invoices i JOIN subscribers s ON s.tenant_id = i.tenant_id AND s.id = i.subscriber_id
                WHERE i.tenant_id = $1 AND i.period = $2
                ORDER BY \(sort.expression) \(direction), i.id \(direction)
                LIMIT $3 OFFSET $4
                """, [String(tenant.id), period, String(limit + 1), String(max(0, offset))])
            return (0..<result.rowCount).map { Self.invoice(result, row: $0) }
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
            let result = try connection.query("""
                SELECT extract(epoch FROM hour)::bigint, upload_bytes, download_bytes FROM usage_hourly
                WHERE tenant_id = $1 AND subscriber = $2 AND hour >= to_timestamp($3) AND hour < to_timestamp($4)
                ORDER BY hour LIMIT 800
                """, [String(tenant.id), user, String(range.lowerBound), String(range.upperBound)])
            let usage = (0..<result.rowCount).map {
                HourlyUsage(hour: result.int64(row: $0, column: 0), upload: result.int64(row: $0, column: 1), download: result.int64(row: $0, column: 2))
            }
            return RatingInputs(subscriber: subscriber, plans: plans, usage: usage)
        }
    }
}
