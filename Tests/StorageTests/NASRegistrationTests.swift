import Storage
import TestSupport
import Testing

@Suite("NAS registration: shared listeners, mapped addresses, limits, secrets", .enabled(if: TestDatabase.available))
struct NASRegistrationTests {
    func setUp() throws -> (connection: PostgresConnection, alpha: Tenant, beta: Tenant) {
        let (_, connection) = try TestDatabase.fresh()
        let tenants = TenantStore(connection: connection)
        return (connection, try tenants.create(slug: "alpha", name: "Alpha"), try tenants.create(slug: "beta", name: "Beta"))
    }

    func conflict(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as StoreError {
            return error.code == .conflict || error.code == .invalid ? error.message : "code \(error.code)"
        } catch {
            return "\(error)"
        }
    }

    @Test("Overlapping another tenant's NAS on a shared listener is refused whatever the NAS-Identifiers, by registration or update")
    func sharedListenerOverlap() throws {
        let (connection, alpha, beta) = try setUp()
        let store = NASStore(connection: connection, cipher: TestDatabase.cipher)
        _ = try store.add(tenant: alpha, name: "wide", address: "10.1.0.0/16", secret: "alpha-secret", identifier: "wide")
        let message = conflict { try store.add(tenant: beta, name: "narrow", address: "10.1.2.0/24", secret: "beta-secret", identifier: "narrow") }
        #expect(message?.contains("another tenant") == true && message?.contains("alpha") == false, "\(message ?? "accepted")")
        _ = try store.add(tenant: beta, name: "elsewhere", address: "10.2.0.1", secret: "beta-secret")
        #expect(conflict { try store.update(tenant: beta, name: "elsewhere", address: "10.1.200.1", identifier: .some("x")) } != nil)
        // Within one tenant distinct identifiers still tell NAS apart; a dedicated listener is separate.
        _ = try store.add(tenant: alpha, name: "inner", address: "10.1.2.0/24", secret: "alpha-secret", identifier: "inner")
        _ = try store.add(tenant: beta, name: "own-port", address: "10.1.2.0/24", secret: "beta-secret", listener: "beta-port")
        #expect(try connection.query("SELECT count(*) FROM nas_devices").rows == [["4"]])
    }

