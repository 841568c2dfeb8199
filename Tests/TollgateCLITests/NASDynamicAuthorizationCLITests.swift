import Foundation
import Storage
import TestSupport
import Testing

@Suite("tollgate nas: CoA port, CoA secret and vendor", .enabled(if: TestDatabase.available), .serialized)
struct NASDynamicAuthorizationCLITests {
    @Test("--coa-port, --coa-secret-file, --vendor and --clear-coa-secret round-trip through nas show and list; bad values are refused")
    func roundTrip() throws {
        let (url, connection) = try TestDatabase.fresh()
        let env = ["TOLLGATE_SECRET_KEY": secretKey]
        func tollgate(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String, error: String) {
            try runTollgate(arguments + ["--database-url", url], environment: env, input: input)
        }
        func file(_ contents: String) throws -> String {
            let path = temporaryPath("tollgate-coa")
            try contents.write(toFile: path, atomically: false, encoding: .utf8)
            return path
        }
        /// `nas show --format json` as "coa_port vendor has_coa_secret weak_coa_secret".
        func shown(_ name: String) throws -> String {
            let result = try tollgate(["nas", "show", "--tenant", "acme", "--name", name, "--format", "json"])
            let rows = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]] ?? []
            return rows.map {
                "\($0["coa_port"] as? Int ?? -1) \($0["vendor"] as? String ?? "-") \($0["has_coa_secret"] as? Bool ?? false) \($0["weak_coa_secret"] as? Bool ?? false)"
            }
            .joined(separator: "; ")
        }
        /// The secret CoA and Disconnect requests to the NAS use.
        func requestSecret(_ name: String) throws -> String {
            let store = NASStore(connection: connection, cipher: try SecretCipher(hexKey: secretKey))
            let tenant = try TenantStore(connection: connection).require(slug: "acme")
            let id = try store.find(tenant: tenant, name: name).id
            return String(decoding: try #require(try store.dynamicAuthorization(tenantID: tenant.id, nasIDs: [id])[id]).secret, as: UTF8.self)
        }
        let coaFile = try file("coa-from-a-file-1\n")
        let shortFile = try file("short")
        defer {
            for path in [coaFile, shortFile] { try? FileManager.default.removeItem(atPath: path) }
        }
        #expect(try tollgate(["tenant", "create", "acme", "--name", "ACME"]).status == 0)
        let base = ["nas", "add", "--tenant", "acme", "--secret-stdin"]
        let added = try tollgate(
            base + [
                "--name", "mk", "--address", "10.0.0.1", "--coa-port", "1700", "--coa-secret-file", coaFile,
                "--vendor", "mikrotik",
            ], input: "accounting-secret-1")
        #expect(added.status == 0 && added.error.isEmpty, "\(added.error)")
        #expect(try shown("mk") == "1700 mikrotik true false")
        #expect(try requestSecret("mk") == "coa-from-a-file-1")
        #expect(try tollgate(base + ["--name", "plain", "--address", "10.0.0.2"], input: "accounting-secret-2").status == 0)
        #expect(try shown("plain") == "3799 generic false false")
        #expect(try requestSecret("plain") == "accounting-secret-2")

        let update = ["nas", "update", "--tenant", "acme"]
        #expect(try tollgate(update + ["--name", "mk", "--coa-port", "3800", "--vendor", "cisco"]).status == 0)
        #expect(try shown("mk") == "3800 cisco true false")
        #expect(try requestSecret("mk") == "coa-from-a-file-1")
        #expect(try tollgate(update + ["--name", "mk", "--clear-coa-secret"]).status == 0)
        #expect(try shown("mk") == "3800 cisco false false")
        #expect(try requestSecret("mk") == "accounting-secret-1")
        let weak = try tollgate(update + ["--name", "plain", "--coa-secret-file", shortFile])
        #expect(weak.status == 0 && weak.error.contains("the CoA secret is shorter than 12 octets"), "\(weak.error)")
        #expect(try shown("plain") == "3799 generic true true")
        #expect(try requestSecret("plain") == "short")

        let both = try tollgate(update + ["--name", "plain", "--clear-coa-secret", "--coa-secret-file", coaFile])
        #expect(both.status == 1 && both.error.contains("--coa-secret-file or --clear-coa-secret, not both"), "\(both.error)")
        for (flag, value, message) in [
            ("--coa-port", "0", "the CoA port must be 1-65535, not 0"),
            ("--coa-port", "65536", "the CoA port must be 1-65535, not 65536"),
            ("--vendor", "../etc", "vendor must be 1-40 characters"),
            ("--vendor", "x'; DROP TABLE nas_devices; --", "vendor must be 1-40 characters"),
        ] {
            let refusedAdd = try tollgate(base + ["--name", "bad", "--address", "10.0.0.3", flag, value], input: "accounting-secret-3")
            #expect(refusedAdd.status == 1 && refusedAdd.error.contains(message), "add \(flag) \(value): \(refusedAdd.error)")
            let refusedUpdate = try tollgate(update + ["--name", "plain", flag, value])
            #expect(refusedUpdate.status == 1 && refusedUpdate.error.contains(message), "update \(flag) \(value): \(refusedUpdate.error)")
        }
        let missing = try tollgate(update + ["--name", "plain", "--coa-secret-file", coaFile + ".missing"])
        #expect(missing.status == 1 && missing.error.contains("cannot read the secret file"), "\(missing.error)")
        #expect(try shown("plain") == "3799 generic true true")
        #expect(try connection.query("SELECT count(*) FROM nas_devices").rows == [["2"]])

        let table = try tollgate(["nas", "list", "--tenant", "acme"])
        let header = table.output.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.contains("coa_port") && header.contains("vendor") && header.contains("has_coa_secret"), "\(table.output)")
        #expect(table.output.contains("3800") && table.output.contains("cisco"), "\(table.output)")
        let csv = try tollgate(["nas", "list", "--tenant", "acme", "--format", "csv"])
        #expect(csv.output.contains(",3800,cisco,false,false") && csv.output.contains(",3799,generic,true,true"), "\(csv.output)")
        #expect(try tollgate(["nas", "show", "--tenant", "acme", "--name", "nope"]).status == 2)
    }
}
