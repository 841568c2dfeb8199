#if canImport(Glibc)
    import Glibc
#endif

/// A NAS's address and port as one comparable value: IPv4 in its ::ffff:0:0/96 mapped form,
/// so answers read from the dual-stack socket compare equal to the address sent to.
struct UDPDestination: Hashable, Sendable, CustomStringConvertible {
    var high: UInt64
    var low: UInt64
    var port: UInt16

    /// Parses a numeric IPv4 or IPv6 address (no name lookup: the client never blocks on DNS).
    init?(host: String, port: UInt16) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            high = 0
            low = 0xffff_0000_0000 | UInt64(UInt32(bigEndian: v4.s_addr))
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
            low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        } else {
            return nil
        }
        self.port = port
    }

    /// Reads a received datagram's source address.
    init?(_ storage: sockaddr_storage) {
        var copy = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &copy) { $0.load(as: sockaddr_in.self) }
            high = 0
            low = 0xffff_0000_0000 | UInt64(UInt32(bigEndian: address.sin_addr.s_addr))
            port = UInt16(bigEndian: address.sin_port)
        case AF_INET6:
            let address = withUnsafeBytes(of: &copy) { $0.load(as: sockaddr_in6.self) }
            let bytes = withUnsafeBytes(of: address.sin6_addr) { Array($0) }
            high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
            low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
            port = UInt16(bigEndian: address.sin6_port)
        default:
            return nil
        }
    }

    var isIPv4: Bool { high == 0 && low >> 32 == 0xffff }

    /// The socket address to send to on a socket of `family` (AF_INET6 sends IPv4 mapped).
    func socketAddress(family: Int32) -> (sockaddr_storage, socklen_t)? {
        var storage = sockaddr_storage()
        if family == AF_INET {
            guard isIPv4 else { return nil }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = UInt32(truncatingIfNeeded: low).bigEndian
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: address) { dst.copyMemory(from: $0) } }
            return (storage, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * i))
            bytes[8 + i] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * i))
        }
        withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: bytes) }
        withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: address) { dst.copyMemory(from: $0) } }
        return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size))
    }

    var description: String {
        if isIPv4 {
            let v4 = UInt32(truncatingIfNeeded: low)
            let octets: [String] = [24, 16, 8, 0].map { (shift: UInt32) -> String in String((v4 >> shift) & 0xff) }
            return octets.joined(separator: ".") + ":" + String(port)
        }
        var groups: [String] = []
        for half in [high, low] {
            for shift: UInt64 in [48, 32, 16, 0] { groups.append(String((half >> shift) & 0xffff, radix: 16)) }
        }
        return "[" + groups.joined(separator: ":") + "]:" + String(port)
    }
}

/// The client's one UDP socket: dual-stack IPv6 when the host has IPv6, IPv4 otherwise.
struct DynamicAuthorizationSocket: Sendable {
    let descriptor: Int32
    let family: Int32

    /// Opens a non-blocking socket bound to an ephemeral port on every address.
    static func open() throws -> DynamicAuthorizationSocket {
        if let socket = try? open(family: AF_INET6) { return socket }
        return try open(family: AF_INET)
    }

    private static func open(family: Int32) throws -> DynamicAuthorizationSocket {
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw DynamicAuthorizationClientError("cannot open a UDP socket: \(String(cString: strerror(errno)))") }
        var off: Int32 = 0
        var buffer: Int32 = 4 << 20
        // Bursts of thousands of requests: larger buffers than the default ~200 KB.
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        var result: Int32
        if family == AF_INET6 {
            guard setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &off, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                close(fd)
                throw DynamicAuthorizationClientError("cannot make the UDP socket dual-stack: \(String(cString: strerror(errno)))")
            }
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw DynamicAuthorizationClientError("cannot bind the UDP socket: \(message)")
        }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        return DynamicAuthorizationSocket(descriptor: fd, family: family)
    }

    /// Sends one datagram; returns errno on failure.
    func send(_ bytes: [UInt8], to destination: UDPDestination) -> Int32? {
        guard let address = destination.socketAddress(family: family) else { return EAFNOSUPPORT }
        var storage = address.0
        let length = address.1
        let sent = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, raw.baseAddress, raw.count, 0, $0, length) }
            }
        }
        return sent == bytes.count ? nil : errno
    }

    /// Reads one datagram without blocking into `buffer`; nil when none is waiting.
    func receive(into buffer: inout [UInt8]) -> (count: Int, source: sockaddr_storage)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let count = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(descriptor, raw.baseAddress, raw.count, 0, $0, &length) }
            }
        }
        guard count >= 0 else { return nil }
        return (count, storage)
    }
}

/// Why the client could not start.
public struct DynamicAuthorizationClientError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
