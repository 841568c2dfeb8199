import Accounting
import Foundation
import Rating

/// Rates billing periods into invoices and keeps them: drafts are re-rated idempotently,
/// final invoices never change, and corrections of final periods go to the next draft.
public struct InvoiceStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Subscribers rated per round trip: bounds memory (a month of hourly usage each) on large tenants.
    public static let chunkSize = 1000

    /// Creates or re-rates the draft invoices of `period` and, with `finalize`, makes them final.
    /// Closed (final) periods of the last `lookback` cycles, and the requested period when it
    /// is closed, are re-rated too and their differences become adjustment lines on the drafts;
    /// a subscriber added to a closed period afterwards gets its charges as "newly due" lines.
    /// `audit` is recorded in the run's transaction, so a run that fails leaves no entry.
    public func run(
        tenant: Tenant, period label: String, finalize: Bool = false, lookback: Int = 3,
        audit: AuditRecord? = nil
    ) throws -> InvoiceRunResult {
        guard let period = BillingPeriod(label, billingDay: tenant.billingDay) else {
            throw StoreError(.invalid, "period '\(label)' is not YYYY-MM (years 1000-9000)")
        }
        guard (0...24).contains(lookback) else { throw StoreError(.invalid, "lookback must be 0-24 cycles, not \(lookback)") }
        guard let currency = Currency(code: tenant.currency), let rounding = RoundingMode(rawValue: tenant.roundingMode) else {
            throw StoreError(.invalid, "tenant '\(tenant.slug)' has an unusable currency or rounding mode")
        }
        let settings = RatingSettings(currency: currency, rounding: rounding)
        // One snapshot for plans, subscribers, usage and invoices: a plan or subscriber committed
        // mid-run is either wholly in this run or wholly in the next.
        return try connection.tenantTransaction(tenant.id, repeatableRead: true) { connection in
            // One run per tenant at a time (key "tolt" + tenant); a concurrent one fails to
            // serialize rather than interleaving drafts.
            try connection.query("SELECT pg_advisory_xact_lock(1953459060, $1::integer)", [String(tenant.id % 2_147_483_647)])
            var result = InvoiceRunResult(period: period.description, ratedPeriod: period.description)
            let plans = try PlanStore.plans(connection, tenant: tenant, name: nil)
            let versionsByPlan = Dictionary(uniqueKeysWithValues: plans.map { ($0.id, $0.versions.map(\.rated)) })
            let allVersions = plans.flatMap { $0.versions.map(\.rated) }
            let subscribers = try PlanStore.subscribers(connection, tenant: tenant, user: nil)

            // A period is closed once invoices of it are final. Running a closed period rates the
            // next open one, whose drafts carry the corrections of the closed periods before it.
            let closedRows = try connection.query(
                """
                SELECT DISTINCT period FROM invoices WHERE tenant_id = $1 AND status = 'final' AND period >= $2
                """, [String(tenant.id), period.adding(months: -lookback).description])
            let closed = Set((0..<closedRows.rowCount).compactMap { closedRows.value(row: $0, column: 0) })
            var target = period
            while closed.contains(target.description) { target = target.next }
            guard target == period || !finalize else {
                throw StoreError(
                    .conflict, "period \(period) is already final: its corrections go on the \(target) drafts; run \(target) to finalize them")
            }
            result.ratedPeriod = target.description
            // Closed periods re-rated for corrections: the lookback before the target, and always
            // the requested period itself.
            var corrected: [BillingPeriod] = []
            var q = min(period, target.adding(months: -lookback))
            while q < target {
                if closed.contains(q.description) { corrected.append(q) }
                q = q.next
            }

            guard let calendar = PeriodCalendar(period: target, timeZone: tenant.timeZone) else {
                throw StoreError(.invalid, "tenant time zone '\(tenant.timeZone)' is unknown to this system")
            }
            let engine = RatingEngine(calendar: calendar, settings: settings, versions: allVersions)
            var engines: [BillingPeriod: RatingEngine] = [:]
            for q in corrected {
                guard let qCalendar = PeriodCalendar(period: q, timeZone: tenant.timeZone) else { continue }
                engines[q] = RatingEngine(calendar: qCalendar, settings: settings, versions: allVersions)
            }
            let chunks = stride(from: 0, to: subscribers.count, by: Self.chunkSize).map {
                Array(subscribers[$0..<min($0 + Self.chunkSize, subscribers.count)])
            }
            // Per chunk: its reads (usage of the rated period, and usage and billed lines of each
            // closed period) as one group, its writes as another. The next chunk's reads are sent
            // before this chunk is rated, so PostgreSQL reads while the engine rates.
            func reads(_ chunk: [SubscriberRecord]) -> [Statement] {
                var statements = [Self.usageStatement(tenant: tenant, users: chunk.map(\.userName), range: calendar.bucketRange)]
                for q in corrected {
                    guard let qEngine = engines[q] else { continue }
                    statements.append(Self.usageStatement(tenant: tenant, users: chunk.map(\.userName), range: qEngine.calendar.bucketRange))
                    statements.append(Self.billedStatement(tenant: tenant, subscriberIDs: chunk.map(\.id), period: q))
                }
                return statements
            }
            try connection.withPipeline { pipeline in
                if let first = chunks.first { try pipeline.send(reads(first)) }
                // The writes sent and not yet read: their results are counted by tag.
                var writesInFlight: [Statement] = []
                for (index, chunk) in chunks.enumerated() {
                    var results = try pipeline.receive()
                    if index + 1 < chunks.count { try pipeline.send(reads(chunks[index + 1])) }
                    let usage = try Self.parseUsage(results.removeFirst())
                    var corrections: [Int64: [InvoiceLine]] = [:]
                    for q in corrected {
                        guard let qEngine = engines[q] else { continue }
                        let qUsage = try Self.parseUsage(results.removeFirst())
                        // What final invoices billed for q (nothing for a subscriber added to q after it closed).
                        let billed = try Self.parseLines(results.removeFirst())
                        for subscriber in chunk {
                            let rerated = qEngine.rate(
                                assignments: Self.assignments(subscriber, versionsByPlan), usage: qUsage[subscriber.userName] ?? [])
                            corrections[subscriber.id, default: []] += Adjustments.corrections(
                                period: q, currency: currency, billed: billed[subscriber.id] ?? [], rerated: rerated.lines)
                        }
                    }
                    var invoices: [(subscriber: SubscriberRecord, lines: [InvoiceLine])] = []
                    var unbilled: [Int64] = []
                    for subscriber in chunk {
                        let rating = engine.rate(assignments: Self.assignments(subscriber, versionsByPlan), usage: usage[subscriber.userName] ?? [])
                        if !rating.unassigned.isEmpty {
                            result.unassigned.append(
                                UnassignedUsageRow(
                                    userName: subscriber.userName, isSubscriber: true,
                                    uploadBytes: rating.unassigned.upload, downloadBytes: rating.unassigned.download))
                        }
                        let adjustments = corrections[subscriber.id] ?? []
                        if rating.isBilled || !adjustments.isEmpty {
                            invoices.append((subscriber, rating.lines + adjustments))
                            result.adjustmentLines += adjustments.count
                        } else {
                            unbilled.append(subscriber.id)
                        }
                    }
                    if !writesInFlight.isEmpty { Self.count(writesInFlight, try pipeline.receive(), into: &result) }
                    writesInFlight = Self.writeStatements(tenant: tenant, period: target, invoices: invoices, unbilled: unbilled, result: &result)
                    try pipeline.send(writesInFlight)
                }
                if !writesInFlight.isEmpty { Self.count(writesInFlight, try pipeline.receive(), into: &result) }
            }
            result.unassigned += try Self.unknownUsers(connection, tenant: tenant, range: calendar.bucketRange)
            result.unassigned.sort { $0.userName < $1.userName }
            if finalize {
                result.finalized = try Self.finalize(connection, tenant: tenant, period: target.description, currencyExponent: currency.exponent)
            }
            try AuditLog(connection: connection).record(audit, tenant: tenant)
            return result
        }
    }

    /// Invoices of a tenant, newest period first, without lines.
    public func list(tenant: Tenant, period: String? = nil, status: String? = nil, user: String? = nil) throws -> [InvoiceRecord] {
        try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query(
                """
                SELECT \(Self.invoiceColumns) FROM invoices i JOIN subscribers s ON s.tenant_id = i.tenant_id AND s.id = i.subscriber_id
                WHERE i.tenant_id = $1 AND ($2::text IS NULL OR i.period = $2) AND ($3::text IS NULL OR i.status = $3)
                  AND ($4::text IS NULL OR s.user_name = $4)
                ORDER BY i.period DESC, s.user_name
                """, [String(tenant.id), period, status, user])
            return try Self.invoices(result)
        }
    }

    /// Invoices without lines, newest period first, then by User-Name and id: `limit` after
    /// the key `[period, user, id]` of the previous page's last invoice.
    public func page(
        tenant: Tenant, period: String? = nil, status: String? = nil, user: String? = nil,
        after: [String]?, limit: Int
    ) throws -> KeysetPage<InvoiceRecord> {
        try PageLimit.check(limit)
        let key = try keyParts(after, 3)
        if let id = key[2], Int64(id) == nil { throw StoreError(.invalid, "cursor does not belong to this listing") }
        let invoices = try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query(
                """
                SELECT \(Self.invoiceColumns) FROM invoices i JOIN subscribers s ON s.tenant_id = i.tenant_id AND s.id = i.subscriber_id
                WHERE i.tenant_id = $1 AND ($2::text IS NULL OR i.period = $2) AND ($3::text IS NULL OR i.status = $3)
                  AND ($4::text IS NULL OR s.user_name = $4)
                  AND ($5::text IS NULL OR i.period < $5 OR (i.period = $5 AND (s.user_name, i.id) > ($6::text, $7::bigint)))
                ORDER BY i.period DESC, s.user_name, i.id
                LIMIT $8
                """, [String(tenant.id), period, status, user] + key + [String(limit + 1)])
            return try Self.invoices(result)
        }
        return KeysetPage(fetched: invoices, limit: limit) { [$0.period, $0.subscriber, String($0.id)] }
    }

    /// The invoices `page` lists, every one in page order, read a chunk at a time. The cursor
    /// owns the connection until it is closed.
    public func openList(tenant: Tenant, period: String? = nil, status: String? = nil, user: String? = nil) throws -> RowCursor<InvoiceRecord> {
        try RowCursor(
            connection: connection, tenantID: tenant.id,
            sql: """
                SELECT \(Self.invoiceColumns) FROM invoices i JOIN subscribers s ON s.tenant_id = i.tenant_id AND s.id = i.subscriber_id
                WHERE i.tenant_id = $1 AND ($2::text IS NULL OR i.period = $2) AND ($3::text IS NULL OR i.status = $3)
                  AND ($4::text IS NULL OR s.user_name = $4)
                ORDER BY i.period DESC, s.user_name, i.id
                """, parameters: [String(tenant.id), period, status, user]
        ) { result in try Self.invoices(result) }
    }

    /// Every line of a period's invoices by User-Name, invoice and position: `limit` after
    /// the key `[user, invoice id, position]` of the previous page's last line.
    public func exportPage(tenant: Tenant, period: String, after: [String]?, limit: Int) throws -> KeysetPage<ExportedLine> {
        try PageLimit.check(limit)
        let key = try keyParts(after, 3)
        if key[0] != nil, Int64(key[1] ?? "") == nil || Int(key[2] ?? "") == nil {
            throw StoreError(.invalid, "cursor does not belong to this listing")
        }
        let lines = try connection.tenantTransaction(tenant.id) { connection in
            try Self.exportedLines(
                try connection.query(
                    Self.exportStatement + """

                          AND ($3::text IS NULL OR (s.user_name, i.id, l.position) > ($3::text, $4::bigint, $5::integer))
                        ORDER BY s.user_name, i.id, l.position
                        LIMIT $6
                        """, [String(tenant.id), period] + key + [String(limit + 1)]))
        }
        return KeysetPage(fetched: lines, limit: limit) { [$0.invoice.subscriber, String($0.invoice.id), String($0.position)] }
    }

    /// Every line of a period's invoices in export order, read a chunk at a time. The cursor
    /// owns the connection until it is closed.
    public func openExport(tenant: Tenant, period: String) throws -> RowCursor<ExportedLine> {
        try RowCursor(
            connection: connection, tenantID: tenant.id, sql: Self.exportStatement + "\nORDER BY s.user_name, i.id, l.position",
            parameters: [String(tenant.id), period], decode: Self.exportedLines)
    }

    static let exportStatement = """
        SELECT \(invoiceColumns), l.position, \(lineColumns)
        FROM invoices i JOIN subscribers s ON s.tenant_id = i.tenant_id AND s.id = i.subscriber_id
        JOIN invoice_lines l ON l.tenant_id = i.tenant_id AND l.invoice_id = i.id
        WHERE i.tenant_id = $1 AND i.period = $2
        """

    static func exportedLines(_ result: PostgresResult) throws -> [ExportedLine] {
        let invoice = try InvoiceColumns(result)
        let line = try LineColumns(result)
        let position = try result.column("position")
        return try (0..<result.rowCount).map { row in
            ExportedLine(
                invoice: invoice.read(result, row: row), position: Int(result.int64(row: row, column: position)),
                line: try line.read(result, row: row))
        }
    }

    /// One invoice with its lines; not found for another tenant's id.
    public func show(tenant: Tenant, id: Int64) throws -> InvoiceRecord {
        try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query(
                """
                SELECT \(Self.invoiceColumns) FROM invoices i JOIN subscribers s ON s.tenant_id = i.tenant_id AND s.id = i.subscriber_id
                WHERE i.tenant_id = $1 AND i.id = $2
                """, [String(tenant.id), String(id)])
            guard result.rowCount == 1 else { throw StoreError(.notFound, "no invoice \(id)") }
            var invoice = try Self.invoices(result)[0]
            invoice.lines = try Self.lines(connection, tenant: tenant, invoiceIDs: [id])[id] ?? []
            return invoice
        }
    }

    /// Every invoice of a period with its lines, for export.
    public func export(tenant: Tenant, period: String) throws -> [InvoiceRecord] {
        try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query(
                """
                SELECT \(Self.invoiceColumns) FROM invoices i JOIN subscribers s ON s.tenant_id = i.tenant_id AND s.id = i.subscriber_id
                WHERE i.tenant_id = $1 AND i.period = $2 ORDER BY s.user_name
                """, [String(tenant.id), period])
            var invoices = try Self.invoices(result)
            let lines = try Self.lines(connection, tenant: tenant, invoiceIDs: invoices.map(\.id))
            for i in invoices.indices { invoices[i].lines = lines[invoices[i].id] ?? [] }
            return invoices
        }
    }

    // MARK: - Inside the run's transaction

    /// Makes a period's drafts final and, in the same statement, enqueues one
    /// `invoice.finalized` webhook per invoice and subscribed endpoint: a billing system
    /// books each invoice on its own (and deduplicates by invoice id), so it gets each on its
    /// own. Amounts are decimal text in the currency's major unit, as the API shows them.
    /// Returns how many invoices became final.
    static func finalize(_ connection: PostgresConnection, tenant: Tenant, period: String, currencyExponent: Int) throws -> Int {
        let result = try connection.query(
            """
            WITH finalized AS (
                UPDATE invoices SET status = 'final', finalized_at = now() WHERE tenant_id = $1 AND period = $2 AND status = 'draft'
                RETURNING id, subscriber_id, period, period_start, period_end, currency, subtotal, tax, total, finalized_at
            ), events AS (
                INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event, payload)
                SELECT e.tenant_id, e.id, 'invoice.finalized', json_build_object('invoice', json_build_object(
                           'id', f.id, 'user', s.user_name, 'period', f.period, 'period_start', f.period_start::text,
                           'period_end', f.period_end::text, 'status', 'final', 'currency', f.currency,
                           'subtotal', round(f.subtotal::numeric / power(10::numeric, $3::integer), $3::integer)::text,
                           'tax', round(f.tax::numeric / power(10::numeric, $3::integer), $3::integer)::text,
                           'total', round(f.total::numeric / power(10::numeric, $3::integer), $3::integer)::text,
                           'finalized_at', to_char(f.finalized_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))
                FROM finalized f
                JOIN subscribers s ON s.tenant_id = $1 AND s.id = f.subscriber_id
                JOIN webhook_endpoints e ON e.tenant_id = $1 AND e.enabled AND 'invoice.finalized' = ANY (e.events)
                ORDER BY f.id, e.id
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM finalized), (SELECT count(*) FROM events)
            """, [String(tenant.id), period, String(currencyExponent)])
        return Int(result.int64(row: 0, column: 0))
    }

    static let invoiceColumns = """
        i.id, s.user_name, i.period, i.period_start::text AS period_start, i.period_end::text AS period_end, i.currency, i.status,
        i.subtotal, i.tax, i.total, to_char(i.rated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS rated_at,
        to_char(i.finalized_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS finalized_at
        """

    /// Rows of `invoiceColumns`, without lines.
    static func invoices(_ result: PostgresResult) throws -> [InvoiceRecord] {
        let columns = try InvoiceColumns(result)
        return (0..<result.rowCount).map { columns.read(result, row: $0) }
    }

    /// The numbers of `invoiceColumns` in a result, found once per result.
    struct InvoiceColumns {
        let id, user, period, periodStart, periodEnd, currency, status, subtotal, tax, total, ratedAt, finalizedAt: Int

        init(_ result: PostgresResult) throws {
            (id, user, period, periodStart) = (
                try result.column("id"), try result.column("user_name"), try result.column("period"),
                try result.column("period_start")
            )
            (periodEnd, currency, status, subtotal) = (
                try result.column("period_end"), try result.column("currency"),
                try result.column("status"), try result.column("subtotal")
            )
            (tax, total, ratedAt, finalizedAt) = (
                try result.column("tax"), try result.column("total"), try result.column("rated_at"),
                try result.column("finalized_at")
            )
        }

        func read(_ result: PostgresResult, row: Int) -> InvoiceRecord {
            func text(_ c: Int) -> String { result.value(row: row, column: c) ?? "" }
            return InvoiceRecord(
                id: result.int64(row: row, column: id), subscriber: text(user), period: text(period),
                periodStart: text(periodStart), periodEnd: text(periodEnd), currency: text(currency), status: text(status),
                subtotal: result.int64(row: row, column: subtotal), tax: result.int64(row: row, column: tax),
                total: result.int64(row: row, column: total), ratedAt: text(ratedAt),
                finalizedAt: result.value(row: row, column: finalizedAt), lines: [])
        }
    }

    /// A subscriber's assignments with their plans' versions, as a run rates them.
    public static func assignments(_ subscriber: SubscriberRecord, _ versions: [Int64: [RatedVersion]]) -> [PlanAssignment] {
        subscriber.assignments.map { PlanAssignment(versions: versions[$0.planID] ?? [], from: $0.startsOn, until: $0.endsOn) }
    }

    static func array(_ values: [Int64]) -> String {
        var parameter = ArrayParameter(reservingCapacity: values.count * 8)
        for value in values { parameter.append(value) }
        return parameter.literal
    }

    /// Hourly usage of some User-Names in a UTC range. No ORDER BY: the engine takes buckets in
    /// any order, and runs of one User-Name (the index order) are grouped without sorting.
    static func usageStatement(tenant: Tenant, users: [String], range: Range<Int64>) -> Statement {
        var names = ArrayParameter(reservingCapacity: users.count * 12)
        for user in users { names.append(user) }
        return Statement(
            """
            SELECT subscriber, extract(epoch FROM hour)::bigint AS hour, upload_bytes, download_bytes FROM usage_hourly
            WHERE tenant_id = $1 AND subscriber = ANY($2::text[]) AND hour >= to_timestamp($3) AND hour < to_timestamp($4)
            """, [String(tenant.id), names.literal, String(range.lowerBound), String(range.upperBound)])
    }

    /// The rows of `usageStatement` by User-Name, read without a String per value.
    static func parseUsage(_ result: PostgresResult) throws -> [String: [HourlyUsage]] {
        let subscriber = try result.column("subscriber")
        let hour = try result.column("hour")
        let upload = try result.column("upload_bytes")
        let download = try result.column("download_bytes")
        var byUser: [String: [HourlyUsage]] = [:]
        var start = 0
        while start < result.rowCount {
            var end = start + 1
            while end < result.rowCount, result.sameText(row: end, column: subscriber, asRow: start) { end += 1 }
            var buckets: [HourlyUsage] = []
            buckets.reserveCapacity(end - start)
            for row in start..<end {
                buckets.append(
                    HourlyUsage(
                        hour: result.int64(row: row, column: hour), upload: result.int64(row: row, column: upload),
                        download: result.int64(row: row, column: download)))
            }
            byUser[result.value(row: start, column: subscriber) ?? "", default: []] += buckets
            start = end
        }
        return byUser
    }

    /// Usage of User-Names that are not subscribers at all, by User-Name (all, or `limit`
    /// after `after`).
    static func unknownUsers(
        _ connection: PostgresConnection, tenant: Tenant, range: Range<Int64>,
        after: String? = nil, limit: Int? = nil
    ) throws -> [UnassignedUsageRow] {
        // The distinct User-Names come from a loose index scan (one descent of the primary key per
        // name) rather than reading every bucket of the period; only unknown names are summed.
        let result = try connection.query(
            """
            WITH RECURSIVE names AS (
                (SELECT subscriber FROM usage_hourly WHERE tenant_id = $1 AND ($4::text IS NULL OR subscriber > $4)
                 ORDER BY subscriber LIMIT 1)
                UNION ALL
                SELECT (SELECT u.subscriber FROM usage_hourly u WHERE u.tenant_id = $1 AND u.subscriber > n.subscriber
                        ORDER BY u.subscriber LIMIT 1)
                FROM names n WHERE n.subscriber IS NOT NULL
            )
            SELECT n.subscriber, sum(u.upload_bytes)::bigint AS upload_bytes, sum(u.download_bytes)::bigint AS download_bytes
            FROM names n JOIN usage_hourly u ON u.tenant_id = $1 AND u.subscriber = n.subscriber
            WHERE n.subscriber IS NOT NULL AND u.hour >= to_timestamp($2) AND u.hour < to_timestamp($3)
              AND NOT EXISTS (SELECT 1 FROM subscribers s WHERE s.tenant_id = $1 AND s.user_name = n.subscriber)
            GROUP BY n.subscriber
            HAVING sum(u.upload_bytes) <> 0 OR sum(u.download_bytes) <> 0
            ORDER BY n.subscriber
            LIMIT $5
            """, [String(tenant.id), String(range.lowerBound), String(range.upperBound), after, limit.map(String.init)])
        let subscriber = try result.column("subscriber")
        let upload = try result.column("upload_bytes")
        let download = try result.column("download_bytes")
        return (0..<result.rowCount).map { row in
            UnassignedUsageRow(
                userName: result.value(row: row, column: subscriber) ?? "", isSubscriber: false,
                uploadBytes: result.int64(row: row, column: upload), downloadBytes: result.int64(row: row, column: download))
        }
    }

    /// What final invoices billed for `period`: its own lines and the corrections of it
    /// already on final invoices, keyed by subscriber.
    static func billedStatement(tenant: Tenant, subscriberIDs: [Int64], period: BillingPeriod) -> Statement {
        Statement(
            """
            SELECT i.subscriber_id AS owner_id, \(lineColumns)
            FROM invoice_lines l JOIN invoices i ON i.tenant_id = l.tenant_id AND i.id = l.invoice_id
            WHERE l.tenant_id = $1 AND i.status = 'final' AND i.subscriber_id = ANY($2::bigint[])
              AND ((i.period = $3 AND l.corrects_period IS NULL) OR l.corrects_period = $3)
            ORDER BY i.subscriber_id, i.period, l.position
            """, [String(tenant.id), array(subscriberIDs), period.description])
    }

    /// Lines keyed by `owner_id` (an invoice or subscriber id), in row order.
    static func parseLines(_ result: PostgresResult) throws -> [Int64: [InvoiceLine]] {
        let owner = try result.column("owner_id")
        let columns = try LineColumns(result)
        var lines: [Int64: [InvoiceLine]] = [:]
        for row in 0..<result.rowCount {
            lines[result.int64(row: row, column: owner), default: []].append(try columns.read(result, row: row))
        }
        return lines
    }

    static func lines(_ connection: PostgresConnection, tenant: Tenant, invoiceIDs: [Int64]) throws -> [Int64: [InvoiceLine]] {
        let result = try connection.query(
            """
            SELECT l.invoice_id AS owner_id, \(lineColumns) FROM invoice_lines l
            WHERE l.tenant_id = $1 AND l.invoice_id = ANY($2::bigint[]) ORDER BY l.invoice_id, l.position
            """, [String(tenant.id), array(invoiceIDs)])
        return try parseLines(result)
    }

    /// A line's columns, named apart from an invoice's where both are read together (`line_tax`).
    static let lineColumns = """
        l.kind, l.line_key, l.description, l.quantity::text AS quantity, l.unit, l.unit_price::text AS unit_price, l.amount,
        l.tax_rate::text AS tax_rate, l.tax AS line_tax, l.plan_version_id, l.covers_from::text AS covers_from,
        l.covers_until::text AS covers_until, l.usage_bytes, l.corrects_period
        """

    /// The numbers of `lineColumns` in a result, found once per result.
    struct LineColumns {
        let kind, key, description, quantity, unit, unitPrice, amount, taxRate, tax, planVersionID, from, until, usageBytes, correctsPeriod: Int

        init(_ result: PostgresResult) throws {
            (kind, key, description, quantity) = (
                try result.column("kind"), try result.column("line_key"), try result.column("description"),
                try result.column("quantity")
            )
            (unit, unitPrice, amount, taxRate) = (
                try result.column("unit"), try result.column("unit_price"), try result.column("amount"),
                try result.column("tax_rate")
            )
            (tax, planVersionID, from, until) = (
                try result.column("line_tax"), try result.column("plan_version_id"),
                try result.column("covers_from"), try result.column("covers_until")
            )
            (usageBytes, correctsPeriod) = (try result.column("usage_bytes"), try result.column("corrects_period"))
        }

        func read(_ result: PostgresResult, row: Int) throws -> InvoiceLine {
            func text(_ c: Int) -> String? { result.value(row: row, column: c) }
            guard let lineKind = LineKind(rawValue: text(kind) ?? ""), let quantity = text(quantity).flatMap(DecimalText.parse),
                let unitPrice = text(unitPrice).flatMap(DecimalText.parse), let taxRate = text(taxRate).flatMap(DecimalText.parse),
                let from = text(from).flatMap({ CivilDate($0) }), let until = text(until).flatMap({ CivilDate($0) })
            else {
                throw PostgresError(.result, message: "an invoice line does not read back")
            }
            return InvoiceLine(
                kind: lineKind, key: text(key) ?? "", description: text(description) ?? "", quantity: quantity,
                unit: text(unit) ?? "", unitPrice: unitPrice, amount: result.int64(row: row, column: amount), taxRate: taxRate,
                tax: result.int64(row: row, column: tax), planVersionID: text(planVersionID).flatMap { Int64($0) },
                from: from, until: until, usageBytes: text(usageBytes).flatMap { Int64($0) },
                correctsPeriod: text(correctsPeriod))
        }
    }

    /// Upserts the drafts of a chunk, replaces their lines and removes drafts no longer due.
    /// The statements find invoices by (subscriber, period) rather than by returned ids, so
    /// they go to the server in one group without waiting for each other. Adds the chunk's
    /// totals and line count to `result`; `count` adds the row counts once they are back.
    static func writeStatements(
        tenant: Tenant, period: BillingPeriod, invoices: [(subscriber: SubscriberRecord, lines: [InvoiceLine])],
        unbilled: [Int64], result: inout InvoiceRunResult
    ) -> [Statement] {
        var subscriberIDs = ArrayParameter()
        var subtotals = ArrayParameter()
        var taxes = ArrayParameter()
        var columns = [ArrayParameter](repeating: ArrayParameter(), count: 16)
        for invoice in invoices {
            let totals = InvoiceTotals(invoice.lines)
            subscriberIDs.append(invoice.subscriber.id)
            subtotals.append(totals.subtotal)
            taxes.append(totals.tax)
            result.subtotal += totals.subtotal
            result.tax += totals.tax
            for (position, line) in invoice.lines.enumerated() {
                columns[0].append(invoice.subscriber.id)
                columns[1].append(Int64(position + 1))
                columns[2].append(line.kind.rawValue)
                columns[3].append(line.key)
                columns[4].append(line.description)
                columns[5].append(DecimalText.format(line.quantity, maximumFractionDigits: 9))
                columns[6].append(line.unit)
                columns[7].append(DecimalText.format(line.unitPrice, maximumFractionDigits: 18))
                columns[8].append(line.amount)
                columns[9].append(DecimalText.format(line.taxRate, maximumFractionDigits: 18))
                columns[10].append(line.tax)
                columns[11].append(line.planVersionID)
                columns[12].append(line.from.description)
                columns[13].append(line.until.description)
                columns[14].append(line.usageBytes)
                columns[15].append(line.correctsPeriod)
                result.lines += 1
            }
        }
        let tenantID = String(tenant.id)
        return [
            Statement(
                """
                INSERT INTO invoices (tenant_id, subscriber_id, period, period_start, period_end, currency, subtotal, tax, total)
                SELECT $1, s, $2, $3::date, $4::date, $5, st, tx, st + tx FROM unnest($6::bigint[], $7::bigint[], $8::bigint[]) AS u(s, st, tx)
                ON CONFLICT (tenant_id, subscriber_id, period) DO UPDATE
                    SET subtotal = EXCLUDED.subtotal, tax = EXCLUDED.tax, total = EXCLUDED.total, currency = EXCLUDED.currency, rated_at = now()
                    WHERE invoices.status = 'draft'
                """,
                [
                    tenantID, period.description, period.first.description, period.end.description, tenant.currency,
                    subscriberIDs.literal, subtotals.literal, taxes.literal,
                ], tag: .upsertDrafts),
            Statement(
                """
                DELETE FROM invoice_lines l USING invoices i
                WHERE l.tenant_id = $1 AND i.tenant_id = $1 AND l.invoice_id = i.id AND i.period = $2 AND i.status = 'draft'
                  AND i.subscriber_id = ANY($3::bigint[])
                """, [tenantID, period.description, subscriberIDs.literal]),
            Statement(
                """
                INSERT INTO invoice_lines (tenant_id, invoice_id, position, kind, line_key, description, quantity, unit, unit_price, amount,
                                           tax_rate, tax, plan_version_id, covers_from, covers_until, usage_bytes, corrects_period)
                SELECT $1, i.id, u.position, u.kind, u.line_key, u.description, u.quantity, u.unit, u.unit_price, u.amount, u.tax_rate,
                       u.tax, u.plan_version_id, u.covers_from, u.covers_until, u.usage_bytes, u.corrects_period
                FROM unnest($3::bigint[], $4::integer[], $5::text[], $6::text[], $7::text[], $8::numeric[], $9::text[],
                            $10::numeric[], $11::bigint[], $12::numeric[], $13::bigint[], $14::bigint[], $15::date[],
                            $16::date[], $17::bigint[], $18::text[])
                     AS u(subscriber_id, position, kind, line_key, description, quantity, unit, unit_price, amount, tax_rate, tax,
                          plan_version_id, covers_from, covers_until, usage_bytes, corrects_period)
                JOIN invoices i ON i.tenant_id = $1 AND i.subscriber_id = u.subscriber_id AND i.period = $2 AND i.status = 'draft'
                """, [tenantID, period.description] + columns.map(\.literal)),
            Statement(
                """
                DELETE FROM invoices WHERE tenant_id = $1 AND period = $2 AND status = 'draft' AND subscriber_id = ANY($3::bigint[])
                """, [tenantID, period.description, array(unbilled)], tag: .removeDrafts),
        ]
    }

    /// Adds the row counts of a chunk's writes: drafts upserted, drafts removed.
    static func count(_ writes: [Statement], _ results: [PostgresResult], into result: inout InvoiceRunResult) {
        for (statement, written) in zip(writes, results) {
            switch statement.tag {
            case .upsertDrafts?: result.drafts += written.affectedRows
            case .removeDrafts?: result.removed += written.affectedRows
            default: break
            }
        }
    }
}
