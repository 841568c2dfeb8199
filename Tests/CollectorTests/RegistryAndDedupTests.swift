import Collector
import Storage
import Testing

private func device(_ id: Int64, tenant: Int64, address: String, listener: String = "default", identifier: String? = nil) -> RegisteredNAS {
    RegisteredNAS(
        device: NASDevice(id: id, tenantID: tenant, name: "nas\(id)", listener: listener, address: address, identifier: identifier),
        secret: Array("s\(id)".utf8))
}

@Suite("NAS registry lookup")
struct NASRegistryTests {
    let registry = NASRegistry(
        version: 1,
        devices: [
            device(1, tenant: 1, address: "10.0.0.1/32"),
            device(2, tenant: 1, address: "10.0.1.0/24"),
            device(3, tenant: 2, address: "10.0.1.128/25"),
            device(4, tenant: 2, address: "192.0.2.1/32", identifier: "bras-a"),
            device(5, tenant: 3, address: "192.0.2.1/32", identifier: "bras-b"),
            device(6, tenant: 3, address: "2001:db8::/64"),
            device(7, tenant: 4, address: "10.0.0.1/32", listener: "dedicated"),
            device(8, tenant: 5, address: "10.9.9.9/32", listener: "dedicated"),
        ], listeners: [ListenerAssignment(name: "dedicated", tenantID: 4)])

    func lookup(_ address: String, listener: String = "default", identifier: String? = nil) -> Int64? {
        registry.lookup(listener: listener, source: IPAddress(address)!, identifier: identifier.map { Array($0.utf8)[...] })?.nasID
    }

    @Test("Exact addresses, then the longest matching prefix")
    func prefixes() {
        #expect(lookup("10.0.0.1") == 1)
        #expect(lookup("10.0.1.5") == 2)
        #expect(lookup("10.0.1.200") == 3)
        #expect(lookup("10.0.2.1") == nil)
        #expect(lookup("2001:db8::42") == 6)
        #expect(lookup("2001:db9::42") == nil)
    }

    @Test("NAS sharing an address are told apart by NAS-Identifier, and need it")
    func identifiers() {
        #expect(lookup("192.0.2.1", identifier: "bras-a") == 4)
        #expect(lookup("192.0.2.1", identifier: "bras-b") == 5)
        #expect(lookup("192.0.2.1") == nil)
        #expect(lookup("192.0.2.1", identifier: "bras-c") == nil)
    }

    @Test("Listeners keep their NAS apart; a dedicated listener ignores other tenants' NAS")
    func listeners() {
        #expect(lookup("10.0.0.1", listener: "dedicated") == 7)
        #expect(lookup("10.9.9.9", listener: "dedicated") == nil)
        #expect(lookup("10.0.0.1", listener: "other") == nil)
        #expect(registry.count == 7)
    }
}

@Suite("RFC 5080 duplicate cache")
struct DedupCacheTests {
    let key = DedupCache.Key(address: IPAddress("127.0.0.1")!, port: 4000, identifier: 7, authenticatorHigh: 1, authenticatorLow: 2)

    @Test("New, then in flight, then answered with the cached response, then expired")
    func lifecycle() {
        var cache = DedupCache(lifetime: 1000)
        #expect(cache.check(key, now: 0) == .new)
        #expect(cache.check(key, now: 10) == .inFlight)
        cache.answered(key, response: [5, 7, 0, 20], now: 20)
        #expect(cache.check(key, now: 30) == .answered([5, 7, 0, 20]))
        #expect(cache.check(key, now: 2000) == .new)
    }

    @Test("A 20-octet Accounting-Response kept inline comes back octet for octet")
    func shortResponse() {
        var cache = DedupCache(lifetime: 1000)
        let response: [UInt8] = [5, 7, 0, 20, 0xFF, 0x00, 0x80, 0x7F, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xFE, 0x01]
        #expect(cache.check(key, now: 0) == .new)
        cache.answered(key, response: response, now: 5)
        #expect(cache.check(key, now: 6) == .answered(response))
        let other = DedupCache.Key(address: IPAddress("127.0.0.1")!, port: 4001, identifier: 7, authenticatorHigh: 1, authenticatorLow: 2)
        #expect(cache.check(other, now: 7) == .new)
        cache.answered(other, response: [UInt8](repeating: 0, count: 20), now: 8)
        #expect(cache.check(other, now: 9) == .answered([UInt8](repeating: 0, count: 20)))
    }

    @Test("Another Identifier, port or authenticator is another request")
    func distinctKeys() {
        var cache = DedupCache()
        #expect(cache.check(key, now: 0) == .new)
        var other = key
        other.identifier = 8
        #expect(cache.check(other, now: 0) == .new)
        other = key
        other.port = 4001
        #expect(cache.check(other, now: 0) == .new)
        other = key
        other.authenticatorLow = 3
        #expect(cache.check(other, now: 0) == .new)
    }

    @Test("A forgotten request (its batch failed) is processed again")
    func forget() {
        var cache = DedupCache()
        #expect(cache.check(key, now: 0) == .new)
        cache.forget(key)
        #expect(cache.check(key, now: 1) == .new)
    }

    @Test("Capacity bounds memory: the oldest entries go first")
    func capacity() {
        var cache = DedupCache(lifetime: 1_000_000, capacity: 100)
        for i in 0..<1000 {
            var k = key
            k.authenticatorLow = UInt64(i)
            _ = cache.check(k, now: Int64(i))
        }
        #expect(cache.count <= 101)
    }
}
