import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Which of the tenant's NAS devices a radacct row's NAS columns name.
///
/// In order: the operator's map (`--nas-map`) by NAS-Identifier, then by NASIPAddress; a
/// device whose NAS-Identifier is the row's NAS-Identifier, or its NASIPAddress (a NAS
/// registered behind FreeRADIUS, at FreeRADIUS's address); the device whose address (a prefix) holds
/// NASIPAddress, the longest prefix winning. `0.0.0.0` (what many NAS and FreeRADIUS write
/// when they know no address) is matched only through the map. Two devices equally good
/// for an address leave the row unmapped rather than guess.
public struct RadacctNASMap {
    /// A registered NAS device as the map sees it.
    public struct Device: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var address: String
        public var prefixLength: Int
        public var identifier: String?

        public init(id: Int64, name: String, address: String, prefixLength: Int, identifier: String?) {
            self.id = id
            self.name = name
            self.address = address
            self.prefixLength = prefixLength
            self.identifier = identifier
        }
    }

    private let devices: [(device: Device, network: [UInt8]?)]
    private let mapped: [String: Int64]
    private var resolved: [String: Int64?] = [:]

    /// `entries`: radacct NASIPAddress or NAS-Identifier = Tollgate NAS name.
    public init(devices: [Device], entries: [RadacctNASMapEntry] = []) throws(RadacctNASMapError) {
        let byName = Dictionary(devices.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
        var mapped: [String: Int64] = [:]
        for entry in entries {
            guard let id = byName[entry.nasName] else {
                throw RadacctNASMapError(line: entry.line, message: "the tenant has no NAS named '\(entry.nasName)' (see `tollgate nas list`)")
            }
            mapped[entry.source] = id
        }
        self.mapped = mapped
        self.devices = devices.map { ($0, Self.octets($0.address)) }
    }

    /// The NAS id for a row's NASIPAddress and NAS-Identifier, or nil when none fits.
    public mutating func nasID(address: String, identifier: String?) -> Int64? {
        let cacheKey = address + "\u{0}" + (identifier ?? "")
        if let known = resolved[cacheKey] { return known }
        let found = lookup(address: address, identifier: identifier)
        if resolved.count < 100_000 { resolved[cacheKey] = found }
        return found
    }

    private func lookup(address: String, identifier: String?) -> Int64? {
        if let identifier, let id = mapped[identifier] { return id }
        if let id = mapped[address] { return id }
        if let identifier {
            let named = devices.filter { $0.device.identifier == identifier }
            if named.count == 1 { return named[0].device.id }
        }
        // A NAS registered behind FreeRADIUS (its address FreeRADIUS's, its NAS-Identifier the
        // NAS's own address) is the one radacct names by NASIPAddress.
        if !address.isEmpty {
            let named = devices.filter { $0.device.identifier == address }
            if named.count == 1 { return named[0].device.id }
        }
        guard address != "0.0.0.0", address != "::", let octets = Self.octets(address) else { return nil }
        var best: (id: Int64, length: Int, tied: Bool)?
        for (device, network) in devices {
            guard let network, network.count == octets.count, Self.contains(network, device.prefixLength, octets) else { continue }
            if let current = best, current.length > device.prefixLength { continue }
            if let current = best, current.length == device.prefixLength {
                best = (current.id, current.length, true)
            } else {
                best = (device.id, device.prefixLength, false)
            }
        }
        guard let best, !best.tied else { return nil }
        return best.id
    }

    /// The address's octets (4 or 16), or nil when it is not an IP address.
    public static func octets(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: v6) { Array($0) } }
        return nil
    }

    private static func contains(_ network: [UInt8], _ length: Int, _ address: [UInt8]) -> Bool {
        var bits = length
        for index in 0..<network.count where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if network[index] & mask != address[index] & mask { return false }
            bits -= 8
        }
        return true
    }
}

/// One line of a NAS map file: `SOURCE = NAS-NAME`.
public struct RadacctNASMapEntry: Sendable, Equatable {
    public var source: String
    public var nasName: String
    public var line: Int

    public init(source: String, nasName: String, line: Int) {
        self.source = source
        self.nasName = nasName
        self.line = line
    }

    /// The entries of a NAS map file: one `NASIPAddress-or-NAS-Identifier = NAS name` a line;
    /// blank lines and `#` comments are ignored.
    public static func parse(_ text: String) throws(RadacctNASMapError) -> [RadacctNASMapEntry] {
        var entries: [RadacctNASMapEntry] = []
        var seen: Set<String> = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw RadacctNASMapError(line: index + 1, message: "expected `NASIPAddress-or-NAS-Identifier = NAS name`")
            }
            let source = line[..<equals].trimmingCharacters(in: .whitespaces)
            let name = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !source.isEmpty, !name.isEmpty else {
                throw RadacctNASMapError(line: index + 1, message: "expected `NASIPAddress-or-NAS-Identifier = NAS name`")
            }
            guard seen.insert(source).inserted else {
                throw RadacctNASMapError(line: index + 1, message: "\(source) is mapped twice")
            }
            entries.append(RadacctNASMapEntry(source: source, nasName: name, line: index + 1))
        }
        return entries
    }
}

/// A NAS map that cannot be used, with the line that says why.
public struct RadacctNASMapError: Error, Equatable, CustomStringConvertible, Sendable {
    public var line: Int
    public var message: String
    public var description: String { line > 0 ? "NAS map line \(line): \(message)" : message }
}
