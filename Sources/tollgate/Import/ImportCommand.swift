import ArgumentParser

/// `tollgate import`: history from other systems.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import accounting history from other systems.",
        subcommands: [RadacctImportCommand.self])
}
