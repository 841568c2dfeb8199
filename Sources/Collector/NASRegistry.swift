import RADIUS
import Storage

/// An IP address as 16 octets (IPv4 as ::ffff:a.b.c.d), for prefix matching.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(ipv4: UInt32) {
        self.init(high: 0, low: 0xffff_0000_0000 | UInt64(ipv4))
    }

    public var isIPv4: Bool { high == 0 && (low >> 32) == 0xffff }

    /// Parses a textual IPv4 or IPv6 address, including IPv6 ending in dotted IPv4
    /// (::ffff:192.0.2.1, as PostgreSQL prints an IPv4-mapped address).
    public init?(_ text: some StringProtocol) {
        if let v4 = IPv4Address(text) {
            self.init(ipv4: v4.rawValue)
            return
        }
        var text = String(text)
        if text.contains("."), let colon = text.lastIndex(of: ":") {
            guard let tail = IPv4Address(text[text.index(after: colon)...]) else { return nil }
            let value = tail.rawValue
            text = String(text[...colon]) + String(value >> 16, radix: 16) + ":" + String(value & 0xffff, radix: 16)
        }
        guard let v6 = IPv6Address(text) else { return nil }
        self.init(high: v6.high, low: v6.low)
    }

    /// Whether this address lies in `prefix`/`length` (length counted on the 128-bit form).
    func matches(_ prefix: IPAddress, length: Int) -> Bool {
        if length <= 0 { return true }
        if length <= 64 {
            let mask: UInt64 = length == 64 ? ~0 : ~(UInt64.max >> UInt64(length))
            return high & mask == prefix.high & mask
        }
        guard high == prefix.high else { return false }
        let bits = length - 64
        let mask: UInt64 = bits >= 64 ? ~0 : ~(UInt64.max >> UInt64(bits))
        return low & mask == prefix.low & mask
    }

    /// The first `length` bits of this address, the rest zero (length counted on the 128-bit form).
    func masked(to length: Int) -> IPAddress {
        if length <= 0 { return IPAddress(high: 0, low: 0) }
        if length <= 64 {
            let mask: UInt64 = length == 64 ? ~0 : ~(UInt64.max >> UInt64(length))
            return IPAddress(high: high & mask, low: 0)
        }
        let bits = length - 64
        let mask: UInt64 = bits >= 64 ? ~0 : ~(UInt64.max >> UInt64(bits))
        return IPAddress(high: high, low: low & mask)
    }

    public var description: String {
        isIPv4 ? IPv4Address(UInt32(truncatingIfNeeded: low)).description : IPv6Address(high: high, low: low).description
    }
}

/// A NAS the collector accepts packets from.
public struct KnownNAS: Sendable {
    public var tenantID: Int64
    public var nasID: Int64
    public var name: String
    public var identifier: String?
    public var secret: [UInt8]
    /// Accounting-Requests without a valid Message-Authenticator are dropped.
    public var requireMessageAuthenticator: Bool

    public init(tenantID: Int64, nasID: Int64, name: String, identifier: String?, secret: [UInt8], requireMessageAuthenticator: Bool = false) {
        self.tenantID = tenantID
        self.nasID = nasID
        self.name = name
        self.identifier = identifier
        self.secret = secret
        self.requireMessageAuthenticator = requireMessageAuthenticator
    }
}

/// Maps (listener, source address[, NAS-Identifier]) to a NAS: an immutable snapshot,
/// replaced whole when the registry changes in the database.
public struct NASRegistry: Sendable {
    private struct Entry: Sendable {
        var prefix: IPAddress
        var length: Int
        var nas: KnownNAS
    }

    /// The registrations of one prefix length: their networks (addresses masked to the length).
    private struct Level: Sendable {
        var length: Int
        var networks: [IPAddress: [KnownNAS]]
    }

    private var exact: [String: [IPAddress: [KnownNAS]]] = [:]
    private var prefixes: [String: [Entry]] = [:]
    /// The prefix registrations of each listener by length, longest first: a lookup costs one
    /// hash probe per distinct length, whatever the number of NAS.
    private var levels: [String: [Level]] = [:]
    /// Listener name -> the tenant it is dedicated to.
    private var dedicated: [String: Int64] = [:]
    public private(set) var version: Int64 = 0
    public private(set) var count = 0

    public init() {}

