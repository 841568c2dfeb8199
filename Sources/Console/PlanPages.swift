import Accounting
import Foundation
import Hummingbird
import Rating
import Storage

/// The plan pages (billing): plans, a plan's versions with their terms, new plans and
/// versions from a pasted document, and the preview of a candidate version on a
/// subscriber's real cycle.
extension TollgateConsole {
    struct PlanRow {
        var name: String
        var href: String
        var versions: Int
        var latestFrom: String
        var currency: String
        var fee: String
        var included: String
        var unit: String
        var overage: String
    }

    /// A pasted-document form as entered, with what was wrong with it.
    struct DocumentForm {
        var name: String = ""
        var document: String = ""
        var effectiveFrom: String = ""
        var error: String?
    }

    struct PlansPage {
        var csrf: String
        var plans: [PlanRow]
        var form: DocumentForm
    }

    struct VersionRow {
        var id: Int64
        var effectiveFrom: String
        var currency: String
        var fee: String
        var unit: String
        var included: String
        var directions: String
        var overage: String
        var increment: String
        var cap: String
        var taxRate: String
        var windows: [String]
        var quotas: [String]
        var rate: String?
        var json: String
    }

    struct PlanPage {
        var csrf: String
        var name: String
        var previewHref: String
        var versionsAction: String
        var versions: [VersionRow]
        var form: DocumentForm
    }

    func registerPlanPages<Context: RequestContext>(on router: Router<Context>) {
        router.get("console/plans") { request, _ in
            try await page(request, .plans) { viewer, connection in
                try Self.plansPage(viewer, connection, form: DocumentForm())
            }
        }
        router.post("console/plans") { request, _ in
            try await form(request, .plans, roles: [.billing]) { viewer, fields, connection in
                let entered = DocumentForm(
                    name: fields["name"] ?? "", document: fields.values["document"]?.first ?? "",
                    effectiveFrom: fields["effective_from"] ?? "")
                do {
                    let name = try fields.required("name", label: "Name", maxLength: 100)
                    let document = try PlanDocumentText.parse(try fields.required("document", label: "Document", maxLength: 20_000))
                    if let named = document.name, named != name {
                        throw ConsoleError(
                            .badRequest, "name: the document names plan '\(named)', not '\(name)': leave name out of it or make it '\(name)'")
                    }
                    let from = try Self.date(fields["effective_from"], "effective_from") ?? document.effectiveFrom
                    let tenant = try viewer.tenant()
                    _ = try PlanStore(connection: connection).createPlan(
                        tenant: tenant, name: name, terms: document.terms, effectiveFrom: from,
                        audit: viewer.audit("plan.created", name, from.map { "effective_from \($0)" } ?? ""))
                    return .redirect("/console/plans/\(ConsolePath.segment(name))")
                } catch {
                    guard let known = ConsoleError.from(error), known.status != .forbidden else { throw error }
                    var form = entered
                    form.error = known.message
                    var view = try Self.plansPage(viewer, connection, form: form)
                    view.status = known.status == .conflict ? .conflict : .unprocessableContent
                    return .page(view)
                }
            }
        }
        router.get("console/plans/{name}") { request, context in
            let raw = context.parameters.get("name") ?? ""
            return try await page(request, .plans) { viewer, connection in
                try Self.planPage(viewer, connection, name: try ConsolePath.decode(raw), form: DocumentForm())
            }
        }
        router.post("console/plans/{name}/versions") { request, context in
            let raw = context.parameters.get("name") ?? ""
            return try await form(request, .plans, roles: [.billing]) { viewer, fields, connection in
                let name = try ConsolePath.decode(raw)
                let entered = DocumentForm(
                    name: name, document: fields.values["document"]?.first ?? "", effectiveFrom: fields["effective_from"] ?? "")
                do {
                    let document = try PlanDocumentText.parse(try fields.required("document", label: "Document", maxLength: 20_000))
                    if let named = document.name, named != name {
                        throw ConsoleError(
                            .badRequest, "name: the document names plan '\(named)', not '\(name)': leave name out of it or make it '\(name)'")
                    }
                    guard let from = try Self.date(fields["effective_from"], "effective_from") ?? document.effectiveFrom else {
                        throw ConsoleError(.badRequest, "effective_from: a new version needs the first day its terms apply (YYYY-MM-DD)")
                    }
                    _ = try PlanStore(connection: connection).addVersion(
                        tenant: try viewer.tenant(), plan: name, terms: document.terms, effectiveFrom: from,
                        audit: viewer.audit("plan.version_added", name, "effective_from \(from)"))
                    return .redirect("/console/plans/\(ConsolePath.segment(name))")
                } catch {
                    guard let known = ConsoleError.from(error), known.status != .forbidden, known.status != .notFound else { throw error }
                    var form = entered
                    form.error = known.message
                    var view = try Self.planPage(viewer, connection, name: name, form: form)
                    view.status = known.status == .conflict ? .conflict : .unprocessableContent
                    return .page(view)
                }
            }
        }
        router.get("console/plans/{name}/preview") { request, context in
            let raw = context.parameters.get("name") ?? ""
            let queryText = request.uri.query ?? ""
            return try await page(request, .plans) { viewer, connection in
                let query = try FormFields(queryText)
                let tenant = try viewer.tenant()
                let plan = try PlanStore(connection: connection).plan(tenant: tenant, name: try ConsolePath.decode(raw))
                var form = PreviewForm(
                    csrf: viewer.csrfToken, plan: plan.name, action: Self.planHref(plan.name) + "/preview", planHref: Self.planHref(plan.name),
                    user: query["user"] ?? "", period: query["period"] ?? "", document: "", effectiveFrom: "",
                    versions: Self.versionChoices(plan, selected: query["version"]))
                form.period = form.period.isEmpty ? Self.lastCycle(tenant).description : form.period
                return PageView(title: "Preview a version of \(plan.name)", template: "billing-preview", data: form)
            }
        }
        router.post("console/plans/{name}/preview") { request, context in
            let raw = context.parameters.get("name") ?? ""
            return try await form(request, .plans, roles: [.billing]) { viewer, fields, connection in
                let tenant = try viewer.tenant()
                let plan = try PlanStore(connection: connection).plan(tenant: tenant, name: try ConsolePath.decode(raw))
                var form = PreviewForm(
                    csrf: viewer.csrfToken, plan: plan.name, action: Self.planHref(plan.name) + "/preview", planHref: Self.planHref(plan.name),
                    user: fields["user"] ?? "", period: fields["period"] ?? "",
                    document: fields.values["document"]?.first ?? "", effectiveFrom: fields["effective_from"] ?? "",
                    versions: Self.versionChoices(plan, selected: fields["version"]))
                do {
                    form.result = try Self.preview(tenant: tenant, plan: plan, fields: fields, connection: connection)
                    return .page(PageView(title: "Preview a version of \(plan.name)", template: "billing-preview", data: form))
                } catch {
                    guard let known = ConsoleError.from(error), known.status != .forbidden else { throw error }
                    form.error = known.message
                    return .page(
                        PageView(
                            title: "Preview a version of \(plan.name)", template: "billing-preview", data: form,
                            status: .unprocessableContent))
                }
            }
        }
    }

