import Accounting
import ArgumentParser
import Foundation
import Presentation
import Rating
import Server
import Storage
import TOML

/// Reads a plan file: TOML (`.toml`) or JSON (anything else).
func loadPlanDocument(_ path: String) throws -> PlanDocument {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw StoreError(.invalid, "cannot read plan file '\(path)'")
    }
    do {
        if path.hasSuffix(".toml") {
            let table: [String: TOMLValue]
            do {
                table = try TOMLDocument.parse(String(decoding: data, as: UTF8.self))
            } catch {
                throw StoreError(.invalid, "\(path): \(error)")
            }
            return try PlanDocument.parse(table.mapValues(\.foundationValue))
        }
        return try PlanDocument.parse(json: data)
    } catch let error as PlanError {
        throw StoreError(.invalid, "\(path): \(error)")
    }
}


func parseDate(_ text: String, option: String) throws -> CivilDate {
    guard let date = CivilDate(text) else { throw StoreError(.invalid, "\(option) '\(text)' is not a date (YYYY-MM-DD)") }
    return date
}

/// Today in the tenant's time zone.
func today(in tenant: Tenant) -> CivilDate {
    LocalTime.date(utc: Int64(Date().timeIntervalSince1970), zone: tenant.timeZone) ?? CivilDate(dayNumber: Int64(Date().timeIntervalSince1970) / 86400)
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Manage a tenant's plans and their price versions.",
                                                    subcommands: [Create.self, List.self, Show.self, Version.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a plan from a TOML or JSON file (see Config/plans/).")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Plan file (.toml or .json).") var file: String
        @Option(help: "Plan name (default: the file's name key).") var name: String?
        @Option(help: "First day the prices apply (default: the file's effective_from, else always).") var from: String?
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, _ in
                let document = try loadPlanDocument(file)
                guard let planName = name ?? document.name else { throw StoreError(.invalid, "the plan needs a name: --name or name in the file") }
                let effective = try from.map { try parseDate($0, option: "--from") } ?? document.effectiveFrom
                let plan = try PlanStore(connection: connection).createPlan(tenant: tenant, name: planName, terms: document.terms, effectiveFrom: effective,
                                                                            audit: AuditRecord(actor: "cli", action: "plan.created", object: planName,
                                                                                               detail: effective.map { "effective_from \($0)" } ?? ""))
                print(planListing([plan]).render(format))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List plans with their current version.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, _ in
                print(planListing(try PlanStore(connection: connection).plans(tenant: tenant)).render(format))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every version of a plan with its terms.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Plan name.") var name: String
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, _ in
                let plan = try PlanStore(connection: connection).plan(tenant: tenant, name: name)
                let listing = Listing(columns: ["plan", "version", "effective_from", "terms"], rows: plan.versions.map {
                    [.text(plan.name), .number($0.id), .text($0.effectiveFrom.description), .text($0.terms.canonicalJSON)]
                })
                print(listing.render(format))
            }
        }
    }

    struct Version: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Plan versions.", subcommands: [Add.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Give a plan new terms from a date.",
                discussion: "A version from the same date as an earlier one replaces it: that is how a plan is corrected. Periods already final get adjustment lines on the next invoice.")
            @Option(help: "Tenant slug.") var tenant: String
            @Option(help: "Plan name.") var name: String
            @Option(help: "Plan file (.toml or .json) with the new terms.") var file: String
            @Option(help: "First day the new terms apply (default: the file's effective_from).") var from: String?
            @Option(help: "Output format.") var format: OutputFormat = .table
            @OptionGroup var database: DatabaseOptions

            func run() throws {
                try database.withTenant(self.tenant) { connection, tenant, _ in
                    let document = try loadPlanDocument(file)
                    guard let effective = try from.map({ try parseDate($0, option: "--from") }) ?? document.effectiveFrom else {
                        throw StoreError(.invalid, "the version needs a date: --from or effective_from in the file")
                    }
                    let plan = try PlanStore(connection: connection).addVersion(tenant: tenant, plan: name, terms: document.terms, effectiveFrom: effective,
                                                                                audit: AuditRecord(actor: "cli", action: "plan.version_added", object: name,
                                                                                                   detail: "effective_from \(effective)"))
                    print(planListing([plan]).render(format))
                }
            }
        }
    }
}

func planListing(_ plans: [PlanRecord]) -> Listing {
    Listing(columns: ["name", "versions", "latest_from", "currency", "recurring_fee", "included", "unit", "overage"], rows: plans.map { plan in
        let latest = plan.versions.last
        let overage: String
        switch latest?.terms.overage {
        case .perUnit?: overage = "per_unit"
        case .graduated?: overage = "graduated"
        case .volume?: overage = "volume"
        default: overage = "none"
        }
        return [.text(plan.name), .number(Int64(plan.versions.count)), .text(latest?.effectiveFrom.description), .text(latest?.terms.currency),
                .text(latest.map { DecimalText.format($0.terms.recurringFee) }), .text(latest.map { DecimalText.format($0.terms.included) }),
                .text(latest?.terms.unit.rawValue), .text(overage)]
    })
}

