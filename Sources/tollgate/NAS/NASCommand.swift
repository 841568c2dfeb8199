import ArgumentParser

/// `tollgate nas`: the NAS devices a tenant's accounting comes from.
struct NASCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nas", abstract: "Register and manage a tenant's NAS devices.",
        subcommands: [
            NASAddCommand.self, NASListCommand.self, NASShowCommand.self, NASUpdateCommand.self,
            NASRemoveCommand.self, NASRotateSecretCommand.self,
        ])
}