    // MARK: Pages

    static func plansPage(_ viewer: Viewer, _ connection: PostgresConnection, form: DocumentForm) throws -> PageView {
        let page = try PlanStore(connection: connection).planPage(tenant: try viewer.tenant(), after: nil, limit: 500)
        let rows = page.rows.map { plan -> PlanRow in
            let latest = plan.versions.last?.terms
            return PlanRow(
                name: plan.name, href: planHref(plan.name), versions: plan.versions.count,
                latestFrom: plan.versions.last?.effectiveFrom.description ?? "", currency: latest?.currency ?? "",
                fee: latest.map { BillingPresentation.decimal($0.recurringFee) } ?? "",
                included: latest.map { BillingPresentation.decimal($0.included) } ?? "", unit: latest?.unit.rawValue ?? "",
                overage: latest.map { overageText($0) } ?? "")
        }
        return PageView(title: "Plans", template: "billing-plans", data: PlansPage(csrf: viewer.csrfToken, plans: rows, form: form))
    }

    static func planPage(_ viewer: Viewer, _ connection: PostgresConnection, name: String, form: DocumentForm) throws -> PageView {
        let plan = try PlanStore(connection: connection).plan(tenant: try viewer.tenant(), name: name)
        let versions = plan.versions.reversed().map { version -> VersionRow in
            let terms = version.terms
            return VersionRow(
                id: version.id, effectiveFrom: version.effectiveFrom.description, currency: terms.currency,
                fee: BillingPresentation.decimal(terms.recurringFee), unit: terms.unit.rawValue,
                included: BillingPresentation.decimal(terms.included), directions: directionsText(terms.directions),
                overage: overageText(terms),
                increment: terms.increment.map { "\(BillingPresentation.decimal($0)) \(terms.unit.rawValue)" } ?? "exact bytes",
                cap: terms.usageCap.map { "\(BillingPresentation.decimal($0)) \(terms.currency)" } ?? "none",
                taxRate: BillingPresentation.decimal(terms.taxRate),
                windows: terms.windows.map { "\($0.label): counted × \(BillingPresentation.decimal($0.factor))" },
                quotas: terms.quotas.map(quotaText), rate: terms.rate, json: terms.canonicalJSON)
        }
        return PageView(
            title: "Plan \(plan.name)", template: "billing-plan",
            data: PlanPage(
                csrf: viewer.csrfToken, name: plan.name, previewHref: planHref(plan.name) + "/preview",
                versionsAction: planHref(plan.name) + "/versions",
                versions: versions, form: form))
    }

