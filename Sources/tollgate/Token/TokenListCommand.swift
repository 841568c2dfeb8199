import ArgumentParser
import Storage

/// `tollgate token list`: every token, or one tenant's.
struct TokenListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List API tokens (never the tokens themselves).")
    // Not `TenantOption`: an optional filter.
    @Option(help: "Only this tenant's tokens.") var tenant: String?
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try reportingErrors {
            let (connection, _) = try database.open()
            let scope = try tenant.map { try TenantStore(connection: connection).require(slug: $0) }
            let tokens = try TokenStore(connection: connection).list(tenant: scope)
            print(
                Listing(
                    columns: ["id", "tenant", "role", "name", "created_at", "last_used_at", "revoked_at"],
                    rows: tokens.map {
                        [
                            .text($0.id), .text($0.tenantSlug), .text($0.role.rawValue), .text($0.name), .text($0.createdAt), .text($0.lastUsedAt),
                            .text($0.revokedAt),
                        ]
                    }
                ).render(output.format))
        }
    }
}
