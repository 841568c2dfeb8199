import ArgumentParser
import Storage

/// `tollgate migrate`: brings the schema to the latest version.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply database schema migrations.")
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try reportingErrors {
            let (connection, _) = try database.open()
            let applied = try Migrator.migrate(connection)
            print(
                applied.isEmpty
                    ? "schema is up to date (version \(Migrator.latestVersion))"
                    : "applied migrations \(applied.map(String.init).joined(separator: ", ")); schema version \(Migrator.latestVersion)")
        }
    }
}
