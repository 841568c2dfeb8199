import ArgumentParser

/// `tollgate tenant`: the tenants (ISPs) the platform serves.
struct TenantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Manage tenants (ISPs).",
        subcommands: [TenantCreateCommand.self, TenantListCommand.self, TenantUpdateCommand.self])
}
