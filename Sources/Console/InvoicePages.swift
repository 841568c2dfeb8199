import Accounting
import Foundation
import Hummingbird
import Rating
import Storage

/// The invoice pages (billing): runs per period, a new draft run, a run's invoices,
/// finalizing with a confirmation, an invoice's lines, and a line's drill-down to the hourly
/// buckets, the sessions and the logged packets behind it.
extension TollgateConsole {
    struct RunRow {
        var period: String
        var href: String
        var state: String
        var drafts: Int
        var finals: Int
        var currency: String
        var subtotal: String
        var tax: String
        var total: String
        var lastRatedAt: String
        var finalizedAt: String?
    }

    struct RunsPage {
        var csrf: String
        var runs: [RunRow]
        var period: String
        var error: String?
    }

    struct RunPage {
        var csrf: String
        var run: RunRow
        var lines: Int
        var headers: [SortHeader]
        var invoices: [InvoiceView]
        var finalizeAction: String
        var canFinalize: Bool
        var previous: String?
        var next: String?
        var first: Int
        var last: Int
    }

    struct ConfirmPage {
        var csrf: String
        var run: RunRow
        var lines: Int
        var action: String
        var back: String
    }

    struct InvoicePage {
        var invoice: InvoiceView
        var lines: [LineView]
        var runHref: String
    }

