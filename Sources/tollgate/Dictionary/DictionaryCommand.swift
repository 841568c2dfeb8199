import ArgumentParser

/// `tollgate dictionary`: RADIUS dictionaries, as the collector and `decode` read them.
struct DictionaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dictionary",
        abstract: "Work with RADIUS dictionaries (FreeRADIUS format).",
        subcommands: [DictionaryCheckCommand.self]
    )
}
