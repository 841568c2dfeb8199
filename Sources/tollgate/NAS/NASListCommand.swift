import ArgumentParser
import Storage

/// `tollgate nas list`.
struct NASListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a tenant's NAS devices (secrets are never shown).")
    @OptionGroup var tenant: TenantOption
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, cipher in
            print(nasListing(try NASStore(connection: connection, cipher: cipher).list(tenant: tenant)).render(output.format))
        }
    }
}