    public init(version: Int64, devices: [RegisteredNAS], listeners: [ListenerAssignment]) {
        self.version = version
        for listener in listeners {
            if let tenant = listener.tenantID { dedicated[listener.name] = tenant }
        }
        for device in devices {
            let d = device.device
            if let tenant = dedicated[d.listener], tenant != d.tenantID { continue }
            let parts = d.address.split(separator: "/")
            guard let address = IPAddress(parts[0]) else { continue }
            // Lengths count on the 128-bit form. An IPv4-mapped IPv6 prefix (registered before
            // such prefixes were stored as IPv4) already does.
            let ipv4Text = !parts[0].contains(":")
            guard var length = parts.count == 2 ? Int(parts[1]) : (ipv4Text ? 32 : 128) else { continue }
            if ipv4Text { length += 96 }
            guard (0...128).contains(length) else { continue }
            let nas = KnownNAS(
                tenantID: d.tenantID, nasID: d.id, name: d.name, identifier: d.identifier, secret: device.secret,
                requireMessageAuthenticator: d.requireMessageAuthenticator)
            if length == 128 {
                exact[d.listener, default: [:]][address, default: []].append(nas)
            } else {
                prefixes[d.listener, default: []].append(Entry(prefix: address, length: length, nas: nas))
            }
            count += 1
        }
        // Longest prefix first, so the most specific registration wins.
        for key in prefixes.keys { prefixes[key]!.sort { $0.length > $1.length } }
        for (listener, entries) in prefixes {
            var byLength: [Int: [IPAddress: [KnownNAS]]] = [:]
            for entry in entries { byLength[entry.length, default: [:]][entry.prefix.masked(to: entry.length), default: []].append(entry.nas) }
            levels[listener] = byLength.map { Level(length: $0.key, networks: $0.value) }.sorted { $0.length > $1.length }
        }
    }

    /// The NAS that sent a packet from `source` to `listener`, carrying `identifier` (the
    /// packet's NAS-Identifier, if any). A NAS registered with an identifier matches only
    /// packets that carry that identifier. The most specific registration that accepts the
    /// packet wins: when the NAS of the longest matching prefix all want another
    /// NAS-Identifier, shorter prefixes are tried, so they cannot shadow a wider registration.
    /// An IPv4-mapped source (::ffff:a.b.c.d) is the IPv4 address (`IPAddress` stores both alike).
    public func lookup(listener: String, source: IPAddress, identifier: ArraySlice<UInt8>?) -> KnownNAS? {
        if let candidates = exact[listener]?[source], let match = choose(candidates, identifier: identifier) {
            return match
        }
        for level in levels[listener] ?? [] {
            if let candidates = level.networks[source.masked(to: level.length)], let match = choose(candidates, identifier: identifier) {
                return match
            }
        }
        return nil
    }

    /// The NAS a Status-Server from `source` may have come from, whatever NAS-Identifier it
    /// carries, the one `lookup` chooses first, then the others at the address, most specific
    /// registration first. RFC 5997 probes ask after the server, not a NAS, and a RADIUS proxy
    /// puts an identifier of its own in them (FreeRADIUS: "Status Check 3. Are you alive?"),
    /// which names none of the NAS registered behind it by NAS-Identifier. The caller answers
    /// for the first whose secret signs the probe.
    public func statusServerCandidates(listener: String, source: IPAddress, identifier: ArraySlice<UInt8>?) -> [KnownNAS] {
        var candidates = exact[listener]?[source] ?? []
        for entry in prefixes[listener] ?? [] where source.matches(entry.prefix, length: entry.length) {
            candidates.append(entry.nas)
        }
        guard let chosen = lookup(listener: listener, source: source, identifier: identifier) else { return candidates }
        return [chosen] + candidates.filter { $0.nasID != chosen.nasID || $0.tenantID != chosen.tenantID }
    }

    /// The one NAS a datagram from `source` can only have come from, for counting a drop of a
    /// datagram too broken to read its NAS-Identifier: the NAS that takes every datagram from
    /// the address whatever its identifier (alone at the most specific match, the exact
    /// address or else the longest prefix, and without an identifier of its own); nil when
    /// NAS there are told apart by identifier, which a broken datagram cannot show.
    public func soleNAS(listener: String, source: IPAddress) -> KnownNAS? {
        func sole(_ candidates: [KnownNAS]) -> KnownNAS? {
            candidates.count == 1 && candidates[0].identifier == nil ? candidates[0] : nil
        }
        if let candidates = exact[listener]?[source] { return sole(candidates) }
        guard let entries = prefixes[listener] else { return nil }
        var candidates: [KnownNAS] = []
        var matchedLength = -1
        for entry in entries {
            if matchedLength >= 0 && entry.length < matchedLength { break }
            if source.matches(entry.prefix, length: entry.length) {
                matchedLength = entry.length
                candidates.append(entry.nas)
            }
        }
        return sole(candidates)
    }

    private func choose(_ candidates: [KnownNAS], identifier: ArraySlice<UInt8>?) -> KnownNAS? {
        if candidates.isEmpty { return nil }
        if candidates.count == 1, candidates[0].identifier == nil { return candidates[0] }
        for candidate in candidates {
            guard let wanted = candidate.identifier else { continue }
            if let identifier, identifier.elementsEqual(wanted.utf8) { return candidate }
        }
        return candidates.first { $0.identifier == nil }
    }
}
