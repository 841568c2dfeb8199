import ArgumentParser
import Storage

/// `tollgate token create`: a tenant's token with a role, or a platform admin's.
struct TokenCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an API token and print it once (only its hash is stored).",
        discussion:
            "operator: NAS devices and sessions; billing: usage, plans, subscribers, invoices, sessions; readonly: sessions and usage; --admin: tenants only."
    )
    // Not `TenantOption`: optional, as an admin token belongs to no tenant.
    @Option(help: "Tenant slug (not with --admin).") var tenant: String?
    @Option(help: "operator, billing or readonly.") var role: String?
    @Flag(help: "A platform admin token: manages tenants, sees no tenant's data.") var admin = false
    @Option(help: "What the token is for.") var name = "api"
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try reportingErrors {
            let (connection, _) = try database.open()
            let store = TokenStore(connection: connection)
            let created: (token: APIToken, secret: String)
            if admin {
                guard tenant == nil, role == nil else { throw StoreError(.invalid, "--admin takes neither --tenant nor --role") }
                created = try store.create(tenant: nil, role: .admin, name: name)
            } else {
                guard let slug = tenant, let roleName = role, let role = TokenRole(rawValue: roleName), role != .admin else {
                    throw StoreError(.invalid, "give --tenant and --role operator|billing|readonly, or --admin")
                }
                created = try store.create(tenant: try TenantStore(connection: connection).require(slug: slug), role: role, name: name)
            }
            printError(
                "token \(created.token.id) (\(created.token.role.rawValue)\(created.token.tenantSlug.map { ", tenant \($0)" } ?? "")): shown once, keep it safe"
            )
            print(created.secret)
        }
    }
}