    func registerInvoicePages<Context: RequestContext>(on router: Router<Context>) {
        router.get("console/invoices") { request, _ in
            try await page(request, .invoices) { viewer, connection in
                try Self.runsPage(viewer, connection, period: "", error: nil)
            }
        }
        router.post("console/invoices") { request, _ in
            try await form(request, .invoices, roles: [.billing]) { viewer, fields, connection in
                let entered = fields["period"] ?? ""
                do {
                    let period = try Self.period(try fields.required("period", label: "Period", maxLength: 40))
                    let result = try InvoiceStore(connection: connection).run(
                        tenant: try viewer.tenant(), period: period, finalize: false,
                        audit: viewer.audit("invoice_run.created", period))
                    return .redirect("/console/invoices/\(result.ratedPeriod)")
                } catch {
                    guard let known = ConsoleError.from(error), known.status == .badRequest || known.status == .conflict else { throw error }
                    var view = try Self.runsPage(viewer, connection, period: entered, error: known.message)
                    view.status = .unprocessableContent
                    return .page(view)
                }
            }
        }
        router.get("console/invoices/{period}") { request, context in
            let raw = context.parameters.get("period") ?? ""
            let query = request.uri.query ?? ""
            return try await page(request, .invoices) { viewer, connection in
                try Self.runPage(viewer, connection, period: try Self.pathPeriod(raw), query: try FormFields(query))
            }
        }
        router.post("console/invoices/{period}/finalize") { request, context in
            let raw = context.parameters.get("period") ?? ""
            return try await form(request, .invoices, roles: [.billing]) { viewer, fields, connection in
                let period = try Self.pathPeriod(raw)
                let tenant = try viewer.tenant()
                guard let summary = try InvoiceStore(connection: connection).runSummary(tenant: tenant, period: period) else {
                    throw ConsoleError.notFound
                }
                guard summary.drafts > 0 else {
                    throw ConsoleError(.conflict, "Every invoice of \(period) is already final; corrections go on the next period's drafts.")
                }
                guard fields["confirm"] == "yes" else {
                    let confirm = ConfirmPage(
                        csrf: viewer.csrfToken, run: Self.runRow(summary), lines: summary.lines ?? 0,
                        action: "/console/invoices/\(period)/finalize", back: "/console/invoices/\(period)")
                    return .page(PageView(title: "Finalize \(period)?", template: "billing-confirm-finalize", data: confirm))
                }
                _ = try InvoiceStore(connection: connection).run(
                    tenant: tenant, period: period, finalize: true,
                    audit: viewer.audit("invoice_run.finalized", period))
                return .redirect("/console/invoices/\(period)")
            }
        }
        router.get("console/invoices/{period}/{invoice}") { request, context in
            let (rawPeriod, rawID) = (context.parameters.get("period") ?? "", context.parameters.get("invoice") ?? "")
            return try await page(request, .invoices) { viewer, connection in
                let (_, invoice) = try Self.invoice(viewer, connection, rawPeriod, rawID)
                let view = InvoiceView(invoice)
                return PageView(
                    title: "Invoice \(invoice.id) · \(invoice.subscriber) · \(invoice.period)", template: "billing-invoice",
                    data: InvoicePage(
                        invoice: view,
                        lines: invoice.lines.enumerated().map { LineView($1, position: $0 + 1, currency: invoice.currency, invoiceHref: view.href) },
                        runHref: "/console/invoices/\(invoice.period)"))
            }
        }
        router.get("console/invoices/{period}/{invoice}/lines/{position}") { request, context in
            let raw = (context.parameters.get("period") ?? "", context.parameters.get("invoice") ?? "", context.parameters.get("position") ?? "")
            return try await page(request, .invoices) { viewer, connection in
                let trail = try LineTrail.load(viewer, connection, raw.0, raw.1, raw.2)
                return PageView(title: "Line \(trail.position) of invoice \(trail.invoice.id)", template: "billing-line", data: trail.page())
            }
        }
        router.get("console/invoices/{period}/{invoice}/lines/{position}/hours/{hour}") { request, context in
            let raw = (
                context.parameters.get("period") ?? "", context.parameters.get("invoice") ?? "", context.parameters.get("position") ?? "",
                context.parameters.get("hour") ?? ""
            )
            return try await page(request, .invoices) { viewer, connection in
                let trail = try LineTrail.load(viewer, connection, raw.0, raw.1, raw.2)
                guard let hour = BillingPresentation.hour(raw.3), let bucket = trail.buckets?.first(where: { $0.usage.hour == hour }) else {
                    throw ConsoleError(.notFound, "This line counted no bucket of that hour.")
                }
                let sessions = try UsageTrailStore(connection: connection).sessions(tenant: trail.tenant, user: trail.invoice.subscriber, hour: hour)
                return PageView(
                    title: "Sessions of \(BillingPresentation.hour(hour)) · \(trail.invoice.subscriber)", template: "billing-hour",
                    data: trail.hourPage(bucket, sessions: sessions))
            }
        }
        router.get("console/invoices/{period}/{invoice}/sessions/{session}") { request, context in
            let raw = (context.parameters.get("period") ?? "", context.parameters.get("invoice") ?? "", context.parameters.get("session") ?? "")
            let dictionary = self.dictionary
            return try await page(request, .invoices) { viewer, connection in
                let (tenant, invoice) = try Self.invoice(viewer, connection, raw.0, raw.1)
                guard let id = Int64(raw.2), id > 0 else { throw ConsoleError.notFound }
                let found = try UsageTrailStore(connection: connection).packets(tenant: tenant, sessionID: id)
                // Only the invoice's subscriber's sessions belong to its trail.
                guard found.session.user == invoice.subscriber else { throw ConsoleError(.notFound, "no session \(id) of \(invoice.subscriber)") }
                return PageView(
                    title: "Packets of session \(found.session.sessionID) · \(invoice.subscriber)", template: "billing-packets",
                    data: PacketsPage(invoice: InvoiceView(invoice), session: found.session, logged: found.packets, dictionary: dictionary))
            }
        }
    }

    // MARK: Pages

    static func runsPage(_ viewer: Viewer, _ connection: PostgresConnection, period: String, error: String?) throws -> PageView {
        let tenant = try viewer.tenant()
        let runs = try InvoiceStore(connection: connection).runs(tenant: tenant)
        let suggested = period.isEmpty ? lastCycle(tenant).description : period
        return PageView(
            title: "Invoices", template: "billing-runs",
            data: RunsPage(csrf: viewer.csrfToken, runs: runs.map(runRow), period: suggested, error: error))
    }