    @Test("IPv4-mapped IPv6 is stored as IPv4, overlaps across both forms are caught, a prefix covering all mapped addresses is refused")
    func mappedAddresses() throws {
        let (connection, alpha, beta) = try setUp()
        let store = NASStore(connection: connection, cipher: TestDatabase.cipher)
        #expect(try store.add(tenant: alpha, name: "a", address: "::ffff:192.0.2.7", secret: "alpha-secret").address == "192.0.2.7/32")
        #expect(try store.add(tenant: alpha, name: "b", address: "::FFFF:198.51.100.0/120", secret: "alpha-secret").address == "198.51.100.0/24")
        #expect(
            try store.add(tenant: alpha, name: "c", address: "0:0:0:0:0:ffff:c633:6500/120", secret: "alpha-secret").address
                == "198.51.101.0/24")
        #expect(conflict { try store.add(tenant: beta, name: "x", address: "192.0.2.7", secret: "beta-secret") } != nil)
        #expect(conflict { try store.add(tenant: beta, name: "y", address: "::ffff:198.51.100.128/121", secret: "beta-secret") } != nil)
        let wide = conflict { try store.add(tenant: beta, name: "z", address: "::/0", secret: "beta-secret") }
        #expect(wide?.contains("IPv4-mapped") == true, "\(wide ?? "accepted")")
        #expect(conflict { try store.add(tenant: beta, name: "z", address: "::ffff:0:0/95", secret: "beta-secret") } != nil)
        #expect(try store.add(tenant: beta, name: "v6", address: "2001:db8::/32", secret: "beta-secret").address == "2001:db8::/32")
        #expect(try store.update(tenant: beta, name: "v6", address: "::ffff:203.0.113.9").address == "203.0.113.9/32")
    }

    @Test("A tenant's NAS count is limited; other tenants are not affected")
    func limit() throws {
        let (connection, alpha, beta) = try setUp()
        let store = NASStore(connection: connection, cipher: TestDatabase.cipher, limit: 2)
        _ = try store.add(tenant: alpha, name: "one", address: "10.0.0.1", secret: "alpha-secret")
        _ = try store.add(tenant: alpha, name: "two", address: "10.0.0.2", secret: "alpha-secret")
        let refused = conflict { try store.add(tenant: alpha, name: "three", address: "10.0.0.3", secret: "alpha-secret") }
        #expect(refused?.contains("already has 2 NAS") == true && refused?.contains("nas_limit_per_tenant = 2") == true, "\(refused ?? "accepted")")
        _ = try store.add(tenant: beta, name: "three", address: "10.0.0.3", secret: "beta-secret")
        try store.remove(tenant: alpha, name: "one")
        _ = try store.add(tenant: alpha, name: "three", address: "10.0.0.4", secret: "alpha-secret")
        #expect(try store.list(tenant: alpha).map(\.name) == ["three", "two"])
    }

    @Test("Secrets under 12 octets are flagged weak from the stored length; older rows are measured and recorded by the registry load")
    func weakSecrets() throws {
        let (connection, alpha, _) = try setUp()
        let store = NASStore(connection: connection, cipher: TestDatabase.cipher)
        #expect(try store.add(tenant: alpha, name: "eleven", address: "10.0.0.1", secret: "abcdefghijk").weakSecret == true)
        #expect(try store.add(tenant: alpha, name: "twelve", address: "10.0.0.2", secret: "abcdefghijkl").weakSecret == false)
        // Octets, not characters: 4 characters, 12 octets.
        #expect(try store.add(tenant: alpha, name: "utf8", address: "10.0.0.3", secret: "€€€€").weakSecret == false)
        #expect(try store.list(tenant: alpha).map(\.weakSecret) == [true, false, false])
        try store.rotateSecret(tenant: alpha, name: "eleven", secret: "a-long-enough-secret")
        try store.rotateSecret(tenant: alpha, name: "twelve", secret: "short")
        #expect(try store.find(tenant: alpha, name: "eleven").weakSecret == false)
        #expect(try store.find(tenant: alpha, name: "twelve").weakSecret == true)
        #expect(
            try connection.query("SELECT name, secret_octets FROM nas_devices ORDER BY name").rows
                == [["eleven", "20"], ["twelve", "5"], ["utf8", "12"]])

        // A row written before the length was recorded.
        try connection.execute("UPDATE nas_devices SET secret_octets = NULL")
        #expect(try store.list(tenant: alpha).map(\.weakSecret) == [false, true, false])
        let other = NASStore(connection: connection, cipher: try SecretCipher(hexKey: String(repeating: "cd", count: 32)))
        #expect(throws: StoreError.self) { try other.list(tenant: alpha) }
        let registry = try store.loadRegistry()
        #expect(registry.devices.map(\.device.weakSecret) == [false, true, false])
        #expect(
            try connection.query("SELECT name, secret_octets FROM nas_devices ORDER BY name").rows
                == [["eleven", "20"], ["twelve", "5"], ["utf8", "12"]])
        #expect(try store.loadRegistry().version == registry.version + 1)
    }

    @Test("require_message_authenticator is stored, changed by update, and loaded into the registry")
    func requireMessageAuthenticator() throws {
        let (connection, alpha, _) = try setUp()
        let store = NASStore(connection: connection, cipher: TestDatabase.cipher)
        #expect(
            try store.add(
                tenant: alpha, name: "strict", address: "10.0.0.1", secret: "alpha-secret",
                requireMessageAuthenticator: true
            ).requireMessageAuthenticator == true)
        #expect(try store.add(tenant: alpha, name: "lax", address: "10.0.0.2", secret: "alpha-secret").requireMessageAuthenticator == false)
        #expect(try store.loadRegistry().devices.map(\.device.requireMessageAuthenticator) == [true, false])
        // An update that does not mention it keeps it.
        #expect(try store.update(tenant: alpha, name: "strict", address: "10.0.0.9").requireMessageAuthenticator == true)
        #expect(try store.update(tenant: alpha, name: "strict", requireMessageAuthenticator: false).requireMessageAuthenticator == false)
        #expect(try store.update(tenant: alpha, name: "lax", requireMessageAuthenticator: true).requireMessageAuthenticator == true)
        #expect(try store.list(tenant: alpha).map { "\($0.name)=\($0.requireMessageAuthenticator)" } == ["lax=true", "strict=false"])
    }
}
