import ArgumentParser

/// The command line: argument parsing and wiring only.
@main
struct Tollgate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate",
        abstract: "Multi-tenant RADIUS accounting collector and usage-billing gateway.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, TenantCommand.self, NASCommand.self, SessionsCommand.self,
            UsageCommand.self, PlanCommand.self, SubscriberCommand.self, InvoiceCommand.self, QuotaCommand.self, TopUpCommand.self,
            EnforcementCommand.self, WebhookCommand.self, TokenCommand.self, UserCommand.self, SpoolCommand.self, DictionaryCommand.self,
            DecodeCommand.self, ImportCommand.self,
        ]
    )
}
