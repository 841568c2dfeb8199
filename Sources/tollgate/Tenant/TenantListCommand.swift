import ArgumentParser
import Storage

/// `tollgate tenant list`.
struct TenantListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tenants.")
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try reportingErrors {
            let (connection, _) = try database.open()
            print(tenantListing(try TenantStore(connection: connection).list()).render(output.format))
        }
    }
}
