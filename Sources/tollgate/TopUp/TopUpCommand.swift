import ArgumentParser

/// `tollgate topup`: extra allowance for the current cycle.
struct TopUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topup", abstract: "Grant subscribers extra allowance for the current cycle.",
        subcommands: [TopUpAddCommand.self])
}
