import Foundation
import TestSupport
import Testing

@testable import Storage

@Suite("API tokens in PostgreSQL", .enabled(if: TestDatabase.available))
struct TokenStoreTests {
    @Test("A token authenticates as its role and tenant; altered, unknown, malformed and revoked ones do not; only a hash is stored")
    func authenticate() throws {
        let (_, connection) = try TestDatabase.fresh()
        let tenant = try TenantStore(connection: connection).create(slug: "acme", name: "ACME")
        let store = TokenStore(connection: connection)
        let billing = try store.create(tenant: tenant, role: .billing, name: "desk")
        let admin = try store.create(tenant: nil, role: .admin, name: "platform")
        #expect(billing.secret.hasPrefix("tg_\(billing.token.id)_") && billing.secret.utf8.count == 84)
        #expect(try store.authenticate(billing.secret) == Principal(tokenID: billing.token.id, role: .billing, tenant: tenant))
        #expect(try store.authenticate(admin.secret) == Principal(tokenID: admin.token.id, role: .admin, tenant: nil))
        let stored = try connection.query("SELECT t::text FROM api_tokens t").rows.flatMap { $0 }.compactMap { $0 }.joined()
        #expect(!stored.contains(String(billing.secret.suffix(64))) && !stored.contains(String(admin.secret.suffix(64))))

        var altered = Array(billing.secret.utf8)
        altered[50] = altered[50] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
        for presented in [
            String(decoding: altered, as: UTF8.self), "tg_ffffffffffffffff_" + String(billing.secret.suffix(64)),
            String(billing.secret.dropLast()), billing.secret + "0", "", "Bearer " + billing.secret,
            billing.secret.uppercased(), "tg_'; DROP TABLE api_tokens; --" + String(repeating: "x", count: 53),
        ] {
            #expect(try store.authenticate(presented) == nil, "\(presented.prefix(30))")
        }
        #expect(try store.list(tenant: tenant).map(\.lastUsedAt).allSatisfy { $0 != nil }, "last use recorded")
        try store.revoke(id: billing.token.id)
        #expect(try store.authenticate(billing.secret) == nil)
        #expect(throws: StoreError.self) { try store.revoke(id: billing.token.id) }
        #expect(try store.list(tenant: nil).count == 2)
        #expect(try store.list(tenant: tenant).map(\.revokedAt).allSatisfy { $0 != nil })
        #expect(throws: StoreError.self) { try store.create(tenant: tenant, role: .admin, name: "x") }
        #expect(throws: StoreError.self) { try store.create(tenant: nil, role: .operator, name: "x") }
        #expect(throws: StoreError.self) { try store.create(tenant: tenant, role: .operator, name: "") }
    }
}
