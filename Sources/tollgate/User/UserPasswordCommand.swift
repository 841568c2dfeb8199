import ArgumentParser
import Storage

/// `tollgate user password`: a new password from standard input.
struct UserPasswordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password",
        abstract: "Set a console user's password from standard input; their sessions end.")
    @Option(help: "The user's email.") var email: String
    @Flag(help: "Read the password from standard input (one trailing newline is ignored).") var passwordStdin = false
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try reportingErrors {
            let hash = try PasswordInput.hash(passwordStdin)
            let (connection, _) = try database.open()
            try ConsoleUserStore(connection: connection).setPasswordHash(email: email, passwordHash: hash)
            print("set the password of console user '\(email)'; their sessions have ended")
        }
    }
}
