import ArgumentParser
import Collector
import Server
import Storage

/// Where the spool is: --spool-directory, else the configuration's, else `spool` in the data folder.
struct SpoolLocation: ParsableArguments {
    @Option(help: "Data folder (the spool is its `spool` folder unless spool_directory is set).") var dataDirectory: String?
    @Option(help: "The spool folder itself (a set-aside folder too).") var spoolDirectory: String?

    func directory(_ configuration: TollgateConfiguration) -> String {
        if let spoolDirectory { return spoolDirectory }
        var configuration = configuration
        if let dataDirectory { configuration.dataDirectory = dataDirectory }
        return configuration.spoolDirectory ?? (configuration.dataDirectory + "/spool")
    }

    /// The spool folder and the identity of the database `database` names.
    func open(_ database: DatabaseOptions) throws -> (directory: String, url: String, identity: DatabaseIdentity) {
        var configuration = try database.configuration()
        if let dataDirectory { configuration.dataDirectory = dataDirectory }
        let url = try DatabaseAccess.forCommand(configuration, needsKey: false).url
        return (directory(configuration), url, try DatabaseIdentity.read(try PostgresConnection(url: url)))
    }
}
