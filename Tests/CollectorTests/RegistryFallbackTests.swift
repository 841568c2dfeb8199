import Collector
import Storage
import Testing

private func nas(_ id: Int64, tenant: Int64, _ address: String, identifier: String? = nil, strict: Bool = false) -> RegisteredNAS {
    RegisteredNAS(
        device: NASDevice(
            id: id, tenantID: tenant, name: "nas\(id)", listener: "default", address: address, identifier: identifier,
            requireMessageAuthenticator: strict),
        secret: Array("secret-\(id)".utf8))
}

@Suite("NAS registry: shorter prefixes as fallback, IPv4-mapped sources")
struct RegistryFallbackTests {
    func lookup(_ registry: NASRegistry, _ address: String, identifier: String? = nil) -> Int64? {
        registry.lookup(listener: "default", source: IPAddress(address)!, identifier: identifier.map { Array($0.utf8)[...] })?.nasID
    }

    @Test("A longer prefix wanting another NAS-Identifier does not shadow a shorter one")
    func fallback() {
        let registry = NASRegistry(
            version: 1,
            devices: [
                nas(1, tenant: 1, "10.1.0.0/16", identifier: "wide"),
                nas(2, tenant: 2, "10.1.2.0/24", identifier: "narrow"),
                nas(3, tenant: 2, "10.1.2.3/32", identifier: "exact"),
                nas(4, tenant: 3, "10.0.0.0/8"),
            ], listeners: [])
        #expect(lookup(registry, "10.1.2.3", identifier: "exact") == 3)
        #expect(lookup(registry, "10.1.2.3", identifier: "narrow") == 2)
        // Skips the /32 and the /24 (other identifiers) for the /16.
        #expect(lookup(registry, "10.1.2.3", identifier: "wide") == 1)
        // And the /8 without identifier takes what nothing more specific accepts.
        #expect(lookup(registry, "10.1.2.3", identifier: "other") == 4)
        #expect(lookup(registry, "10.1.2.3") == 4)
        #expect(lookup(registry, "10.9.9.9", identifier: "wide") == 4)
        #expect(lookup(registry, "11.0.0.1") == nil)
    }

    @Test("A datagram too broken to show its NAS-Identifier counts for a NAS only when every datagram from the address goes to it")
    func soleNAS() {
        let registry = NASRegistry(
            version: 1,
            devices: [
                nas(1, tenant: 1, "10.1.0.0/16", identifier: "wide"),
                nas(2, tenant: 2, "10.1.2.0/24", identifier: "narrow"),
                nas(3, tenant: 2, "10.1.2.3/32", identifier: "exact"),
                nas(4, tenant: 3, "10.0.0.0/8"),
                nas(5, tenant: 4, "10.2.0.1"),
                nas(6, tenant: 5, "10.3.0.1", identifier: "a"),
                nas(7, tenant: 5, "10.3.0.1", identifier: "b"),
                nas(8, tenant: 6, "10.4.0.0/24"),
            ], listeners: [])
        func sole(_ address: String) -> Int64? { registry.soleNAS(listener: "default", source: IPAddress(address)!)?.nasID }
        #expect(sole("10.2.0.1") == 5) // alone at the address, no identifier
        #expect(sole("10.3.0.1") == nil) // two NAS, told apart by identifier
        #expect(sole("10.1.2.3") == nil) // NAS 3, 2, 1 or 4 by identifier
        #expect(sole("10.1.9.9") == nil) // NAS 1 with "wide", else NAS 4
        #expect(sole("10.4.0.9") == 8) // alone at its longest prefix, no identifier
        #expect(sole("10.9.9.9") == 4)
        #expect(sole("11.0.0.1") == nil)
        #expect(registry.soleNAS(listener: "other", source: IPAddress("10.2.0.1")!) == nil)
    }

    @Test("Status-Server: every NAS at the address is a candidate whatever the probe's NAS-Identifier, the one lookup picks first")
    func statusServerCandidates() {
        let registry = NASRegistry(
            version: 1,
            devices: [
                // Two NAS behind one RADIUS proxy at 10.3.0.1, told apart by NAS-Identifier.
                nas(6, tenant: 5, "10.3.0.1", identifier: "10.0.0.1"),
                nas(7, tenant: 5, "10.3.0.1", identifier: "10.0.0.2"),
                nas(1, tenant: 1, "10.1.0.0/16", identifier: "wide"),
                nas(2, tenant: 1, "10.1.2.0/24", identifier: "narrow"),
                nas(5, tenant: 4, "10.2.0.1"),
            ], listeners: [])
        func candidates(_ address: String, _ identifier: String?) -> [Int64] {
            registry.statusServerCandidates(
                listener: "default", source: IPAddress(address)!,
                identifier: identifier.map { Array($0.utf8)[...] }
            ).map(\.nasID)
        }
        // FreeRADIUS's probe names no registered NAS: both behind it are tried.
        #expect(candidates("10.3.0.1", "Status Check 0. Are you alive?") == [6, 7])
        #expect(candidates("10.3.0.1", "10.0.0.2") == [7, 6])
        #expect(candidates("10.3.0.1", nil) == [6, 7])
        // Most specific registration first; the one lookup picks leads.
        #expect(candidates("10.1.2.3", "other") == [2, 1])
        #expect(candidates("10.1.2.3", "wide") == [1, 2])
        #expect(candidates("10.2.0.1", "anything") == [5])
        #expect(candidates("10.9.0.1", nil) == [])
        #expect(registry.statusServerCandidates(listener: "other", source: IPAddress("10.3.0.1")!, identifier: nil).isEmpty)
        // Accounting still goes by NAS-Identifier only.
        #expect(lookup(registry, "10.3.0.1", identifier: "Status Check 0. Are you alive?") == nil)
    }

