import ArgumentParser
import Foundation
import Storage

/// Webhook endpoints of a tenant and their deliveries.
struct WebhookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Manage a tenant's webhook endpoints and see their deliveries.",
        discussion: """
            Events: \(WebhookEvent.allCases.map(\.rawValue).joined(separator: ", ")). Each delivery is a JSON POST signed with the \
            endpoint's secret: Tollgate-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">. The secret is shown once, \
            by add and rotate-secret.
            """,
        subcommands: [Add.self, List.self, Show.self, Update.self, Remove.self, RotateSecret.self, Deliveries.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an endpoint and print its signing secret (shown this once).")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "http:// or https:// URL the events are posted to.") var url: String
        @Option(name: .customLong("event"), help: "An event to send (repeat for several).") var events: [String]
        @Option(help: "What the endpoint is for.") var description = ""
        @Flag(help: "Add it disabled: no deliveries until enabled.") var disabled = false
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant, needsKey: true) { connection, tenant, cipher in
                let endpoint = try WebhookStore(connection: connection, cipher: cipher).create(
                    tenant: tenant, url: url, events: events, description: description, enabled: !disabled)
                printError("endpoint \(endpoint.id): its signing secret is shown once, keep it safe")
                print(webhookListing([endpoint], withSecret: true).render(format))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's endpoints (secrets are never shown).")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, cipher in
                let store = WebhookStore(connection: connection, cipher: cipher)
                var endpoints: [WebhookEndpoint] = []
                var after: [String]?
                repeat {
                    let page = try store.page(tenant: tenant, after: after, limit: PageLimit.standard)
                    endpoints += page.rows
                    after = page.next
                } while after != nil
                print(webhookListing(endpoints, withSecret: false).render(format))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one endpoint.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Endpoint id.") var id: Int64
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, cipher in
                print(webhookListing([try WebhookStore(connection: connection, cipher: cipher).find(tenant: tenant, id: id)], withSecret: false)
                    .render(format))
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an endpoint's URL, events or description, or enable or disable it.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Endpoint id.") var id: Int64
        @Option(help: "New URL.") var url: String?
        @Option(name: .customLong("event"), help: "The events to send from now on (repeat for several; replaces the list).") var events: [String] = []
        @Option(help: "New description.") var description: String?
        @Flag(help: "Enable it: pending deliveries resume.") var enable = false
        @Flag(help: "Disable it: no new deliveries; pending ones wait.") var disable = false
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, cipher in
                guard !(enable && disable) else { throw StoreError(.invalid, "give --enable or --disable, not both") }
                let endpoint = try WebhookStore(connection: connection, cipher: cipher).update(
                    tenant: tenant, id: id, url: url, events: events.isEmpty ? nil : events, description: description,
                    enabled: enable ? true : disable ? false : nil)
                print(webhookListing([endpoint], withSecret: false).render(format))
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an endpoint with its deliveries (pending ones are not sent).")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Endpoint id.") var id: Int64
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, cipher in
                try WebhookStore(connection: connection, cipher: cipher).remove(tenant: tenant, id: id)
                print("removed webhook endpoint \(id) of tenant '\(tenant.slug)'")
            }
        }
    }

    struct RotateSecret: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rotate-secret",
                                                        abstract: "Replace an endpoint's signing secret and print the new one (shown this once).")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Endpoint id.") var id: Int64
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant, needsKey: true) { connection, tenant, cipher in
                let endpoint = try WebhookStore(connection: connection, cipher: cipher).rotateSecret(tenant: tenant, id: id)
                printError("endpoint \(endpoint.id): its new signing secret is shown once, keep it safe")
                print(webhookListing([endpoint], withSecret: true).render(format))
            }
        }
    }

    struct Deliveries: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An endpoint's deliveries, newest first.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Endpoint id.") var id: Int64
        @Option(help: "Only pending, delivered or failed ones.") var status: String?
        @Option(help: "Most deliveries shown.") var limit = 100
        @Option(help: "Show those older than this delivery id (the next page).") var before: Int64?
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, cipher in
                let page = try WebhookStore(connection: connection, cipher: cipher).deliveries(
                    tenant: tenant, endpointID: id, status: status, after: before.map { [String($0)] }, limit: limit)
                print(Listing(columns: ["id", "event", "status", "attempts", "created_at", "next_attempt_at", "delivered_at", "last_status_code",
                                        "last_error", "idempotency_key"], rows: page.rows.map {
                    [.number($0.id), .text($0.event), .text($0.status), .number(Int64($0.attempts)), .text($0.createdAt), .text($0.nextAttemptAt),
                     .text($0.deliveredAt), .number($0.lastStatusCode.map(Int64.init)), .text($0.lastError), .text($0.idempotencyKey)]
                }).render(format))
                if let next = page.next?.first, format == .table { printError("more: --before \(next)") }
            }
        }
    }
}

func webhookListing(_ endpoints: [WebhookEndpoint], withSecret: Bool) -> Listing {
    Listing(columns: ["id", "url", "events", "enabled", "description", "created_at"] + (withSecret ? ["secret"] : []), rows: endpoints.map {
        [.number($0.id), .text($0.url), .text($0.events.joined(separator: ",")), .flag($0.enabled), .text($0.description), .text($0.createdAt)]
            + (withSecret ? [.text($0.secret)] : [])
    })
}
