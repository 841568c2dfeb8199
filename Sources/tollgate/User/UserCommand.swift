import ArgumentParser
import Console
import Foundation
import Storage

/// Console users: a tenant's staff (operator, billing, readonly) or a platform admin. The
/// password is read from standard input only (a command line is visible to every local user)
/// and stored as a bcrypt hash.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Add, list and remove console users; set their passwords.",
                                                    subcommands: [Add.self, List.self, Remove.self, Password.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a console user; the password comes from standard input.",
            discussion: "operator: NAS devices and sessions; billing: usage, plans, subscribers, invoices; readonly: sessions and usage; admin (no --tenant): tenants only.")
        @Option(help: "Tenant slug (not for an admin).") var tenant: String?
        @Option(help: "The email the user signs in with.") var email: String
        @Option(help: "operator, billing, readonly or admin.") var role: String
        @Flag(help: "Read the password from standard input (one trailing newline is ignored).") var passwordStdin = false
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors {
                guard let role = TokenRole(rawValue: role) else {
                    throw StoreError(.invalid, "role '\(role)' must be operator, billing, readonly or admin")
                }
                if role == .admin, tenant != nil { throw StoreError(.invalid, "an admin belongs to no tenant: leave --tenant out") }
                if role != .admin, tenant == nil { throw StoreError(.invalid, "a user with role \(role.rawValue) belongs to a tenant: give --tenant SLUG") }
                let hash = try PasswordInput.hash(passwordStdin)
                let (connection, _) = try database.open()
                let scope = try tenant.map { try TenantStore(connection: connection).require(slug: $0) }
                let user = try ConsoleUserStore(connection: connection).create(tenant: scope, email: email, role: role, passwordHash: hash)
                print(userListing([user]).render(format))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List console users (never their passwords).")
        @Option(help: "Only this tenant's users.") var tenant: String?
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors {
                let (connection, _) = try database.open()
                let scope = try tenant.map { try TenantStore(connection: connection).require(slug: $0) }
                print(userListing(try ConsoleUserStore(connection: connection).list(tenant: scope)).render(format))
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a console user; their sessions end at once.")
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

    struct Password: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a console user's password from standard input; their sessions end.")
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
}

/// A console password from standard input, checked and hashed.
enum PasswordInput {
    static func hash(_ fromStdin: Bool) throws -> String {
        guard fromStdin else { throw StoreError(.invalid, "give --password-stdin and the password on standard input") }
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard data.count <= 4096, var password = String(data: data, encoding: .utf8) else {
            throw StoreError(.invalid, "the password on standard input is not UTF-8 text")
        }
        // "\r\n" is one Character in Swift, so removeLast drops it whole.
        if password.hasSuffix("\r\n") || password.hasSuffix("\n") { password.removeLast() }
        do {
            return try PasswordHasher.hash(password)
        } catch let error as PasswordError {
            throw StoreError(.invalid, error.description)
        }
    }
}

func userListing(_ users: [ConsoleUser]) -> Listing {
    Listing(columns: ["email", "tenant", "role", "created_at", "password_changed_at"],
            rows: users.map { [.text($0.email), .text($0.tenant?.slug), .text($0.role.rawValue), .text($0.createdAt), .text($0.passwordChangedAt)] })
}
