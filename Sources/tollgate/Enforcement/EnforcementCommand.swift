import ArgumentParser

/// `tollgate enforcement`: the CoA and Disconnect requests quotas caused.
struct EnforcementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enforcement", abstract: "The log of CoA and Disconnect requests and their outcomes.",
        subcommands: [EnforcementListCommand.self])
}
