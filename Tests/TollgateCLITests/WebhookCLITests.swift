import Foundation
import Storage
import TestSupport
import Testing

@Suite("tollgate webhook", .enabled(if: TestDatabase.available), .serialized)
struct WebhookCLITests {
    @Test("add prints the secret once; list, show, update, rotate-secret, deliveries and remove; hostile URLs exit 1")
    func lifecycle() throws {
        let (url, connection) = try TestDatabase.fresh()
        let env = ["TOLLGATE_SECRET_KEY": secretKey]
        func tollgate(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
            try runTollgate(arguments + ["--database-url", url], environment: env)
        }
        func json(_ output: String) throws -> [[String: Any]] {
            try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] ?? []
        }
        #expect(try tollgate(["tenant", "create", "acme", "--name", "ACME"]).status == 0)
        let added = try tollgate([
            "webhook", "add", "--tenant", "acme", "--url", "https://noc.example/h", "--event", "nas.silent",
            "--event", "quota.crossed", "--description", "=HYPERLINK(\"x\")", "--format", "json",
        ])
        #expect(added.status == 0 && added.error.contains("shown once"), "\(added.error)")
        let endpoint = try #require(try json(added.output).first)
        let secret = try #require(endpoint["secret"] as? String)
        #expect(secret.hasPrefix("whsec_") && endpoint["events"] as? String == "quota.crossed,nas.silent")
        let id = try #require(endpoint["id"] as? Int)
        // The secret is the one deliveries are signed with.
        let store = WebhookStore(connection: connection, cipher: try SecretCipher(hexKey: secretKey))
        let tenant = try TenantStore(connection: connection).require(slug: "acme")
        _ = try connection.tenantTransaction(tenant.id) { try WebhookOutbox.enqueue($0, tenantID: tenant.id, event: .nasSilent, data: "{}") }
        #expect(try store.claimDue(limit: 1, leaseSeconds: 60).first?.secret == Array(secret.utf8))

        let listed = try tollgate(["webhook", "list", "--tenant", "acme", "--format", "csv"])
        #expect(listed.status == 0 && !listed.output.contains(secret) && !listed.output.contains("secret"))
        // A formula in a field is neutralised in CSV.
        #expect(listed.output.contains("'=HYPERLINK"), "\(listed.output)")
        let updated = try tollgate([
            "webhook", "update", "--tenant", "acme", "--id", String(id), "--disable", "--event", "invoice.finalized", "--format", "json",
        ])
        #expect(
            try json(updated.output).first?["enabled"] as? Bool == false && json(updated.output).first?["events"] as? String == "invoice.finalized")
        let shown = try tollgate(["webhook", "show", "--tenant", "acme", "--id", String(id)])
        #expect(shown.status == 0 && shown.output.contains("https://noc.example/h") && shown.output.contains("false"))
        let rotated = try tollgate(["webhook", "rotate-secret", "--tenant", "acme", "--id", String(id), "--format", "json"])
        let newSecret = try #require(try json(rotated.output).first?["secret"] as? String)
        #expect(newSecret != secret && newSecret.count == 70)
        let deliveries = try tollgate(["webhook", "deliveries", "--tenant", "acme", "--id", String(id), "--format", "json"])
        let rows = try json(deliveries.output)
        #expect(rows.count == 1 && rows.first?["event"] as? String == "nas.silent" && rows.first?["status"] as? String == "pending")

        for hostile in ["file:///etc/passwd", "http://user:pw@h/", "gopher://h/", "http://h/#f"] {
            let refused = try tollgate(["webhook", "add", "--tenant", "acme", "--url", hostile, "--event", "nas.silent"])
            #expect(refused.status == 1 && refused.error.contains("url"), "\(hostile): \(refused.error)")
        }
        #expect(try tollgate(["webhook", "add", "--tenant", "acme", "--url", "http://h/", "--event", "nas.loud"]).status == 1)
        #expect(try tollgate(["webhook", "show", "--tenant", "acme", "--id", "999"]).status == 2)
        #expect(try tollgate(["webhook", "remove", "--tenant", "acme", "--id", String(id)]).status == 0)
        #expect(try tollgate(["webhook", "remove", "--tenant", "acme", "--id", String(id)]).status == 2)
        #expect(try count(connection, "SELECT count(*) FROM webhook_deliveries") == 0)
    }
}
