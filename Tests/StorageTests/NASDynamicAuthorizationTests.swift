import Foundation
import TestSupport
import Testing

@testable import Storage

@Suite("NAS dynamic-authorization settings: CoA port, CoA secret, vendor", .enabled(if: TestDatabase.available))
struct NASDynamicAuthorizationTests {
    func setUp() throws -> (connection: PostgresConnection, alpha: Tenant, beta: Tenant, store: NASStore) {
        let (_, connection) = try TestDatabase.fresh()
        let tenants = TenantStore(connection: connection)
        return (
            connection, try tenants.create(slug: "alpha", name: "Alpha"), try tenants.create(slug: "beta", name: "Beta"),
            NASStore(connection: connection, cipher: TestDatabase.cipher)
        )
    }

    /// The message of the StoreError `body` throws (nil when it succeeds).
    func refusal(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as StoreError {
            return error.code == .invalid ? error.message : "code \(error.code.rawValue): \(error.message)"
        } catch {
            return "\(error)"
        }
    }

    func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
    }

    @Test("Without settings a NAS takes port 3799, vendor generic and its accounting secret")
    func defaults() throws {
        let (connection, alpha, _, store) = try setUp()
        let nas = try store.add(tenant: alpha, name: "bras", address: "10.0.0.1", secret: "accounting-secret", identifier: "bras-1")
        #expect(nas.coaPort == 3799 && nas.vendor == "generic" && !nas.hasCoASecret && !nas.weakCoASecret)
        #expect(try store.find(tenant: alpha, name: "bras") == nas)
        #expect(
            try connection.query("SELECT coa_port, vendor, coa_secret_sealed IS NULL, coa_secret_octets IS NULL FROM nas_devices").rows
                == [["3799", "generic", "t", "t"]])
        let settings = try store.dynamicAuthorization(tenantID: alpha.id, nasIDs: [nas.id])
        #expect(
            settings == [
                nas.id: NASDynamicAuthorization(
                    nasID: nas.id, tenantID: alpha.id, name: "bras", address: "10.0.0.1", port: 3799,
                    secret: Array("accounting-secret".utf8), vendor: "generic", identifier: "bras-1")
            ])
        #expect(try store.dynamicAuthorization(tenantID: alpha.id, nasIDs: []) == [:])
    }

    @Test("A custom port, vendor and CoA secret round-trip; the CoA secret is stored sealed for its tenant, and opened for requests")
    func customValues() throws {
        let (connection, alpha, _, store) = try setUp()
        let nas = try store.add(
            tenant: alpha, name: "mk", address: "2001:db8::7", secret: "accounting-secret", coaPort: 1700,
            coaSecret: "coa-secret-value-1", vendor: "mikrotik")
        #expect(nas.coaPort == 1700 && nas.vendor == "mikrotik" && nas.hasCoASecret && !nas.weakCoASecret && !nas.weakSecret)
        #expect(try store.list(tenant: alpha) == [nas])
        #expect(try store.find(tenant: alpha, name: "mk") == nas)
        let row = try connection.query("SELECT encode(coa_secret_sealed, 'hex'), coa_secret_octets, encode(secret_sealed, 'hex') FROM nas_devices")
        let sealedHex = try #require(row.value(row: 0, column: 0))
        let sealed = bytes(sealedHex)
        // Version octet, 12-octet nonce, 18 octets of ciphertext, 16-octet tag.
        #expect(sealed.count == 1 + 12 + 18 + 16 && sealed[0] == 1)
        #expect(!sealedHex.contains(hex(Array("coa-secret".utf8))))
        #expect(row.value(row: 0, column: 1) == "18")
        #expect(try TestDatabase.cipher.open(sealed, tenantID: alpha.id) == Array("coa-secret-value-1".utf8))
        // Bound to its tenant like the accounting secret.
        #expect(throws: SecretCipher.Error.self) { try TestDatabase.cipher.open(sealed, tenantID: alpha.id + 1) }
        let settings = try #require(try store.dynamicAuthorization(tenantID: alpha.id, nasIDs: [nas.id])[nas.id])
        #expect(settings.secret == Array("coa-secret-value-1".utf8))
        #expect(settings.address == "2001:db8::7" && settings.port == 1700 && settings.vendor == "mikrotik" && settings.identifier == nil)
        // The collector still verifies accounting with the accounting secret.
        #expect(try store.loadRegistry().devices.map { String(decoding: $0.secret, as: UTF8.self) } == ["accounting-secret"])
    }

    @Test("update changes only what it is given; a CoA secret can be replaced and removed (back to the accounting secret); weak ones are flagged")
    func updates() throws {
        let (_, alpha, _, store) = try setUp()
        let nas = try store.add(tenant: alpha, name: "bras", address: "10.0.0.1", secret: "accounting-secret")
        func secret() throws -> String {
            String(decoding: try #require(try store.dynamicAuthorization(tenantID: alpha.id, nasIDs: [nas.id])[nas.id]).secret, as: UTF8.self)
        }
        let ported = try store.update(tenant: alpha, name: "bras", coaPort: 3798)
        #expect(ported.coaPort == 3798 && ported.vendor == "generic" && !ported.hasCoASecret && ported.address == "10.0.0.1/32")
        let weak = try store.update(tenant: alpha, name: "bras", coaSecret: .some("eleven-octs"))
        #expect(weak.coaPort == 3798 && weak.hasCoASecret && weak.weakCoASecret && !weak.weakSecret)
        #expect(try secret() == "eleven-octs")
        let strong = try store.update(tenant: alpha, name: "bras", coaSecret: .some("twelve-octet"), vendor: "cisco-ios_xe")
        #expect(strong.hasCoASecret && !strong.weakCoASecret && strong.vendor == "cisco-ios_xe" && strong.coaPort == 3798)
        #expect(try secret() == "twelve-octet")
        // Changing something else keeps the CoA secret.
        let moved = try store.update(tenant: alpha, name: "bras", address: "10.0.0.2", requireMessageAuthenticator: true)
        #expect(moved.hasCoASecret && moved.coaPort == 3798 && moved.vendor == "cisco-ios_xe")
        #expect(try secret() == "twelve-octet")
        let cleared = try store.update(tenant: alpha, name: "bras", coaSecret: .some(nil))
        #expect(!cleared.hasCoASecret && !cleared.weakCoASecret && cleared.vendor == "cisco-ios_xe")
        #expect(try secret() == "accounting-secret")
        // The accounting secret's rotation is what requests then use.
        try store.rotateSecret(tenant: alpha, name: "bras", secret: "rotated-accounting")
        #expect(try secret() == "rotated-accounting")
        #expect(refusal { try store.update(tenant: alpha, name: "nope", coaPort: 1) } == "code not_found: no NAS named 'nope'")
    }

    @Test("dynamicAuthorization answers for the given tenant's NAS only: other tenants', removed and prefix NAS have no entry")
    func isolation() throws {
        let (connection, alpha, beta, store) = try setUp()
        let a1 = try store.add(tenant: alpha, name: "a1", address: "10.1.0.1", secret: "alpha-secret-1", coaSecret: "alpha-coa-1")
        let a2 = try store.add(tenant: alpha, name: "a2", address: "10.1.0.2", secret: "alpha-secret-2")
        let pool = try store.add(tenant: alpha, name: "pool", address: "10.1.1.0/24", secret: "alpha-secret-3")
        let b1 = try store.add(tenant: beta, name: "b1", address: "10.2.0.1", secret: "beta-secret-1", coaSecret: "beta-coa-1", vendor: "juniper")
        #expect(try store.dynamicAuthorization(tenantID: alpha.id, nasIDs: [b1.id]) == [:])
        let mixed = try store.dynamicAuthorization(tenantID: alpha.id, nasIDs: [b1.id, a2.id, a1.id, a1.id, pool.id, 999_999])
        #expect(mixed.keys.sorted() == [a1.id, a2.id])
        #expect(mixed.values.map { String(decoding: $0.secret, as: UTF8.self) }.sorted() == ["alpha-coa-1", "alpha-secret-2"])
        #expect(mixed.values.allSatisfy { $0.tenantID == alpha.id })
        // Another tenant's id never returns that tenant's NAS, whatever the tenant asked for.
        #expect(try store.dynamicAuthorization(tenantID: beta.id, nasIDs: [a1.id, a2.id]) == [:])
        #expect(try store.dynamicAuthorization(tenantID: beta.id, nasIDs: [b1.id, a1.id]).mapValues(\.vendor) == [b1.id: "juniper"])
        // Inside the tenant's own transaction (row-level security on) it reads the same.
        let scoped = try connection.tenantTransaction(alpha.id) { connection in
            try NASStore(connection: connection, cipher: TestDatabase.cipher).dynamicAuthorization(tenantID: alpha.id, nasIDs: [a1.id, b1.id])
        }
        #expect(scoped == [a1.id: mixed[a1.id]!])
        try store.remove(tenant: alpha, name: "a1")
        #expect(try store.dynamicAuthorization(tenantID: alpha.id, nasIDs: [a1.id, a2.id]).keys.sorted() == [a2.id])
    }

    @Test("Hostile ports, vendor names and CoA secrets are refused before anything is stored; the table refuses them too")
    func hostileInput() throws {
        let (connection, alpha, _, store) = try setUp()
        for port in [0, 65536, -1, Int.max] {
            let message = refusal { try store.add(tenant: alpha, name: "p", address: "10.0.0.1", secret: "accounting-secret", coaPort: port) }
            #expect(message == "the CoA port must be 1-65535, not \(port) (RFC 5176 assigns 3799)")
        }
        let vendors = [
            "../etc", "..", "mikrotik/../../etc/passwd", "Mikrotik", "", "-x", "_x", "a.toml", "x\0y", "x\n",
            "generic'; DROP TABLE nas_devices; --", String(repeating: "v", count: 41), "ünïcode",
        ]
        for vendor in vendors {
            let message = refusal { try store.add(tenant: alpha, name: "v", address: "10.0.0.1", secret: "accounting-secret", vendor: vendor) }
            #expect(
                message?.hasPrefix("vendor must be 1-40 characters of a-z, 0-9, '-' and '_'") == true,
                "\(vendor.debugDescription): \(message ?? "accepted")")
        }
        for secret in ["", String(repeating: "s", count: 129), "nul\0inside"] {
            let message = refusal { try store.add(tenant: alpha, name: "s", address: "10.0.0.1", secret: "accounting-secret", coaSecret: secret) }
            #expect(message == "the CoA secret must be 1-128 octets", "\(message ?? "accepted")")
        }
        #expect(try connection.query("SELECT count(*) FROM nas_devices").rows == [["0"]])

        let longest = String(repeating: "v", count: 40)
        let nas = try store.add(
            tenant: alpha, name: "ok", address: "10.0.0.1", secret: "accounting-secret", coaPort: 65535,
            coaSecret: String(repeating: "€", count: 42) + "12", vendor: longest)
        #expect(nas.coaPort == 65535 && nas.vendor == longest && nas.hasCoASecret)
        #expect(refusal { try store.update(tenant: alpha, name: "ok", coaPort: 0) }?.contains("1-65535") == true)
        #expect(refusal { try store.update(tenant: alpha, name: "ok", vendor: "../etc") }?.hasPrefix("vendor must be") == true)
        #expect(refusal { try store.update(tenant: alpha, name: "ok", coaSecret: .some("")) } == "the CoA secret must be 1-128 octets")
        #expect(try store.find(tenant: alpha, name: "ok") == nas)
        #expect(try store.update(tenant: alpha, name: "ok", coaPort: 1).coaPort == 1)

        // The schema holds the same lines against writes that bypass the store.
        for statement in [
            "UPDATE nas_devices SET vendor = '../etc'", "UPDATE nas_devices SET vendor = 'UPPER'",
            "UPDATE nas_devices SET coa_port = 0", "UPDATE nas_devices SET coa_port = 65536",
            "UPDATE nas_devices SET coa_secret_sealed = NULL", "UPDATE nas_devices SET coa_secret_octets = 129",
        ] {
            #expect(throws: PostgresError.self, "\(statement)") { try connection.execute(statement) }
        }
        #expect(try connection.query("SELECT coa_port, vendor, coa_secret_octets FROM nas_devices").rows == [["1", longest, "128"]])
    }

    @Test("NAS registered before schema version 10 get port 3799, vendor generic and their accounting secret")
    func upgrade() throws {
        let admin = try TestDatabase.connect()
        let name = "tg_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try admin.execute("CREATE DATABASE \(name)")
        let url = try #require(TestDatabase.url).replacingOccurrences(of: "postgresql:///postgres?", with: "postgresql:///\(name)?")
        let connection = try PostgresConnection(url: url)
        try connection.execute(
            "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
        for migration in Migrations.all where migration.version < 10 {
            try connection.execute(migration.sql)
            try connection.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [String(migration.version), migration.name])
        }
        let tenant = try connection.query("INSERT INTO tenants (slug, name) VALUES ('old', 'Old') RETURNING id").value(row: 0, column: 0)!
        let sealed = try TestDatabase.cipher.seal(Array("old-accounting".utf8), tenantID: Int64(tenant)!)
        let id = try connection.query(
            """
            INSERT INTO nas_devices (tenant_id, name, address, secret_sealed, secret_octets) VALUES ($1, 'legacy', '10.9.0.1', decode($2, 'hex'), 14)
            RETURNING id
            """, [tenant, hex(sealed)]
        ).value(row: 0, column: 0)!
        #expect(try Migrator.migrate(connection).first == 10)
        let store = NASStore(connection: connection, cipher: TestDatabase.cipher)
        let nas = try store.find(tenant: try TenantStore(connection: connection).require(slug: "old"), name: "legacy")
        #expect(nas.coaPort == 3799 && nas.vendor == "generic" && !nas.hasCoASecret)
        let settings = try store.dynamicAuthorization(tenantID: Int64(tenant)!, nasIDs: [Int64(id)!])
        #expect(settings.values.map { "\($0.address):\($0.port) \(String(decoding: $0.secret, as: UTF8.self))" } == ["10.9.0.1:3799 old-accounting"])
    }
}
