import Accounting
import Storage
import TestSupport
import Testing

@Suite("Tenant isolation at the database", .enabled(if: TestDatabase.available))
struct StorageIsolationTests {
    @Test("With tenant A set, queries without any tenant filter see and change only A's rows")
    func rowLevelSecurity() throws {
        let (_, connection) = try TestDatabase.fresh()
        let tenants = TenantStore(connection: connection)
        let a = try tenants.create(slug: "alpha", name: "Alpha")
        let b = try tenants.create(slug: "beta", name: "Beta")
        let nas = NASStore(connection: connection, cipher: TestDatabase.cipher)
        _ = try nas.add(tenant: a, name: "a-nas", address: "10.1.0.1", secret: "a")
        _ = try nas.add(tenant: b, name: "b-nas", address: "10.2.0.1", secret: "b")
        try connection.execute(
            """
            INSERT INTO usage_hourly (tenant_id, subscriber, hour, upload_bytes) VALUES
                (\(a.id), 'alice', '2026-01-01 00:00+00', 1), (\(b.id), 'bob', '2026-01-01 00:00+00', 2)
            """)
        try connection.tenantTransaction(a.id) { (c) throws -> Void in
            #expect(try c.query("SELECT name FROM nas_devices").rows == [["a-nas"]])
            #expect(try c.query("SELECT subscriber FROM usage_hourly").rows == [["alice"]])
            #expect(try c.query("SELECT slug FROM tenants").rows == [["alpha"]])
            #expect(try c.query("UPDATE usage_hourly SET upload_bytes = 99").affectedRows == 1)
            #expect(try c.query("DELETE FROM nas_devices").affectedRows == 1)
        }
        // B's rows were untouched.
        #expect(try connection.query("SELECT upload_bytes FROM usage_hourly WHERE subscriber = 'bob'").rows == [["2"]])
        #expect(try connection.query("SELECT count(*) FROM nas_devices").rows == [["1"]])
        // Writing a row for B while A is set is rejected by the policy.
        do {
            try connection.tenantTransaction(a.id) { (c) throws -> Void in
                try c.query("INSERT INTO usage_hourly (tenant_id, subscriber, hour) VALUES ($1, 'x', now())", [String(b.id)])
            }
            Issue.record("cross-tenant insert accepted")
        } catch let error as PostgresError {
            #expect(error.sqlState == "42501")
        }
        // Without a tenant set, the tenant role sees nothing at all: it errors.
        #expect(throws: PostgresError.self) {
            try connection.transaction { c in
                try c.execute("SET LOCAL ROLE tollgate_tenant")
                try c.query("SELECT * FROM usage_hourly")
            }
        }
    }
}
