import Foundation
import Storage
import TestSupport
import Testing

@Suite("tollgate nas: secrets off the command line, weak secrets, Message-Authenticator", .enabled(if: TestDatabase.available), .serialized)
struct NASSecretCLITests {
    /// The secret of each NAS as the collector would open it.
    func secrets(_ connection: PostgresConnection) throws -> [String: String] {
        let loaded = try NASStore(connection: connection, cipher: try SecretCipher(hexKey: secretKey)).loadRegistry()
        return Dictionary(uniqueKeysWithValues: loaded.devices.map { ($0.device.name, String(decoding: $0.secret, as: UTF8.self)) })
    }

    @Test("--secret-file, --secret-stdin and --secret - read the secret (one trailing newline dropped); exactly one source")
    func sources() throws {
        let (url, connection) = try TestDatabase.fresh()
        let env = ["TOLLGATE_SECRET_KEY": secretKey]
        func tollgate(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String, error: String) {
            try runTollgate(arguments + ["--database-url", url], environment: env, input: input)
        }
        #expect(try tollgate(["tenant", "create", "acme", "--name", "ACME"]).status == 0)
        let file = temporaryPath("tollgate-secret")
        try "from-a-file-123\n".write(toFile: file, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }

        let base = ["nas", "add", "--tenant", "acme"]
        #expect(try tollgate(base + ["--name", "f", "--address", "10.0.0.1", "--secret-file", file]).status == 0)
        #expect(try tollgate(base + ["--name", "s", "--address", "10.0.0.2", "--secret-stdin"], input: "from-stdin-4567\n").status == 0)
        let dash = try tollgate(base + ["--name", "d", "--address", "10.0.0.3", "--secret", "-"], input: "dash-in\r\n")
        #expect(dash.status == 0 && dash.error.contains("shorter than 12 octets"), "\(dash.error)")
        #expect(try secrets(connection) == ["f": "from-a-file-123", "s": "from-stdin-4567", "d": "dash-in"])

        let twice = try tollgate(base + ["--name", "x", "--address", "10.0.0.4", "--secret", "abc", "--secret-file", file])
        #expect(twice.status == 1 && twice.error.contains("give the shared secret once"), "\(twice.error)")
        #expect(try tollgate(base + ["--name", "x", "--address", "10.0.0.4"]).status == 1)
        let missing = try tollgate(base + ["--name", "x", "--address", "10.0.0.4", "--secret-file", file + ".missing"])
        #expect(missing.status == 1 && missing.error.contains("cannot read the secret file"), "\(missing.error)")

        #expect(try tollgate(["nas", "rotate-secret", "--tenant", "acme", "--name", "d", "--secret-stdin"], input: "rotated-secret-99").status == 0)
        #expect(try secrets(connection)["d"] == "rotated-secret-99")
        #expect(try connection.query("SELECT count(*) FROM nas_devices").rows == [["3"]])
    }

    @Test("nas list shows weak_secret and require_message_authenticator; add and update set the requirement")
    func listing() throws {
        let (url, _) = try TestDatabase.fresh()
        let env = ["TOLLGATE_SECRET_KEY": secretKey]
        func tollgate(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String, error: String) {
            try runTollgate(arguments + ["--database-url", url], environment: env, input: input)
        }
        #expect(try tollgate(["tenant", "create", "acme", "--name", "ACME"]).status == 0)
        #expect(
            try tollgate(
                [
                    "nas", "add", "--tenant", "acme", "--name", "a", "--address", "10.0.0.1", "--secret-stdin",
                    "--require-message-authenticator",
                ], input: "short"
            ).status == 0)
        #expect(
            try tollgate(
                ["nas", "add", "--tenant", "acme", "--name", "b", "--address", "10.0.0.2", "--secret-stdin"],
                input: "a-secret-of-twenty-oc"
            ).status == 0)
        func flags() throws -> [String] {
            let listed = try tollgate(["nas", "list", "--tenant", "acme", "--format", "json"])
            let rows = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]] ?? []
            return rows.map {
                "\($0["name"]!) weak=\($0["weak_secret"] as? Bool ?? false) ma=\($0["require_message_authenticator"] as? Bool ?? false)"
            }
        }
        #expect(try flags() == ["a weak=true ma=true", "b weak=false ma=false"])
        let off = try tollgate(["nas", "update", "--tenant", "acme", "--name", "a", "--no-require-message-authenticator"])
        #expect(off.status == 0, "\(off.error)")
        #expect(
            try tollgate(["nas", "update", "--tenant", "acme", "--name", "b", "--require-message-authenticator", "--address", "10.0.0.9"]).status == 0
        )
        #expect(try flags() == ["a weak=true ma=false", "b weak=false ma=true"])
        let table = try tollgate(["nas", "list", "--tenant", "acme"])
        #expect(table.output.contains("weak_secret") && table.output.contains("10.0.0.9/32"))
        #expect(try tollgate(["nas", "update", "--tenant", "acme", "--name", "nope", "--no-require-message-authenticator"]).status == 2)
    }
}
