#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 or IPv6 address and port as the kernel takes it: a peer's address as received
/// (kept to answer it), or a configured address to listen on (`SocketAddress+Parsing.swift`).
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
                var high: UInt64 = 0
                var low: UInt64 = 0
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