    @Test("::ffff:a.b.c.d is a.b.c.d, registered either way and sent from either")
    func mapped() throws {
        let registry = NASRegistry(
            version: 1,
            devices: [
                nas(1, tenant: 1, "192.0.2.7/32", strict: true),
                // A row stored in the mapped form (as registrations before normalisation were).
                nas(2, tenant: 2, "::ffff:198.51.100.0/120"),
                nas(3, tenant: 3, "2001:db8::/32"),
            ], listeners: [])
        #expect(lookup(registry, "::ffff:192.0.2.7") == 1)
        #expect(lookup(registry, "192.0.2.7") == 1)
        #expect(lookup(registry, "198.51.100.42") == 2)
        #expect(lookup(registry, "::ffff:198.51.100.255") == 2)
        #expect(lookup(registry, "198.51.101.1") == nil)
        #expect(lookup(registry, "2001:db8::1") == 3)
        #expect(registry.count == 3)
        // As a dual-stack socket reports an IPv4 sender.
        #expect((try SocketAddress(parsing: "[::ffff:192.0.2.7]:1813")).ipAddress == IPAddress("192.0.2.7"))
        #expect(IPAddress("::ffff:192.0.2.7") == IPAddress("::ffff:c000:207"))
        #expect(IPAddress("::ffff:300.0.0.1") == nil && IPAddress("1.2.3.4:5") == nil)
        #expect(registry.lookup(listener: "default", source: IPAddress("192.0.2.7")!, identifier: nil)?.requireMessageAuthenticator == true)
        #expect(registry.lookup(listener: "default", source: IPAddress("198.51.100.1")!, identifier: nil)?.requireMessageAuthenticator == false)
    }

    @Test("Lookups by prefix length find what a scan of every registration finds, over 5,000 random registrations and 500 lookups")
    func indexedLookupMatchesAScan() {
        var generator = SystemRandomNumberGenerator()
        var devices: [RegisteredNAS] = []
        var registered: [(prefix: UInt32, length: Int, identifier: String?, id: Int64)] = []
        for id in Int64(1)...5000 {
            // Addresses in 10.0.0.0/16 so that prefixes nest and overlap; lengths 16-32.
            let length = Int.random(in: 16...32, using: &generator)
            let address = UInt32(0x0A00_0000) | UInt32.random(in: 0...0xFFFF, using: &generator)
            let network = length == 32 ? address : address & ~(UInt32.max >> UInt32(length))
            let identifier: String? = Bool.random(using: &generator) ? "id\(id % 7)" : nil
            let text = "\(network >> 24).\((network >> 16) & 255).\((network >> 8) & 255).\(network & 255)/\(length)"
            devices.append(nas(id, tenant: id % 50 + 1, text, identifier: identifier))
            registered.append((network, length, identifier, id))
        }
        let registry = NASRegistry(version: 1, devices: devices, listeners: [])
        // The rule, written plainly: the longest matching length whose NAS accept the packet
        // (the one naming its identifier, else the first without one); shorter lengths after.
        func reference(_ source: UInt32, _ identifier: String?) -> Int64? {
            for length in stride(from: 32, through: 0, by: -1) {
                let mask = length == 0 ? 0 : ~(UInt32.max >> UInt32(length))
                let candidates = registered.filter { $0.length == length && $0.prefix & mask == source & mask }
                if candidates.isEmpty { continue }
                if candidates.count == 1, candidates[0].identifier == nil { return candidates[0].id }
                if let identifier, let named = candidates.first(where: { $0.identifier == identifier }) { return named.id }
                if let open = candidates.first(where: { $0.identifier == nil }) { return open.id }
            }
            return nil
        }
        var compared = 0
        for _ in 0..<500 {
            let source = UInt32(0x0A00_0000) | UInt32.random(in: 0...0x1FFFF, using: &generator)
            let identifier: String? = Bool.random(using: &generator) ? "id\(Int.random(in: 0...8, using: &generator))" : nil
            let text = "\(source >> 24).\((source >> 16) & 255).\((source >> 8) & 255).\(source & 255)"
            let found = lookup(registry, text, identifier: identifier)
            let expected = reference(source, identifier)
            // Equal-length NAS both without identifier: either may be chosen, as registered.
            if found != expected, let found, let expected,
                let a = registered.first(where: { $0.id == found }), let b = registered.first(where: { $0.id == expected }),
                a.length == b.length, a.identifier == b.identifier
            {
                continue
            }
            #expect(found == expected, "\(text) \(identifier ?? "-")")
            compared += 1
        }
        #expect(compared > 450)
    }
}