    static func runPage(_ viewer: Viewer, _ connection: PostgresConnection, period: String, query: FormFields) throws -> PageView {
        let tenant = try viewer.tenant()
        let store = InvoiceStore(connection: connection)
        guard let summary = try store.runSummary(tenant: tenant, period: period) else {
            throw ConsoleError(.notFound, "There are no invoices for \(period). Create a run for it on the Invoices page.")
        }
        guard let sort = InvoiceSort(rawValue: query["sort"] ?? "user") else {
            throw ConsoleError(.badRequest, "sort must be one of \(InvoiceSort.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let descending = query["dir"] == "desc"
        let limit = try pageLimit(query["limit"])
        guard let page = Int(query["page"] ?? "1"), page >= 1, page <= 1_000_000 else { throw ConsoleError(.badRequest, "page must be 1 or more") }
        let offset = (page - 1) * limit
        let found = try store.periodPage(tenant: tenant, period: period, sort: sort, descending: descending, offset: offset, limit: limit)
        let base = "/console/invoices/\(period)"
        func link(sort: InvoiceSort, descending: Bool, page: Int) -> String {
            "\(base)?sort=\(sort.rawValue)&dir=\(descending ? "desc" : "asc")&limit=\(limit)&page=\(page)"
        }
        let columns: [(InvoiceSort, String, Bool)] = [
            (.id, "Invoice", true), (.user, "Subscriber", false), (.status, "Status", false),
            (.subtotal, "Subtotal", true), (.tax, "Tax", true), (.total, "Total", true),
        ]
        let headers = columns.map { column, label, numeric in
            SortHeader(
                label: label, href: link(sort: column, descending: column == sort ? !descending : false, page: 1),
                ariaSort: column == sort ? (descending ? "descending" : "ascending") : nil, numeric: numeric)
        }
        let data = RunPage(
            csrf: viewer.csrfToken, run: runRow(summary), lines: summary.lines ?? 0, headers: headers,
            invoices: found.invoices.map(InvoiceView.init), finalizeAction: "\(base)/finalize", canFinalize: summary.drafts > 0,
            previous: page > 1 ? link(sort: sort, descending: descending, page: page - 1) : nil,
            next: found.more ? link(sort: sort, descending: descending, page: page + 1) : nil,
            first: found.invoices.isEmpty ? 0 : offset + 1, last: offset + found.invoices.count)
        return PageView(title: "Invoice run \(period)", template: "billing-run", data: data)
    }

    static func runRow(_ run: InvoiceRunSummary) -> RunRow {
        RunRow(
            period: run.period, href: "/console/invoices/\(run.period)", state: run.state, drafts: run.drafts, finals: run.finals,
            currency: run.currency, subtotal: BillingPresentation.money(run.subtotal, run.currency),
            tax: BillingPresentation.money(run.tax, run.currency), total: BillingPresentation.money(run.total, run.currency),
            lastRatedAt: run.lastRatedAt, finalizedAt: run.finalizedAt)
    }

    // MARK: Input

    /// The invoice of a URL: it must be the viewer's tenant's and of the URL's period.
    static func invoice(_ viewer: Viewer, _ connection: PostgresConnection, _ rawPeriod: String, _ rawID: String) throws -> (Tenant, InvoiceRecord) {
        let tenant = try viewer.tenant()
        let period = try pathPeriod(rawPeriod)
        guard let id = Int64(rawID), id > 0 else { throw ConsoleError.notFound }
        let invoice = try InvoiceStore(connection: connection).show(tenant: tenant, id: id)
        guard invoice.period == period else { throw ConsoleError(.notFound, "no invoice \(id) in \(period)") }
        return (tenant, invoice)
    }

    /// A `YYYY-MM` period of a year 1100-8999 (the periods an invoice run takes).
    static func period(_ text: String) throws -> String {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
            bytes.enumerated().allSatisfy({ $0.offset == 4 || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0.element) }),
            let year = Int(text.prefix(4)), (1100...8999).contains(year), let month = Int(text.suffix(2)), (1...12).contains(month)
        else {
            throw ConsoleError(.badRequest, "period: '\(text)' is not YYYY-MM (years 1100-8999)")
        }
        return text
    }

    static func pathPeriod(_ raw: String) throws -> String {
        do { return try period(raw) } catch { throw ConsoleError.notFound }
    }

    /// `?limit=`: 50 unless given, at most 500.
    static func pageLimit(_ text: String?) throws -> Int {
        guard let text else { return 50 }
        guard let limit = Int(text), (1...500).contains(limit) else { throw ConsoleError(.badRequest, "limit must be 1-500") }
        return limit
    }
}
