import ArgumentParser
import Storage

/// `tollgate webhook deliveries`: one page of an endpoint's deliveries; the next page's `--before` on standard error.
struct WebhookDeliveriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deliveries", abstract: "An endpoint's deliveries, newest first.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "Endpoint id.") var id: Int64
    @Option(help: "Only pending, delivered or failed ones.") var status: String?
    @Option(help: "Most deliveries shown.") var limit = 100
    @Option(help: "Show those older than this delivery id (the next page).") var before: Int64?
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, cipher in
            let page = try WebhookStore(connection: connection, cipher: cipher).deliveries(
                tenant: tenant, endpointID: id, status: status, after: before.map { [String($0)] }, limit: limit)
            print(
                Listing(
                    columns: [
                        "id", "event", "status", "attempts", "created_at", "next_attempt_at", "delivered_at", "last_status_code",
                        "last_error", "idempotency_key",
                    ],
                    rows: page.rows.map {
                        [
                            .number($0.id), .text($0.event), .text($0.status), .number(Int64($0.attempts)), .text($0.createdAt),
                            .text($0.nextAttemptAt),
                            .text($0.deliveredAt), .number($0.lastStatusCode.map(Int64.init)), .text($0.lastError), .text($0.idempotencyKey),
                        ]
                    }
                ).render(output.format))
            if let next = page.next?.first, output.format == .table { printError("more: --before \(next)") }
        }
    }
}
