import Accounting
import Foundation
import RADIUS
import Rating
import Storage

/// An invoice line and the hourly buckets it rests on, found as the rating engine found
/// them: the line's plan version, its local days, its window (time-of-day lines) and the
/// directions the version counts.
struct LineTrail {
    var tenant: Tenant
    var invoice: InvoiceRecord
    var position: Int
    var line: InvoiceLine
    var version: PlanVersionRecord?
    /// Nil for a line that rests on no usage (fee, cap, adjustment).
    var buckets: [CountedBucket]?

    var invoiceHref: String { InvoiceView(invoice).href }
    var lineHref: String { "\(invoiceHref)/lines/\(position)" }

    static func load(_ viewer: Viewer, _ connection: PostgresConnection, _ rawPeriod: String, _ rawID: String, _ rawPosition: String) throws
        -> LineTrail
    {
        let (tenant, invoice) = try TollgateConsole.invoice(viewer, connection, rawPeriod, rawID)
        guard let position = Int(rawPosition), position >= 1, position <= invoice.lines.count else {
            throw ConsoleError(.notFound, "invoice \(invoice.id) has no line \(rawPosition)")
        }
        let line = invoice.lines[position - 1]
        var trail = LineTrail(tenant: tenant, invoice: invoice, position: position, line: line, version: nil, buckets: nil)
        guard [LineKind.includedUsage, .overage, .timeOfDay].contains(line.kind), let versionID = line.planVersionID else { return trail }
        let version = try PlanStore(connection: connection).version(tenant: tenant, id: versionID)
        // The period as it was rated: its first day is the invoice's (the billing day then).
        let billingDay = CivilDate(invoice.periodStart)?.day ?? tenant.billingDay
        guard let period = BillingPeriod(invoice.period, billingDay: billingDay),
            let calendar = PeriodCalendar(period: period, timeZone: tenant.timeZone),
            let currency = Currency(code: tenant.currency), let rounding = RoundingMode(rawValue: tenant.roundingMode)
        else {
            throw ConsoleError(.badRequest, "tenant '\(tenant.slug)' has an unusable time zone, currency or rounding mode")
        }
        let engine = RatingEngine(calendar: calendar, settings: RatingSettings(currency: currency, rounding: rounding))
        let usage = try UsageTrailStore(connection: connection).buckets(
            tenant: tenant, user: invoice.subscriber,
            range: calendar.bucketRange(from: line.from, until: line.until))
        trail.version = version
        trail.buckets = engine.buckets(of: line, version: version.rated, usage: usage)
        return trail
    }

    // MARK: The line page

    struct BucketRow {
        var hour: String
        var href: String
        var day: String
        var window: String
        var factor: String
        var upload: String
        var uploadValue: Int64
        var download: String
        var downloadValue: Int64
        var counted: String
        var countedValue: Int64
        var countedHuman: String
    }

    struct LinePage {
        var invoiceHref: String
        var line: LineView
        var restsOnUsage: Bool
        var explanation: String
        var versionID: String
        var directions: String
        var rows: [BucketRow]
        var countedSum: String
        var countedSumValue: Int64
        var weightedSum: String
        var lineBytes: String
        var lineBytesValue: String
        var consistent: Bool
        var ratedAt: String
        var timeZone: String
    }

    func page() -> LinePage {
        let view = LineView(line, position: position, currency: invoice.currency, invoiceHref: invoiceHref)
        let buckets = self.buckets ?? []
        let terms = version?.terms
        let rows = buckets.map { bucket in
            BucketRow(
                hour: BillingPresentation.hour(bucket.usage.hour), href: "\(lineHref)/hours/\(BillingPresentation.hour(bucket.usage.hour))",
                day: bucket.day.description, window: windowName(bucket.windowClass),
                factor: BillingPresentation.decimal(bucket.factor), upload: BillingPresentation.bytes(bucket.usage.upload),
                uploadValue: bucket.usage.upload, download: BillingPresentation.bytes(bucket.usage.download),
                downloadValue: bucket.usage.download, counted: BillingPresentation.bytes(bucket.counted), countedValue: bucket.counted,
                countedHuman: BillingPresentation.humanBytes(bucket.counted))
        }
        let counted = buckets.reduce(Int64(0)) { $0 &+ $1.counted }
        let weighted = buckets.reduce(Decimal(0)) { $0 + Decimal($1.counted) * $1.factor }
        let unit = terms?.unit ?? .GB
        return LinePage(
            invoiceHref: invoiceHref, line: view, restsOnUsage: self.buckets != nil, explanation: explanation(),
            versionID: version.map { String($0.id) } ?? "", directions: terms.map { TollgateConsole.directionsText($0.directions) } ?? "",
            rows: rows, countedSum: BillingPresentation.bytes(counted), countedSumValue: counted,
            weightedSum: "\(BillingPresentation.decimal(weighted / Decimal(unit.bytes))) \(unit.rawValue)",
            lineBytes: line.usageBytes.map(BillingPresentation.bytes) ?? "", lineBytesValue: line.usageBytes.map(String.init) ?? "",
            consistent: line.usageBytes == counted, ratedAt: invoice.ratedAt, timeZone: tenant.timeZone)
    }

