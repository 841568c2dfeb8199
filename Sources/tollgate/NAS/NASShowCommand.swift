import ArgumentParser
import Storage

/// `tollgate nas show`.
struct NASShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one NAS of a tenant (secrets are never shown).")
    @OptionGroup var tenant: TenantOption
    @Option(help: "NAS name.") var name: String
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, cipher in
            print(nasListing([try NASStore(connection: connection, cipher: cipher).find(tenant: tenant, name: name)]).render(output.format))
        }
    }
}
