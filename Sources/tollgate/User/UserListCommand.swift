import ArgumentParser
import Storage

/// `tollgate user list`: every console user, or one tenant's.
struct UserListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List console users (never their passwords).")
    // Not `TenantOption`: an optional filter.
    @Option(help: "Only this tenant's users.") var tenant: String?
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try reportingErrors {
            let (connection, _) = try database.open()
            let scope = try tenant.map { try TenantStore(connection: connection).require(slug: $0) }
            print(userListing(try ConsoleUserStore(connection: connection).list(tenant: scope)).render(output.format))
        }
    }
}
