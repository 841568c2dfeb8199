import ArgumentParser
import Server
import Storage

/// Options every database command takes.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "libpq URL of the database. Default: TOLLGATE_DATABASE_URL, the configuration file, else the embedded database of the data folder.")
    var databaseURL: String?

    @OptionGroup var configurationFile: ConfigurationFileOption

    func configuration() throws -> TollgateConfiguration {
        var configuration = try configurationFile.load()
        if let databaseURL { configuration.databaseURL = databaseURL }
        return configuration
    }

    /// A connection and the secret cipher (`needsKey` when NAS secrets are read or written).
    func open(needsKey: Bool = false) throws -> (PostgresConnection, SecretCipher) {
        let access = try DatabaseAccess.forCommand(try configuration(), needsKey: needsKey)
        return (try PostgresConnection(url: access.url), access.cipher)
    }
}

extension DatabaseOptions {
    /// Opens the database, finds the tenant by slug and runs `body`, reporting expected failures
    /// like `reportingErrors` (exit 2 for an unknown tenant).
    func withTenant(_ slug: String, needsKey: Bool = false, _ body: (PostgresConnection, Tenant, SecretCipher) throws -> Void) throws {
        try reportingErrors {
            let (connection, cipher) = try open(needsKey: needsKey)
            try body(connection, try TenantStore(connection: connection).require(slug: slug), cipher)
        }
    }
}
