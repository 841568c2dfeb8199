import Accounting
import Storage
import TestSupport
import Testing

@Suite("Migrations, tenants and NAS registration", .enabled(if: TestDatabase.available))
struct StoreTests {
    @Test("Migrations apply once and report the version")
    func migrations() throws {
        let (_, connection) = try TestDatabase.fresh()
        #expect(try Migrator.currentVersion(connection) == Migrator.latestVersion)
        #expect(try Migrator.migrate(connection).isEmpty)
    }

    @Test("Tenants: create, list, find; bad values refused with the field named")
    func tenants() throws {
        let (_, connection) = try TestDatabase.fresh()
        let store = TenantStore(connection: connection)
        let a = try store.create(slug: "acme", name: "ACME Broadband", currency: "EUR", timeZone: "Europe/Vienna")
        #expect(a.timeZone == "Europe/Vienna")
        _ = try store.create(slug: "zeta", name: "Zeta")
        #expect(try store.list().map(\.slug) == ["acme", "zeta"])
        #expect(try store.find(slug: "acme") == a)
        #expect(try store.find(slug: "nope") == nil)
        for (slug, name, currency, zone, fragment) in [
            ("acme", "Dup", "EUR", "UTC", "already exists"),
            ("Bad Slug", "x", "EUR", "UTC", "slug"),
            ("x'; DROP TABLE tenants; --", "x", "EUR", "UTC", "slug"),
            ("ok", "x", "euro", "UTC", "currency"),
            ("ok", "x", "EUR", "Mars/Olympus", "time zone"),
            ("ok", "", "EUR", "UTC", "name"),
        ] {
            do {
                _ = try store.create(slug: slug, name: name, currency: currency, timeZone: zone)
                Issue.record("accepted \(slug)")
            } catch let error as StoreError {
                #expect(error.message.contains(fragment), "\(error)")
            }
        }
        // A name with SQL and unicode is stored exactly.
        let odd = try store.create(slug: "odd", name: "O'Brien \"Net\"; DROP TABLE x; -- ✓")
        #expect(try store.find(slug: "odd")?.name == odd.name)
    }

    @Test("NAS: add, list, rotate, remove; secrets sealed, never listed")
    func nasLifecycle() throws {
        let (_, connection) = try TestDatabase.fresh()
        let tenant = try TenantStore(connection: connection).create(slug: "acme", name: "ACME")
        let store = NASStore(connection: connection, cipher: TestDatabase.cipher)
        let nas = try store.add(tenant: tenant, name: "bras-1", address: "10.0.0.1", secret: "s3cret")
        #expect(nas.address == "10.0.0.1/32")
        #expect(try store.list(tenant: tenant).map(\.name) == ["bras-1"])
        let stored = try connection.query("SELECT encode(secret_sealed, 'escape') FROM nas_devices").value(row: 0, column: 0) ?? ""
        #expect(!stored.contains("s3cret"))
        var registry = try store.loadRegistry()
        #expect(registry.devices.first?.secret == Array("s3cret".utf8))
        let before = registry.version
        try store.rotateSecret(tenant: tenant, name: "bras-1", secret: "n3w")
        registry = try store.loadRegistry()
        #expect(registry.devices.first?.secret == Array("n3w".utf8))
        #expect(registry.version > before)
        #expect(throws: StoreError.self) { try store.rotateSecret(tenant: tenant, name: "nope", secret: "x") }
        try store.remove(tenant: tenant, name: "bras-1")
        #expect(try store.list(tenant: tenant).isEmpty)
        #expect(throws: StoreError.self) { try store.remove(tenant: tenant, name: "bras-1") }
        #expect(throws: StoreError.self) { try store.add(tenant: tenant, name: "x", address: "not-an-ip", secret: "s") }
        #expect(throws: StoreError.self) { try store.add(tenant: tenant, name: "x", address: "10.0.0.1/8", secret: "s") }
        #expect(throws: StoreError.self) { try store.add(tenant: tenant, name: "x", address: "10.0.0.1", secret: "") }
    }

    @Test("Ambiguous registrations are refused, naming the other NAS only within a tenant; listeners and identifiers disambiguate")
    func ambiguity() throws {
        let (_, connection) = try TestDatabase.fresh()
        let tenants = TenantStore(connection: connection)
        let a = try tenants.create(slug: "alpha", name: "Alpha")
        let b = try tenants.create(slug: "beta", name: "Beta")
        let store = NASStore(connection: connection, cipher: TestDatabase.cipher)
        _ = try store.add(tenant: a, name: "edge", address: "10.0.0.0/24", secret: "a")
        do {
            _ = try store.add(tenant: b, name: "core", address: "10.0.0.1", secret: "b")
            Issue.record("overlap accepted")
        } catch let error as StoreError {
            #expect(error.code == .conflict)
            // Another tenant's device is not named, nor its tenant or address.
            #expect(
                error.message.contains("another tenant") && !error.message.contains("alpha") && !error.message.contains("edge")
                    && !error.message.contains("10.0.0.0/24"))
        }
        do {
            _ = try store.add(tenant: a, name: "edge-2", address: "10.0.0.7", secret: "a")
            Issue.record("overlap accepted")
        } catch let error as StoreError {
            #expect(error.code == .conflict && error.message.contains("alpha/edge"), "the tenant's own device is named")
        }
        // Another listener: fine. Two NAS of one tenant on one address with distinct identifiers:
        // fine; another tenant's, even with a distinct identifier: refused (a sender chooses
        // the NAS-Identifier it puts in a packet).
        _ = try store.add(tenant: b, name: "core", address: "10.0.0.1", secret: "b", listener: "beta-port")
        _ = try store.add(tenant: a, name: "shared-1", address: "192.0.2.1", secret: "a", identifier: "nas-one")
        _ = try store.add(tenant: a, name: "shared-2", address: "192.0.2.1", secret: "a", identifier: "nas-two")
        #expect(throws: StoreError.self) { try store.add(tenant: a, name: "shared-3", address: "192.0.2.1", secret: "a", identifier: "nas-one") }
        #expect(throws: StoreError.self) { try store.add(tenant: b, name: "shared-4", address: "192.0.2.1", secret: "b", identifier: "nas-three") }
        #expect(throws: StoreError.self) { try store.add(tenant: b, name: "shared-5", address: "192.0.2.0/30", secret: "b") }
        // A listener dedicated to beta refuses alpha's NAS.
        try store.syncListeners([("beta-only", "beta")])
        #expect(throws: StoreError.self) { try store.add(tenant: a, name: "sneaky", address: "198.51.100.1", secret: "a", listener: "beta-only") }
        _ = try store.add(tenant: b, name: "legit", address: "198.51.100.1", secret: "b", listener: "beta-only")
    }

    @Test("A secret sealed for one tenant does not open for another or with another key")
    func secretBinding() throws {
        let sealed = try TestDatabase.cipher.seal(Array("pw".utf8), tenantID: 1)
        #expect(try TestDatabase.cipher.open(sealed, tenantID: 1) == Array("pw".utf8))
        #expect(throws: SecretCipher.Error.self) { try TestDatabase.cipher.open(sealed, tenantID: 2) }
        let other = try SecretCipher(hexKey: String(repeating: "cd", count: 32))
        #expect(throws: SecretCipher.Error.self) { try other.open(sealed, tenantID: 1) }
        #expect(throws: SecretCipher.Error.self) { try SecretCipher(hexKey: "abc") }
        #expect(SecretCipher.generateHexKey().count == 64)
    }
}
