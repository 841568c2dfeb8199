import Foundation
import Storage
import TestSupport
import Testing

@Suite("CLI actions in the audit log", .enabled(if: TestDatabase.available), .serialized)
struct AuditCLITests {
    @Test("plan create, plan version add and invoice run record who did what to what, as the console and the API do")
    func audited() throws {
        let (url, connection) = try prepareDatabase()
        func tollgate(_ arguments: [String]) throws -> Int32 {
            try runTollgate(arguments + ["--database-url", url], environment: ["TOLLGATE_SECRET_KEY": secretKey]).status
        }
        let plan = "\(RealData.repositoryRoot)/Config/plans/home-100.toml"
        #expect(try tollgate(["plan", "create", "--tenant", "acme", "--file", plan, "--from", "2020-01-01"]) == 0)
        #expect(try tollgate(["plan", "version", "add", "--tenant", "acme", "--name", "Home 100", "--file", plan, "--from", "2026-11-01"]) == 0)
        // A refused action (the plan exists) records nothing.
        #expect(try tollgate(["plan", "create", "--tenant", "acme", "--file", plan]) != 0)
        #expect(try tollgate(["invoice", "run", "--tenant", "acme", "--period", "2026-10"]) == 0)
        #expect(try tollgate(["invoice", "run", "--tenant", "acme", "--period", "2026-10", "--finalize"]) == 0)
        // The database's NAS was registered through the CLI too (nas.added, tested with the NAS commands).
        let rows = try connection.query("SELECT actor, action, object, detail FROM audit_log WHERE action NOT LIKE 'nas.%' ORDER BY id").rows
        #expect(
            rows == [
                ["cli", "plan.created", "Home 100", "effective_from 2020-01-01"],
                ["cli", "plan.version_added", "Home 100", "effective_from 2026-11-01"],
                ["cli", "invoice_run.created", "2026-10", ""],
                ["cli", "invoice_run.finalized", "2026-10", ""],
            ])
    }
}
