import ArgumentParser
import Storage

/// `tollgate user remove`.
struct UserRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a console user; their sessions end at once.")
    @Option(help: "The user's email.") var email: String
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try reportingErrors {
            let (connection, _) = try database.open()
            try ConsoleUserStore(connection: connection).remove(email: email)
            print("removed console user '\(email)'")
        }
    }
}
