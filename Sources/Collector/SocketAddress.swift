#if canImport(Glibc)
import Glibc
#endif

/// A peer's socket address as received, kept to answer it.
public struct SocketAddress: @unchecked Sendable {
    public var storage = sockaddr_storage()
    public var length: socklen_t = 0

    public init() {}

    init(_ address: UnsafePointer<sockaddr>, length: socklen_t) {
        self.length = min(length, socklen_t(MemoryLayout<sockaddr_storage>.size))
        withUnsafeMutableBytes(of: &storage) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(self.length)))
        }
    }

    /// Parses `host:port`, `[v6]:port` or `*:port`.
    public init?(hostPort text: String) {
        var host: Substring
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { return nil }
        }
        guard let port = UInt16(portText) else { return nil }
        if host == "*" || host.isEmpty { host = "0.0.0.0" }
        self.init()
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, String(host), &v4) == 1 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr = v4
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: address) { dst.copyMemory(from: $0) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        } else if inet_pton(AF_INET6, String(host), &v6) == 1 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = v6
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: address) { dst.copyMemory(from: $0) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            return nil
        }
    }

    public var family: Int32 { Int32(storage.ss_family) }

    public var port: UInt16 {
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET { return UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self)) }
            if family == AF_INET6 { return UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self)) }
            return 0
        }
    }

    /// The address part (IPv4 as its ::ffff: mapped form).
    public var ipAddress: IPAddress {
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET {
                let v4 = UInt32(bigEndian: raw.load(fromByteOffset: 4, as: UInt32.self))
                return IPAddress(ipv4: v4)
            }
            if family == AF_INET6 {
                var high: UInt64 = 0, low: UInt64 = 0
                for i in 0..<8 { high = high << 8 | UInt64(raw[8 + i]) }
                for i in 0..<8 { low = low << 8 | UInt64(raw[16 + i]) }
                return IPAddress(high: high, low: low)
            }
            return IPAddress(high: 0, low: 0)
        }
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}

/// Microseconds since 1970 UTC, from the real-time clock.
func nowMicroseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
}

/// Monotonic microseconds, for measuring durations.
func monotonicMicroseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
}
