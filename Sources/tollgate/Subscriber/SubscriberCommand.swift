import ArgumentParser

/// `tollgate subscriber`: which User-Names are on which plan, from when.
struct SubscriberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscriber", abstract: "Put User-Names on plans.",
        subcommands: [
            SubscriberAddCommand.self, SubscriberChangePlanCommand.self, SubscriberEndCommand.self,
            SubscriberListCommand.self,
        ])
}
