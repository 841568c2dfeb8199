import Accounting
import Rating
import Storage

/// One subscriber: daily (and for a chosen day hourly) usage charts, sessions, the
/// enforcement timeline, invoices, top-ups and, for billing staff, the top-up form.
struct SubscriberPage: Sendable {
    struct Session: Sendable {
        var id: Int64
        var nas: String
        var startedAt: String
        var stoppedAt: String
        var upload: UsageFormat.Bytes
        var download: UsageFormat.Bytes
        var seconds: Int64
        var cause: String
        var closeReason: String
    }

    struct Event: Sendable {
        var at: String
        var kind: String
        var action: String
        var detail: String
        var status: String
    }

    struct Invoice: Sendable {
        var id: Int64
        var period: String
        var status: String
        var total: String
        var currency: String
        var href: String?
    }

    struct TopUp: Sendable {
        var id: Int64
        var period: String
        var bytes: UsageFormat.Bytes
        var note: String
        var createdAt: String
    }

    struct Link: Sendable {
        var label: String
        var href: String
    }

    var user: String
    var path: String
    var plan: String
    var period: String
    var first: String
    var last: String
    var previous: Link
    var next: Link?
    var upload: UsageFormat.Bytes
    var download: UsageFormat.Bytes
    var total: UsageFormat.Bytes
    var allowance: UsageFormat.Bytes
    var used: UsageFormat.Bytes
    var state: String
    var windows: String?
    var dailyChart: String
    var day: String?
    var hourlyChart: String?
    var dayUpload: UsageFormat.Bytes?
    var dayDownload: UsageFormat.Bytes?
    var days: [Link]
    var sessions: [Session]
    var events: [Event]
    var invoices: [Invoice]
    var topUps: [TopUp]
    var canTopUp: Bool
    var csrf: String
    var topUpAction: String
    /// What the top-up form shows again after it was refused: the message and the values.
    var topUp: TopUpForm

    struct TopUpForm: Sendable {
        var message: String?
        var amount: String = ""
        var note: String = ""
    }
}