    // MARK: Preview

    struct VersionChoice {
        var id: Int64
        var label: String
        var selected: Bool
    }

    struct PreviewSide {
        var label: String
        var lines: [LineView]
        var subtotal: String
        var tax: String
        var total: String
        /// The exact total, for comparing.
        var totalValue: String
    }

    struct PreviewResult {
        var user: String
        var period: String
        var periodStart: String
        var periodEnd: String
        var candidateLabel: String
        var effectiveFrom: String
        var currency: String
        var current: PreviewSide
        var candidate: PreviewSide
        var difference: String
        var differenceValue: String
        var candidateApplies: Bool
        var unassigned: String?
        var buckets: Int
    }

    struct PreviewForm {
        var csrf: String
        var plan: String
        var action: String
        var planHref: String
        var user: String
        var period: String
        var document: String
        var effectiveFrom: String
        var versions: [VersionChoice]
        var error: String?
        var result: PreviewResult?
    }

    /// Rates the subscriber's cycle as it is and with the candidate; writes nothing.
    static func preview(tenant: Tenant, plan: PlanRecord, fields: FormFields, connection: PostgresConnection) throws -> PreviewResult {
        let user = try fields.required("user", label: "Subscriber", maxLength: 253)
        let periodText = fields["period"] ?? lastCycle(tenant).description
        guard let period = BillingPeriod(periodText, billingDay: tenant.billingDay), (1100...8999).contains(period.year) else {
            throw ConsoleError(.badRequest, "period: '\(periodText)' is not YYYY-MM of the years 1100-8999")
        }
        guard let calendar = PeriodCalendar(period: period, timeZone: tenant.timeZone),
            let currency = Currency(code: tenant.currency), let rounding = RoundingMode(rawValue: tenant.roundingMode)
        else {
            throw ConsoleError(.badRequest, "tenant '\(tenant.slug)' has an unusable time zone, currency or rounding mode")
        }
        // The candidate: a pasted document, else a stored version of the plan.
        let terms: PlanTerms
        let label: String
        var documentDate: CivilDate?
        if let text = fields.values["document"]?.first, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let document = try PlanDocumentText.parse(try FormFields.checked(text, label: "Document", maxLength: 20_000))
            guard document.terms.currency == tenant.currency else {
                throw ConsoleError(.badRequest, "currency: the document is in \(document.terms.currency) but this tenant bills in \(tenant.currency)")
            }
            terms = document.terms
            documentDate = document.effectiveFrom
            label = "pasted document"
        } else if let idText = fields["version"], let id = Int64(idText), let version = plan.versions.first(where: { $0.id == id }) {
            terms = version.terms
            label = "version \(version.id) (from \(version.effectiveFrom))"
        } else {
            throw ConsoleError(.badRequest, "document: paste a candidate version (TOML or JSON) or choose one of the plan's versions")
        }
        // Default: the candidate prices the whole cycle.
        let effectiveFrom = try date(fields["effective_from"], "effective_from") ?? documentDate ?? period.first
        let inputs = try InvoiceStore(connection: connection).ratingInputs(tenant: tenant, user: user, plan: plan.name, range: calendar.bucketRange)
        let preview = PlanPreview(
            inputs: inputs, plan: plan.name, terms: terms, effectiveFrom: effectiveFrom, calendar: calendar,
            settings: RatingSettings(currency: currency, rounding: rounding))
        func side(_ label: String, _ rating: SubscriberRating) -> PreviewSide {
            let totals = TotalsView(rating.lines, currency: tenant.currency)
            return PreviewSide(
                label: label, lines: rating.lines.enumerated().map { LineView($1, position: $0 + 1, currency: tenant.currency, invoiceHref: nil) },
                subtotal: totals.subtotal, tax: totals.tax, total: totals.total,
                totalValue: BillingPresentation.money(InvoiceTotals(rating.lines).total, tenant.currency))
        }
        let difference = InvoiceTotals(preview.candidate.lines).total - InvoiceTotals(preview.current.lines).total
        let unassigned = preview.current.unassigned
        return PreviewResult(
            user: user, period: period.description, periodStart: period.first.description,
            periodEnd: period.end.adding(days: -1).description, candidateLabel: label,
            effectiveFrom: effectiveFrom.description, currency: tenant.currency,
            current: side("Current plans", preview.current), candidate: side("With the candidate", preview.candidate),
            difference: (difference > 0 ? "+" : "") + BillingPresentation.money(difference, tenant.currency),
            differenceValue: BillingPresentation.money(difference, tenant.currency),
            candidateApplies: preview.candidateApplies,
            unassigned: unassigned.isEmpty
                ? nil
                : BillingPresentation.bytes(
                    unassigned.upload.addingReportingOverflow(unassigned.download).overflow ? Int64.max : unassigned.upload + unassigned.download),
            buckets: inputs.usage.count)
    }

    /// The cycle before the one today falls in (tenant time zone): the last whole cycle.
    static func lastCycle(_ tenant: Tenant) -> BillingPeriod {
        let now = Int64(Date().timeIntervalSince1970)
        let today = LocalTime.date(utc: now, zone: tenant.timeZone) ?? CivilDate(dayNumber: now / 86400)
        return BillingPeriod.containing(today, billingDay: tenant.billingDay).previous
    }

    static func versionChoices(_ plan: PlanRecord, selected: String?) -> [VersionChoice] {
        plan.versions.reversed().map { VersionChoice(id: $0.id, label: "\($0.id) from \($0.effectiveFrom)", selected: selected == String($0.id)) }
    }

    // MARK: Terms as text

    static func planHref(_ name: String) -> String { "/console/plans/" + ConsolePath.segment(name) }

    static func directionsText(_ directions: CountedDirections) -> String {
        switch directions {
        case .both: "upload + download"
        case .upload: "upload only (what the subscriber sent)"
        case .download: "download only (what the subscriber received)"
        }
    }

    static func overageText(_ terms: PlanTerms) -> String {
        let unit = terms.unit.rawValue
        func tiers(_ tiers: [PriceTier]) -> String {
            var lower = Decimal(0)
            return tiers.map { tier in
                defer { lower = tier.upTo ?? lower }
                let range =
                    tier.upTo.map { "\(BillingPresentation.decimal(lower))-\(BillingPresentation.decimal($0)) \(unit)" }
                    ?? "above \(BillingPresentation.decimal(lower)) \(unit)"
                return "\(range) at \(BillingPresentation.decimal(tier.price))"
            }.joined(separator: "; ")
        }
        switch terms.overage {
        case .none: return "not charged"
        case .perUnit(let price): return "\(BillingPresentation.decimal(price)) \(terms.currency) per \(unit)"
        case .graduated(let list): return "graduated: " + tiers(list)
        case .volume(let list): return "volume (all at the reached tier): " + tiers(list)
        }
    }

    static func quotaText(_ policy: QuotaPolicy) -> String {
        var text = "\(policy.period.rawValue) at \(policy.thresholdText): \(policy.action.rawValue)"
        if let rate = policy.rate { text += " to \(rate)" }
        if let fallback = policy.fallback { text += ", else \(fallback.rawValue)" }
        return text
    }

    // MARK: Input

    /// An optional `YYYY-MM-DD` field.
    static func date(_ text: String?, _ label: String) throws -> CivilDate? {
        guard let text else { return nil }
        guard let date = CivilDate(text) else { throw ConsoleError(.badRequest, "\(label): '\(text)' is not a date (YYYY-MM-DD)") }
        return date
    }
}
