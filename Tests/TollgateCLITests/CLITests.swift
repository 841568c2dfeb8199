import Foundation
import TestSupport
import Testing

@Suite("tollgate command line")
struct CLITests {
    @Test("decode prints every attribute by name and verifies the authenticator")
    func decode() throws {
        let hex =
            "04e9004815a7d50dabf30636b289d2e700adf5b20107616c69636504060a0000092c0970797261642d312806000000032a060000007b3406000000022e060000003c37066b05e3a5"
        let result = try runTollgate(["decode", hex, "--secret", "testing123", "--dictionary", RealData.repositoryRoot + "/Dictionaries/dictionary"])
        #expect(result.status == 0, "\(result.error)")
        for line in [
            "Accounting-Request (code 4), identifier 233, length 72",
            "User-Name (1) = \"alice\"",
            "Acct-Status-Type (40) = Interim-Update (3)",
            "Acct-Input-Gigawords (52) = 2",
            "Event-Timestamp (55) = 2026-11-24T19:21:09Z (1795548069)",
            "Request Authenticator: valid",
            "Message-Authenticator: absent",
        ] {
            #expect(result.output.contains(line), "missing: \(line)\n\(result.output)")
        }
        let wrong = try runTollgate(["decode", hex, "--secret", "nope", "--dictionary", RealData.repositoryRoot + "/Dictionaries/dictionary"])
        #expect(wrong.output.contains("Request Authenticator: INVALID"))
        #expect(!wrong.output.contains("nope"), "the secret must never be printed")
    }

    @Test("decode explains a malformed packet and exits non-zero")
    func decodeMalformed() throws {
        let truncated = try runTollgate(["decode", "04e90048", "--dictionary", RealData.repositoryRoot + "/Dictionaries/dictionary"])
        #expect(truncated.status == 1)
        #expect(truncated.error.contains("too_short"))
        let notHex = try runTollgate(["decode", "zz"])
        #expect(notHex.status != 0)
        #expect(notHex.error.contains("not valid hex"))
    }

    @Test("dictionary check counts the tree and names file:line on an error")
    func dictionaryCheck() throws {
        let ok = try runTollgate(["dictionary", "check", RealData.repositoryRoot + "/Dictionaries/dictionary"])
        #expect(ok.status == 0)
        #expect(ok.output.contains("vendors: 10"))
        #expect(ok.output.contains("warnings: 0"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("dictionary")
        try "ATTRIBUTE Good 1 string\nATTRIBUTE Bad 2 nonsense\n".write(to: bad, atomically: true, encoding: .utf8)
        let failed = try runTollgate(["dictionary", "check", bad.path])
        #expect(failed.status == 1)
        #expect(failed.error.contains("\(bad.path):2: unknown data type nonsense"))
    }
}

@Suite("tollgate token and tenant update", .enabled(if: TestDatabase.available))
struct TokenCommandTests {
    @Test("token create prints the token once, list never shows it, revoke ends it; tenant update changes settings")
    func tokens() throws {
        let (url, _) = try prepareDatabase()
        func tollgate(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
            try runTollgate(arguments + ["--database-url", url])
        }
        let created = try tollgate(["token", "create", "--tenant", "acme", "--role", "operator", "--name", "noc"])
        #expect(created.status == 0, "\(created.error)")
        let token = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("tg_") && token.utf8.count == 84)
        #expect(created.error.contains("shown once"))
        let admin = try tollgate(["token", "create", "--admin"])
        #expect(admin.status == 0)
        let list = try tollgate(["token", "list", "--format", "json"])
        #expect(list.status == 0 && list.output.contains("\"noc\"") && list.output.contains("\"admin\""))
        #expect(!list.output.contains(String(token.suffix(64))))
        #expect(try tollgate(["token", "create", "--tenant", "acme", "--role", "admin"]).status == 1)
        #expect(try tollgate(["token", "create", "--admin", "--tenant", "acme"]).status == 1)
        #expect(try tollgate(["token", "create", "--tenant", "nobody", "--role", "billing"]).status == 2)
        let id = String(token.dropFirst(3).prefix(16))
        #expect(try tollgate(["token", "revoke", id]).status == 0)
        #expect(try tollgate(["token", "revoke", id]).status == 2)

        let updated = try tollgate(["tenant", "update", "acme", "--timezone", "America/Santiago", "--billing-day", "5", "--format", "json"])
        #expect(updated.status == 0 && updated.output.contains("America/Santiago") && updated.output.contains("\"billing_day\" : 5"), "\(updated)")
        #expect(try tollgate(["tenant", "update", "acme", "--billing-day", "31"]).status == 1)
        #expect(try tollgate(["tenant", "update", "nobody", "--name", "x"]).status == 2)
    }
}
