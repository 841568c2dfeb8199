import ArgumentParser
import Storage

/// Webhook endpoints of a tenant and their deliveries.
struct WebhookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Manage a tenant's webhook endpoints and see their deliveries.",
        discussion: """
            Events: \(WebhookEvent.allCases.map(\.rawValue).joined(separator: ", ")). Each delivery is a JSON POST signed with the \
            endpoint's secret: Tollgate-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">. The secret is shown once, \
            by add and rotate-secret.
            """,
        subcommands: [
            WebhookAddCommand.self, WebhookListCommand.self, WebhookShowCommand.self, WebhookUpdateCommand.self, WebhookRemoveCommand.self,
            WebhookRotateSecretCommand.self, WebhookDeliveriesCommand.self,
        ])
}
