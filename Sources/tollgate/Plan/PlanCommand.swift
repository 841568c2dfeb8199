import ArgumentParser

/// `tollgate plan`: a tenant's plans, each a series of dated price versions.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Manage a tenant's plans and their price versions.",
        subcommands: [PlanCreateCommand.self, PlanListCommand.self, PlanShowCommand.self, PlanVersionCommand.self])
}
