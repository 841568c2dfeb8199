import ArgumentParser
import Foundation
import Server

/// `--config`: the configuration file a command reads, else the one TOLLGATE_CONFIG names.
struct ConfigurationFileOption: ParsableArguments {
    @Option(help: "Configuration file (TOML). Default: TOLLGATE_CONFIG if set.")
    var config: String?

    /// The configuration of `--config`, else of TOLLGATE_CONFIG, else the defaults.
    func load() throws -> TollgateConfiguration {
        try TollgateConfiguration.load(path: config ?? ProcessInfo.processInfo.environment["TOLLGATE_CONFIG"])
    }
}