extension TollgateConsole {
    static func subscriber(
        _ viewer: Viewer, user: String, _ query: PageQuery, _ connection: PostgresConnection,
        topUp: SubscriberPage.TopUpForm = .init()
    ) throws -> PageView {
        let tenant = try viewer.tenant()
        let now = now()
        let store = ConsoleUsageStore(connection: connection)
        // Another tenant's subscriber is simply not found: row-level security hides it.
        guard try store.isKnown(tenant: tenant, user: user) else { throw ConsoleError(.notFound, "There is no subscriber or usage of that name.") }
        let period = try period(try query.text("period", maxLength: 7), tenant: tenant)
        let day = try query.text("day", maxLength: 10).map { text -> CivilDate in
            guard text.count == 10, let day = CivilDate(text) else { throw ConsoleError(.badRequest, "day must be a date as YYYY-MM-DD") }
            return day
        }
        let quota = try QuotaStore(connection: connection).summaries(tenant: tenant, users: [user], period: period, now: now)[user]
        let daily = try store.daily(tenant: tenant, user: user, days: period.first..<period.end)
        let byDay = Dictionary(daily.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var bars: [UsageChart.Bar] = []
        var date = period.first
        while date < period.end {
            let point = byDay[date.description]
            bars.append(UsageChart.Bar(key: date.description, label: String(date.day), upload: point?.upload ?? 0, download: point?.download ?? 0))
            date = date.adding(days: 1)
        }
        let upload = daily.reduce(Int64(0)) { $0 &+ $1.upload }
        let download = daily.reduce(Int64(0)) { $0 &+ $1.download }
        let allowance = quota?.allowanceBytes ?? 0
        let dailyChart = UsageChart(
            id: "daily-chart", title: "Daily usage of \(user), \(period.first) to \(period.end.adding(days: -1))",
            group: "day", bars: bars, cumulative: true, allowance: allowance > 0 ? allowance : nil
        ).svg()
        let windows = quota?.windows ?? []
        var hourlyChart: String?
        var dayUpload: UsageFormat.Bytes?
        var dayDownload: UsageFormat.Bytes?
        if let day {
            let hours = Dictionary(
                try store.hourly(tenant: tenant, user: user, day: day).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            let hourBars = (0..<24).map { hour -> UsageChart.Bar in
                let key = hour < 10 ? "0\(hour)" : "\(hour)"
                let band = windows.first { $0.contains(hour: hour, weekday: day.weekday) }?.label
                return UsageChart.Bar(key: key, label: key, upload: hours[key]?.upload ?? 0, download: hours[key]?.download ?? 0, band: band)
            }
            hourlyChart = UsageChart(id: "hourly-chart", title: "Hourly usage of \(user) on \(day)", group: "hour", bars: hourBars).svg()
            dayUpload = .init(hourBars.reduce(Int64(0)) { $0 &+ $1.upload })
            dayDownload = .init(hourBars.reduce(Int64(0)) { $0 &+ $1.download })
        }
        let path = subscriberPath(user)
        let sessions = try ReportStore(connection: connection).sessionPage(tenant: tenant, user: user, limit: 50).rows.map { row in
            SubscriberPage.Session(
                id: row.id, nas: row.nas, startedAt: row.startedAt ?? "", stoppedAt: row.stoppedAt ?? "",
                upload: .init(row.uploadBytes), download: .init(row.downloadBytes), seconds: row.sessionSeconds,
                cause: UsageFormat.terminateCause(row.terminateCause), closeReason: row.closeReason ?? "")
        }
        let crossings = try store.crossings(tenant: tenant, user: user).map { crossing in
            SubscriberPage.Event(
                at: crossing.crossedAt, kind: "crossing", action: crossing.action,
                detail:
                    "\(crossing.threshold) of \(crossing.periodKey): \(UsageFormat.grouped(crossing.usedBytes)) of \(UsageFormat.grouped(crossing.thresholdBytes)) B",
                status: "")
        }
        let requests = try QuotaStore(connection: connection).enforcementPage(tenant: tenant, user: user, after: nil, limit: 50).rows.map { record in
            SubscriberPage.Event(
                at: String(record.decidedAt.prefix(19)) + "Z", kind: "request", action: record.request.action,
                detail: "\(record.request.reason) to \(record.nasName ?? "?") session \(record.request.acctSessionID)"
                    + (record.request.rate.map { ", rate \($0)" } ?? "") + (record.detail.map { ": \($0)" } ?? ""),
                status: record.status.rawValue)
        }
        let events = (crossings + requests).sorted { $0.at > $1.at }
        let canOpenInvoices = ConsoleSection.invoices.roles.contains(viewer.role)
        let invoices = try InvoiceStore(connection: connection).page(tenant: tenant, user: user, after: nil, limit: 24).rows.map { invoice in
            SubscriberPage.Invoice(
                id: invoice.id, period: invoice.period, status: invoice.status,
                total: Currency(code: invoice.currency)?.format(minorUnits: invoice.total) ?? String(invoice.total),
                currency: invoice.currency,
                href: canOpenInvoices ? "/console/invoices/\(invoice.period)/\(invoice.id)" : nil)
        }
        let topUps = try store.topUps(tenant: tenant, user: user).map { topUp in
            SubscriberPage.TopUp(id: topUp.id, period: topUp.period, bytes: .init(topUp.bytes), note: topUp.note ?? "", createdAt: topUp.createdAt)
        }
        let current = BillingPeriod.containing(try today(tenant, now: now), billingDay: tenant.billingDay)
        let data = SubscriberPage(
            user: user, path: path, plan: quota?.plan ?? "none", period: period.description, first: period.first.description,
            last: period.end.adding(days: -1).description,
            previous: .init(label: period.previous.description, href: path + "?period=" + period.previous.description),
            next: period < current ? .init(label: period.next.description, href: path + "?period=" + period.next.description) : nil,
            upload: .init(upload), download: .init(download), total: .init(upload &+ download), allowance: .init(allowance),
            used: .init(quota?.usedBytes ?? 0), state: quota?.state ?? "normal",
            windows: windows.isEmpty ? nil : windows.map(\.label).joined(separator: "; "),
            dailyChart: dailyChart, day: day?.description, hourlyChart: hourlyChart, dayUpload: dayUpload, dayDownload: dayDownload,
            days: bars.map { .init(label: $0.label, href: path + "?period=\(period)&day=\($0.key)") },
            sessions: sessions, events: events, invoices: invoices, topUps: topUps,
            canTopUp: viewer.role == .billing, csrf: viewer.csrfToken, topUpAction: path + "/top-up", topUp: topUp)
        return PageView(
            title: "Subscriber \(user)", template: "usage-subscriber", data: data, status: topUp.message == nil ? .ok : .unprocessableContent)
    }

    /// Adds a top-up for the current cycle and records it in the audit log, in one transaction;
    /// an amount or note that cannot be taken shows the page again with the message and the
    /// values entered (422).
    static func addTopUp(_ viewer: Viewer, user: String, _ fields: FormFields, _ connection: PostgresConnection) throws -> FormOutcome {
        let tenant = try viewer.tenant()
        let amount = fields["amount"] ?? ""
        let noteText = fields["note"] ?? ""
        func again(_ message: String) throws -> FormOutcome {
            let form = SubscriberPage.TopUpForm(message: message, amount: String(amount.prefix(40)), note: String(noteText.prefix(500)))
            return .page(try subscriber(viewer, user: user, PageQuery(path: subscriberPath(user), values: []), connection, topUp: form))
        }
        guard amount.count <= 40, let bytes = QuotaPolicy.parseAmount(amount), bytes > 0 else {
            return try again("Amount '\(amount.prefix(40))' is not an amount such as \"10 GB\" (units B, MB, GB, TB, MiB, GiB, TiB).")
        }
        let note: String?
        do {
            note = try fields.optional("note", label: "Note", maxLength: 500)
        } catch let error as ConsoleError {
            return try again(error.message)
        }
        do {
            _ = try QuotaStore(connection: connection).addTopUp(
                tenant: tenant, user: user, bytes: bytes, note: note, now: now(),
                audit: viewer.audit("top_up.added", user, "\(bytes) bytes" + (note.map { ": \($0)" } ?? "")))
        } catch let error as StoreError where error.code == .invalid {
            return try again(error.message)
        }
        return .redirect(subscriberPath(user))
    }
}