struct SubscriberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "subscriber", abstract: "Put User-Names on plans.",
                                                    subcommands: [Add.self, ChangePlan.self, End.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a User-Name on a plan from a date.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "The User-Name the NAS reports.") var user: String
        @Option(help: "Plan name.") var plan: String
        @Option(help: "First day on the plan (default: today in the tenant's time zone).") var from: String?
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, _ in
                let start = try from.map { try parseDate($0, option: "--from") } ?? today(in: tenant)
                print(subscriberListing([try PlanStore(connection: connection).addSubscriber(tenant: tenant, user: user, plan: plan, from: start)]).render(format))
            }
        }
    }

    struct ChangePlan: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "change-plan", abstract: "Move a subscriber to another plan from a date.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "The User-Name.") var user: String
        @Option(help: "The new plan.") var plan: String
        @Option(help: "First day on the new plan (default: today).") var on: String?
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, _ in
                let day = try on.map { try parseDate($0, option: "--on") } ?? today(in: tenant)
                print(subscriberListing([try PlanStore(connection: connection).changePlan(tenant: tenant, user: user, plan: plan, on: day)]).render(format))
            }
        }
    }

    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a subscriber's plan.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "The User-Name.") var user: String
        @Option(help: "First day no longer on the plan (default: today).") var on: String?
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, _ in
                let day = try on.map { try parseDate($0, option: "--on") } ?? today(in: tenant)
                print(subscriberListing([try PlanStore(connection: connection).endSubscription(tenant: tenant, user: user, on: day)]).render(format))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List subscribers and their plan assignments.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Only this User-Name.") var user: String?
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, _ in
                print(subscriberListing(try PlanStore(connection: connection).subscribers(tenant: tenant, user: user)).render(format))
            }
        }
    }
}

/// One row per plan assignment (a subscriber without any has one row with no plan).
func subscriberListing(_ subscribers: [SubscriberRecord]) -> Listing {
    Listing(columns: ["user", "plan", "from", "until"], rows: subscribers.flatMap { subscriber -> [[Listing.Cell]] in
        if subscriber.assignments.isEmpty { return [[.text(subscriber.userName), .text(nil), .text(nil), .text(nil)]] }
        return subscriber.assignments.map { [.text(subscriber.userName), .text($0.planName), .text($0.startsOn.description), .text($0.endsOn?.description)] }
    })
}

struct InvoiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "invoice", abstract: "Rate usage into invoices.",
                                                    subcommands: [Run.self, List.self, Show.self, Export.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or re-rate the draft invoices of a billing period.",
            discussion: """
                Drafts are re-rated from the current usage and plans; the same inputs give identical lines. \
                Final invoices never change: a subscriber whose invoice for the period is final gets the corrections \
                (adjustment lines) on the next period's draft. Usage of User-Names on no plan is listed as unassigned.
                """)
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Billing period YYYY-MM: from the tenant's billing day of that month.") var period: String
        @Flag(help: "Make the period's drafts final after rating them.") var finalize = false
        @Option(help: "Final periods this many cycles back are re-rated for corrections.") var lookback = 3
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, _ in
                let audit = AuditRecord(actor: "cli", action: finalize ? "invoice_run.finalized" : "invoice_run.created", object: period)
                let result = try InvoiceStore(connection: connection).run(tenant: tenant, period: period, finalize: finalize, lookback: lookback, audit: audit)
                let currency = Currency(code: tenant.currency)!
                let summary = Listing(columns: ["period", "rated_period", "drafts", "finalized", "removed", "lines", "adjustment_lines", "subtotal", "tax", "total", "currency", "unassigned_users"],
                                      rows: [[.text(result.period), .text(result.ratedPeriod), .number(Int64(result.drafts)), .number(Int64(result.finalized)), .number(Int64(result.removed)),
                                              .number(Int64(result.lines)), .number(Int64(result.adjustmentLines)), .text(currency.format(minorUnits: result.subtotal)),
                                              .text(currency.format(minorUnits: result.tax)), .text(currency.format(minorUnits: result.subtotal + result.tax)),
                                              .text(tenant.currency), .number(Int64(result.unassigned.count))]])
                print(summary.render(format))
                if !result.unassigned.isEmpty, format == .table {
                    print("\nusage on no plan (never dropped; add the User-Names as subscribers to bill it):")
                    print(Listing(columns: ["user", "subscriber", "upload_bytes", "download_bytes"], rows: result.unassigned.map {
                        [.text($0.userName), .text($0.isSubscriber ? "yes" : "no"), .number($0.uploadBytes), .number($0.downloadBytes)]
                    }).render(.table))
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List invoices.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Only this period (YYYY-MM).") var period: String?
        @Option(help: "Only draft or final.") var status: String?
        @Option(help: "Only this User-Name.") var user: String?
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, _ in
                let invoices = try InvoiceStore(connection: connection).list(tenant: tenant, period: period, status: status, user: user)
                print(render(invoices.map { InvoicePresentation($0) }, format))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an invoice with its lines.")
        @Option(help: "Tenant slug.") var tenant: String
        @Argument(help: "Invoice id.") var id: Int64
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, _ in
                let invoice = try InvoiceStore(connection: connection).show(tenant: tenant, id: id)
                if format == .table {
                    print(render([InvoicePresentation(invoice)], .table))
                    print("")
                }
                print(render(InvoiceLinePresentation.lines(of: invoice), format))
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export every line of a period's invoices (CSV or JSON).")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Billing period YYYY-MM.") var period: String
        @Option(help: "csv or json.") var format: OutputFormat = .csv
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, _ in
                let invoices = try InvoiceStore(connection: connection).export(tenant: tenant, period: period)
                print(render(InvoiceLinePresentation.lines(of: invoices), format))
            }
        }
    }
}
