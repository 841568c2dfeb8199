import ArgumentParser

/// The command line: argument parsing and wiring only.
@main
struct Tollgate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate",
        abstract: "Multi-tenant RADIUS accounting collector and usage-billing gateway.",
        subcommands: [DictionaryCommand.self, DecodeCommand.self]
    )
}
