import ArgumentParser
import Storage

/// `tollgate token revoke`.
struct TokenRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke an API token: it stops working at once.")
    @Argument(help: "Token id (the 16 hex digits after tg_).") var id: String
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try reportingErrors {
            let (connection, _) = try database.open()
            try TokenStore(connection: connection).revoke(id: id)
            print("revoked \(id)")
        }
    }
}
