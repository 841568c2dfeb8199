import ArgumentParser

/// Console users: a tenant's staff (operator, billing, readonly) or a platform admin. The
/// password is read from standard input only (a command line is visible to every local user)
/// and stored as a bcrypt hash.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Add, list and remove console users; set their passwords.",
        subcommands: [UserAddCommand.self, UserListCommand.self, UserRemoveCommand.self, UserPasswordCommand.self])
}
