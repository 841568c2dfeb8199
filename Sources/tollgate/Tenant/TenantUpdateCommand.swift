import ArgumentParser
import Storage

/// `tollgate tenant update`.
struct TenantUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change a tenant's name, currency (only before it has plans), time zone, billing day or rounding.")
    @Argument(help: "Tenant slug.") var slug: String
    @Option(help: "Display name.") var name: String?
    @Option(help: "ISO 4217 currency.") var currency: String?
    @Option(help: "IANA time zone.") var timezone: String?
    @Option(help: "Day of the month (1-28) billing cycles start.") var billingDay: Int?
    @Option(help: "half-even, half-up, half-down, ceiling or floor.") var rounding: String?
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try reportingErrors {
            let (connection, _) = try database.open()
            let tenant = try TenantStore(connection: connection).update(
                slug: slug, name: name, currency: currency, timeZone: timezone,
                billingDay: billingDay, roundingMode: rounding)
            print(tenantListing([tenant]).render(output.format))
        }
    }
}
