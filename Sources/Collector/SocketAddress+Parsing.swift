#if canImport(Glibc)
    import Glibc
#endif

/// Addresses as configuration writes them: `host:port`, `[ipv6]:port` or `*:port`, with a
/// numeric host (a listener never waits on name resolution at start-up).
extension SocketAddress: Hashable, CustomStringConvertible {
    /// Why a text is not an address, completing "must be host:port ...: ".
    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Parses `host:port`, `[ipv6]:port` or `*:port` (`*` or an empty host: every IPv4
    /// address). The port is 0...65535, 0 asking the kernel for a free one.
    public init(parsing text: String) throws(ParseError) {
        var host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw ParseError("'[' without ']' around the IPv6 address") }
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ParseError("no :port after the bracketed address") }
            host = text[text.index(after: text.startIndex)..<close]
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw ParseError("no :port") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { throw ParseError("an IPv6 address goes in brackets, as [::1]:1813") }
        }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ParseError("the port '\(portText)' is not a number")
        }
        guard let port = UInt16(portText) else { throw ParseError("the port \(portText) is not between 0 and 65535") }
        if host == "*" || host.isEmpty { host = "0.0.0.0" }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, String(host), &v4) == 1 {
            self.init(ipv4: UInt32(bigEndian: v4.s_addr), port: port)
        } else if inet_pton(AF_INET6, String(host), &v6) == 1 {
            self.init()
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = v6
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: address) { dst.copyMemory(from: $0) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            throw ParseError("'\(host)' is not a numeric IPv4 or IPv6 address")
        }
    }

    /// An IPv4 address (host order, 0x7f000001 for 127.0.0.1) and port.
    public init(ipv4: UInt32, port: UInt16) {
        self.init()
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: ipv4.bigEndian)
        withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: address) { dst.copyMemory(from: $0) } }
        length = socklen_t(MemoryLayout<sockaddr_in>.size)
    }

    /// The address's octets in network order: 4 for IPv4, 16 for IPv6, none otherwise.
    private var addressBytes: [UInt8] {
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET { return Array(raw[4..<8]) }
            if family == AF_INET6 { return Array(raw[8..<24]) }
            return []
        }
    }

    /// The numeric host, without brackets: "127.0.0.1", "::1".
    public var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        return addressBytes.withUnsafeBytes { raw in
            guard inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// `host:port`, IPv6 in brackets: what `init(parsing:)` reads back.
    public var description: String {
        family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public static func == (a: SocketAddress, b: SocketAddress) -> Bool {
        a.family == b.family && a.port == b.port && a.addressBytes == b.addressBytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(family)
        hasher.combine(port)
        hasher.combine(addressBytes)
    }
}
