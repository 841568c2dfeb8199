import ArgumentParser
import Storage

/// `tollgate tenant create`.
struct TenantCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a tenant.")
    @Argument(help: "Short name: a-z, 0-9, '-' and '_'.") var slug: String
    @Option(help: "Display name.") var name: String
    @Option(help: "ISO 4217 currency.") var currency = "EUR"
    @Option(help: "IANA time zone billing periods are cut in.") var timezone = "UTC"
    @Option(help: "Day of the month (1-28) billing cycles start.") var billingDay = 1
    @Option(help: "How invoice lines round to the currency's minor unit: half-even, half-up, half-down, ceiling, floor.") var rounding = "half-even"
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try reportingErrors {
            let (connection, _) = try database.open()
            let tenant = try TenantStore(connection: connection).create(
                slug: slug, name: name, currency: currency,
                timeZone: timezone, billingDay: billingDay, roundingMode: rounding)
            print(tenantListing([tenant]).render(output.format))
        }
    }
}
