import Console
import Foundation
import Storage
import TestSupport
import Testing

@Suite("tollgate user: console users with bcrypt passwords from standard input", .enabled(if: TestDatabase.available), .serialized)
struct UserCLITests {
    @Test("add, list, password and remove: exact output; a CLI user's password signs in; a new password ends their sessions")
    func lifecycle() throws {
        let (url, connection) = try TestDatabase.fresh()
        func tollgate(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String, error: String) {
            try runTollgate(arguments + ["--database-url", url], input: input)
        }
        #expect(try tollgate(["tenant", "create", "acme", "--name", "ACME"]).status == 0)
        let added = try tollgate(
            ["user", "add", "--tenant", "acme", "--email", "ops@acme.example", "--role", "operator", "--password-stdin"],
            input: "first-password-123\n")
        #expect(added.status == 0 && added.error == "", "\(added.error)")
        let stamps = try connection.query(
            """
            SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                   to_char(password_changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM console_users
            """
        ).rows[0].map { $0! }
        #expect(
            added.output == """
                email             tenant  role      created_at            password_changed_at
                ----------------  ------  --------  --------------------  --------------------
                ops@acme.example  acme    operator  \(stamps[0])  \(stamps[1])

                """)
        let admin = try tollgate(
            ["user", "add", "--email", "root@platform.example", "--role", "admin", "--password-stdin", "--format", "csv"],
            input: "admin-password-456")
        #expect(admin.status == 0, "\(admin.error)")
        #expect(admin.output.hasPrefix("email,tenant,role,created_at,password_changed_at\nroot@platform.example,,admin,"))
        #expect(
            try tollgate(
                ["user", "add", "--tenant", "acme", "--email", "billing@acme.example", "--role", "billing", "--password-stdin"],
                input: "billing-password-789\n"
            ).status == 0)

        // The hash is bcrypt's; the password itself is stored nowhere.
        let credentials = try #require(try ConsoleUserStore(connection: connection).credentials(email: "ops@acme.example"))
        #expect(credentials.passwordHash.hasPrefix("$2b$12$") && credentials.passwordHash.count == 60)
        #expect(PasswordHasher.verify("first-password-123", hash: credentials.passwordHash))
        #expect(!PasswordHasher.verify("first-password-124", hash: credentials.passwordHash))
        #expect(credentials.user.role == .operator && credentials.user.tenant?.slug == "acme")
        #expect(try connection.query("SELECT count(*) FROM console_users WHERE password_hash LIKE '%password%'").rows == [["0"]])

        let listed = try tollgate(["user", "list", "--format", "json"])
        let rows = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]] ?? []
        #expect(
            rows.map { "\($0["email"]!) \($0["tenant"] is NSNull ? "-" : $0["tenant"]!) \($0["role"]!)" } == [
                "billing@acme.example acme billing", "ops@acme.example acme operator", "root@platform.example - admin",
            ])
        let scoped = try tollgate(["user", "list", "--tenant", "acme", "--format", "csv"])
        #expect(
            scoped.output.split(separator: "\n").map { $0.split(separator: ",").prefix(3).joined(separator: ",") } == [
                "email,tenant,role", "billing@acme.example,acme,billing", "ops@acme.example,acme,operator",
            ])

        // A new password ends the user's sessions and replaces the old one.
        let user = credentials.user
        _ = try ConsoleSessionStore(connection: connection).start(user: user, client: "")
        _ = try ConsoleSessionStore(connection: connection).start(user: user, client: "")
        let changed = try tollgate(["user", "password", "--email", "OPS@acme.example", "--password-stdin"], input: "second-password-123\n")
        #expect(changed.status == 0 && changed.output == "set the password of console user 'OPS@acme.example'; their sessions have ended\n")
        #expect(try connection.query("SELECT count(*) FROM console_sessions").rows == [["0"]])
        let hash = try #require(try ConsoleUserStore(connection: connection).credentials(email: "ops@acme.example")?.passwordHash)
        #expect(PasswordHasher.verify("second-password-123", hash: hash) && !PasswordHasher.verify("first-password-123", hash: hash))

        let removed = try tollgate(["user", "remove", "--email", "ops@acme.example"])
        #expect(removed.status == 0 && removed.output == "removed console user 'ops@acme.example'\n")
        let again = try tollgate(["user", "remove", "--email", "ops@acme.example"])
        #expect(again.status == 2 && again.error == "error: no console user with email 'ops@acme.example'\n")
        #expect(try tollgate(["user", "list", "--tenant", "acme"]).output.contains("ops@acme.example") == false)
    }

    @Test("Refusals: short password, duplicate email, admin with a tenant, staff without one, unknown tenant, unknown role, no stdin flag")
    func refusals() throws {
        let (url, connection) = try TestDatabase.fresh()
        func tollgate(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String, error: String) {
            try runTollgate(arguments + ["--database-url", url], input: input)
        }
        #expect(try tollgate(["tenant", "create", "acme", "--name", "ACME"]).status == 0)
        let add = ["user", "add", "--password-stdin"]
        #expect(
            try tollgate(add + ["--tenant", "acme", "--email", "ops@acme.example", "--role", "operator"], input: "first-password-123").status == 0)
        let cases: [([String], String, Int32, String)] = [
            (
                ["--tenant", "acme", "--email", "short@acme.example", "--role", "operator"], "short-pass\n", 1,
                "error: a password needs at least 12 characters\n"
            ),
            (
                ["--tenant", "acme", "--email", "OPS@ACME.example", "--role", "billing"], "another-password-1", 1,
                "error: a console user with email 'OPS@ACME.example' already exists\n"
            ),
            (
                ["--tenant", "acme", "--email", "root@platform.example", "--role", "admin"], "admin-password-456", 1,
                "error: an admin belongs to no tenant: leave --tenant out\n"
            ),
            (
                ["--email", "staff@acme.example", "--role", "readonly"], "staff-password-456", 1,
                "error: a user with role readonly belongs to a tenant: give --tenant SLUG\n"
            ),
            (["--tenant", "nope", "--email", "x@nope.example", "--role", "operator"], "some-password-456", 2, "error: no tenant 'nope'\n"),
            (
                ["--tenant", "acme", "--email", "x@acme.example", "--role", "owner"], "some-password-456", 1,
                "error: role 'owner' must be operator, billing, readonly or admin\n"
            ),
            (
                ["--tenant", "acme", "--email", "not an email", "--role", "operator"], "some-password-456", 1,
                "error: email 'not an email' must be one address like name@example.net (3-254 characters, no spaces)\n"
            ),
            (
                ["--tenant", "acme", "--email", "long@acme.example", "--role", "operator"], String(repeating: "p", count: 73), 1,
                "error: a password may have at most 72 octets (bcrypt reads no more)\n"
            ),
        ]
        for (arguments, input, status, message) in cases {
            let result = try tollgate(add + arguments, input: input)
            #expect(result.status == status && result.error == message && result.output == "", "\(arguments): \(result.error)")
        }
        let noFlag = try tollgate(["user", "add", "--tenant", "acme", "--email", "x@acme.example", "--role", "operator"], input: "some-password-456")
        #expect(noFlag.status == 1 && noFlag.error == "error: give --password-stdin and the password on standard input\n")
        let unknown = try tollgate(["user", "password", "--email", "ghost@acme.example", "--password-stdin"], input: "some-password-456")
        #expect(unknown.status == 2 && unknown.error == "error: no console user with email 'ghost@acme.example'\n")
        #expect(try connection.query("SELECT email FROM console_users").rows == [["ops@acme.example"]])
    }

    @Test("nas add, update, rotate-secret and remove record actor cli in the audit log")
    func nasAudit() throws {
        let (url, connection) = try TestDatabase.fresh()
        func tollgate(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String, error: String) {
            try runTollgate(arguments + ["--database-url", url], environment: ["TOLLGATE_SECRET_KEY": secretKey], input: input)
        }
        #expect(try tollgate(["tenant", "create", "acme", "--name", "ACME"]).status == 0)
        let nas = ["nas"]
        #expect(
            try tollgate(nas + ["add", "--tenant", "acme", "--name", "edge", "--address", "10.0.0.1", "--secret-stdin"], input: "edge-shared-secret")
                .status == 0)
        #expect(try tollgate(nas + ["update", "--tenant", "acme", "--name", "edge", "--coa-port", "1700", "--vendor", "mikrotik"]).status == 0)
        #expect(
            try tollgate(nas + ["rotate-secret", "--tenant", "acme", "--name", "edge", "--secret-stdin"], input: "edge-rotated-secret").status == 0)
        #expect(try tollgate(nas + ["update", "--tenant", "acme", "--name", "nope", "--coa-port", "1700"]).status == 2)
        #expect(try tollgate(nas + ["remove", "--tenant", "acme", "--name", "edge"]).status == 0)
        let tenant = try TenantStore(connection: connection).require(slug: "acme")
        let entries = try AuditLog(connection: connection).page(tenant: tenant, limit: 100).reversed()
            .map { "\($0.actor) \($0.action) \($0.object) \($0.detail)" }
        #expect(
            entries == [
                "cli nas.added edge address=10.0.0.1 listener=default",
                "cli nas.updated edge coa_port=1700 vendor=mikrotik",
                "cli nas.secret_rotated edge ",
                "cli nas.removed edge ",
            ])
    }
}
