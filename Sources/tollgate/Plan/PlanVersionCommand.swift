import ArgumentParser

/// `tollgate plan version`: a plan's price versions.
struct PlanVersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Plan versions.", subcommands: [PlanVersionAddCommand.self])
}
