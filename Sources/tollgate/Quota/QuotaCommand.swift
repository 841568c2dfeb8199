import ArgumentParser

/// `tollgate quota`: where subscribers stand against their plans' quota policies.
struct QuotaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quota", abstract: "Subscribers' quotas: usage, allowance, thresholds, state.",
        subcommands: [QuotaShowCommand.self])
}