    func windowName(_ windowClass: Int) -> String {
        guard windowClass > 0, let terms = version?.terms, windowClass <= terms.windows.count else { return "outside windows" }
        return terms.windows[windowClass - 1].label
    }

    /// How the line counts its buckets, in words.
    func explanation() -> String {
        let days = "local days \(line.from) to \(line.until.adding(days: -1)) (\(tenant.timeZone))"
        switch line.kind {
        case .timeOfDay:
            return
                "This line shows the usage of one time-of-day window: the buckets of \(days) whose hour starts in the window. A bucket belongs to the local day and hour its start falls in and to the first window containing that hour."
        case .includedUsage, .overage:
            return
                "This line rests on every bucket of \(days) on this plan version. Each bucket's counted bytes are weighted by its window's factor (1 outside windows); the weighted sum in the plan's unit is the usage the allowance takes first, the rest being overage."
        case .recurringFee:
            return "A recurring fee, prorated by day: it rests on no usage."
        case .cap:
            return "A reduction of the usage charges to the plan's cap: it rests on no usage of its own."
        case .adjustment:
            return "A correction of the final period \(line.correctsPeriod ?? ""): open that period's invoice for the usage it corrects."
        }
    }

    // MARK: The hour page

    struct SessionRowView {
        var id: Int64
        var href: String
        var nas: String
        var sessionID: String
        var nasPort: String
        var generation: Int
        var startedAt: String
        var lastEventAt: String
        var stoppedAt: String
        var terminateCause: String
        var upload: String
        var uploadValue: Int64
        var download: String
        var downloadValue: Int64
    }

    struct HourPage {
        var lineHref: String
        var hour: String
        var day: String
        var window: String
        var upload: String
        var uploadValue: Int64
        var download: String
        var downloadValue: Int64
        var counted: String
        var countedValue: Int64
        var sessions: [SessionRowView]
    }

    func hourPage(_ bucket: CountedBucket, sessions: [TrailSession]) -> HourPage {
        HourPage(
            lineHref: lineHref, hour: BillingPresentation.hour(bucket.usage.hour), day: bucket.day.description,
            window: windowName(bucket.windowClass), upload: BillingPresentation.bytes(bucket.usage.upload), uploadValue: bucket.usage.upload,
            download: BillingPresentation.bytes(bucket.usage.download), downloadValue: bucket.usage.download,
            counted: BillingPresentation.bytes(bucket.counted), countedValue: bucket.counted,
            sessions: sessions.map { session in
                SessionRowView(
                    id: session.id, href: "\(invoiceHref)/sessions/\(session.id)", nas: session.nas, sessionID: session.sessionID,
                    nasPort: session.nasPort, generation: session.generation, startedAt: session.startedAt ?? "",
                    lastEventAt: session.lastEventAt ?? "", stoppedAt: session.stoppedAt ?? "open",
                    terminateCause: session.terminateCause.map(String.init) ?? "",
                    upload: BillingPresentation.bytes(session.uploadBytes), uploadValue: session.uploadBytes,
                    download: BillingPresentation.bytes(session.downloadBytes), downloadValue: session.downloadBytes)
            })
    }
}

/// A session's packets from the log, decoded.
struct PacketsPage {
    var invoiceHref: String
    var sessionID: String
    var nas: String
    var nasPort: String
    var generation: Int
    var startedAt: String
    var stoppedAt: String
    var upload: String
    var uploadValue: Int64
    var download: String
    var downloadValue: Int64
    var packets: [PacketView]
    /// Logged bytes that do not decode as a RADIUS packet (nil: none).
    var undecodable: Int?
    var truncated: Bool

    init(invoice: InvoiceView, session: TrailSession, logged: [TrailPacket], dictionary: RADIUSDictionary) {
        invoiceHref = invoice.href
        sessionID = session.sessionID
        nas = session.nas
        nasPort = session.nasPort
        generation = session.generation
        startedAt = session.startedAt ?? ""
        stoppedAt = session.stoppedAt ?? "open"
        upload = BillingPresentation.bytes(session.uploadBytes)
        uploadValue = session.uploadBytes
        download = BillingPresentation.bytes(session.downloadBytes)
        downloadValue = session.downloadBytes
        var packets: [PacketView] = []
        var undecodable = 0
        for packet in logged {
            guard var view = PacketView(packet, index: 0, nas: session.nas, dictionary: dictionary) else {
                undecodable += 1
                continue
            }
            // The same NAS, Acct-Session-Id and User-Name on another port is another session.
            guard view.nasPort == session.nasPort else { continue }
            view.index = packets.count + 1
            packets.append(view)
        }
        self.packets = packets
        self.undecodable = undecodable == 0 ? nil : undecodable
        truncated = logged.count >= 500
    }
}
