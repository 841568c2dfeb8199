import ArgumentParser
import Storage

/// `tollgate user add`: a tenant's staff member, or a platform admin.
struct UserAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a console user; the password comes from standard input.",
        discussion:
            "operator: NAS devices and sessions; billing: usage, plans, subscribers, invoices; readonly: sessions and usage; admin (no --tenant): tenants only."
    )
    // Not `TenantOption`: optional, as an admin belongs to no tenant.
    @Option(help: "Tenant slug (not for an admin).") var tenant: String?
    @Option(help: "The email the user signs in with.") var email: String
    @Option(help: "operator, billing, readonly or admin.") var role: String
    @Flag(help: "Read the password from standard input (one trailing newline is ignored).") var passwordStdin = false
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try reportingErrors {
            guard let role = TokenRole(rawValue: role) else {
                throw StoreError(.invalid, "role '\(role)' must be operator, billing, readonly or admin")
            }
            if role == .admin, tenant != nil { throw StoreError(.invalid, "an admin belongs to no tenant: leave --tenant out") }
            if role != .admin, tenant == nil {
                throw StoreError(.invalid, "a user with role \(role.rawValue) belongs to a tenant: give --tenant SLUG")
            }
            let hash = try PasswordInput.hash(passwordStdin)
            let (connection, _) = try database.open()
            let scope = try tenant.map { try TenantStore(connection: connection).require(slug: $0) }
            let user = try ConsoleUserStore(connection: connection).create(tenant: scope, email: email, role: role, passwordHash: hash)
            print(userListing([user]).render(output.format))
        }
    }
}
