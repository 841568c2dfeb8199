import ArgumentParser
import Storage

/// `tollgate sessions`: a tenant's accounting sessions.
struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sessions", abstract: "List a tenant's accounting sessions, newest first.")
    @OptionGroup var tenant: TenantOption
    @Flag(help: "Only sessions still open.") var active = false
    @Option(help: "Only this User-Name.") var user: String?
    @Option(help: "At most this many sessions.") var limit = 1000
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, _ in
            let rows = try ReportStore(connection: connection).sessions(tenant: tenant, activeOnly: active, user: user, limit: limit)
            let listing = Listing(
                columns: [
                    "user", "session_id", "generation", "nas", "nas_port", "started_at", "last_update_at", "stopped_at", "close_reason",
                    "upload_bytes", "download_bytes", "session_seconds", "framed_ip_address",
                ],
                rows: rows.map { r in
                    [
                        .text(r.user), .text(r.sessionID), .number(Int64(r.generation)), .text(r.nas), .text(r.nasPort), .text(r.startedAt),
                        .text(r.lastUpdateAt),
                        .text(r.stoppedAt), .text(r.closeReason), .number(r.uploadBytes), .number(r.downloadBytes),
                        .number(r.sessionSeconds), .text(r.framedIPAddress),
                    ]
                })
            print(listing.render(output.format))
        }
    }
}
