#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address and UDP port, held as the socket address the kernel uses.
public struct UDPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address family: `AF_INET` or `AF_INET6`.
    public let family: Int32
    /// Network-order address octets: 4 for IPv4, 16 for IPv6.
    public let addressBytes: [UInt8]
    public let port: UInt16

    /// Parses a numeric IPv4 or IPv6 address (no host names: every address is explicit).
    public init?(host: String, port: UInt16) {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            family = AF_INET
            addressBytes = withUnsafeBytes(of: v4) { Array($0) }
            self.port = port
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            family = AF_INET6
            addressBytes = withUnsafeBytes(of: v6) { Array($0) }
            self.port = port
            return
        }
        return nil
    }

    /// Parses `HOST:PORT`, with IPv6 hosts in brackets: `127.0.0.1:1813`, `[::1]:1813`.
    public init?(parsing text: String) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = UInt16(portText) else { return nil }
        self.init(host: String(host), port: port)
    }

    /// Reads a socket address filled in by the kernel.
    init?(_ address: UnsafePointer<sockaddr>, length: socklen_t) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET where Int(length) >= MemoryLayout<sockaddr_in>.size:
            let v4 = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in.self)
            family = AF_INET
            addressBytes = withUnsafeBytes(of: v4.sin_addr) { Array($0) }
            port = UInt16(bigEndian: v4.sin_port)
        case AF_INET6 where Int(length) >= MemoryLayout<sockaddr_in6>.size:
            let v6 = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in6.self)
            family = AF_INET6
            addressBytes = withUnsafeBytes(of: v6.sin6_addr) { Array($0) }
            port = UInt16(bigEndian: v6.sin6_port)
        default:
            return nil
        }
    }

    /// Whether this is a loopback address (127.0.0.0/8 or ::1).
    public var isLoopback: Bool {
        if family == AF_INET { return addressBytes[0] == 127 }
        return addressBytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// The same address with another port.
    public func with(port: UInt16) -> UDPAddress {
        UDPAddress(family: family, addressBytes: addressBytes, port: port)
    }

    private init(family: Int32, addressBytes: [UInt8], port: UInt16) {
        self.family = family
        self.addressBytes = addressBytes
        self.port = port
    }

    /// The IPv4 address as a number, for NAS-IP-Address; nil for IPv6.
    var ipv4: UInt32? {
        guard family == AF_INET else { return nil }
        return addressBytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Calls `body` with this address as a `sockaddr` and its length.
    func withSocketAddress<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        if family == AF_INET {
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &v4.sin_addr) { $0.copyBytes(from: addressBytes) }
            return withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        var v6 = sockaddr_in6()
        v6.sin6_family = sa_family_t(AF_INET6)
        v6.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &v6.sin6_addr) { $0.copyBytes(from: addressBytes) }
        return withUnsafePointer(to: &v6) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let text: String = addressBytes.withUnsafeBytes { raw in
            guard inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return family == AF_INET6 ? "[\(text)]:\(port)" : "\(text):\(port)"
    }
}
