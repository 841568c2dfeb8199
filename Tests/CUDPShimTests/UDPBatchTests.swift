import CUDPShim
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A UDP socket bound to 127.0.0.1 on a kernel-chosen port.
private func boundSocket() throws -> (fd: Int32, port: UInt16) {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    try #require(fd >= 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    try #require(bound == 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return (fd, UInt16(bigEndian: address.sin_port))
}

private func loopback(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = port.bigEndian
    return address
}

@Suite("recvmmsg/sendmmsg shim")
struct UDPBatchTests {
    @Test("A batch sends many datagrams in one call and receives them in one call")
    func roundTrip() throws {
        let receiver = try boundSocket()
        let sender = try boundSocket()
        defer {
            close(receiver.fd)
            close(sender.fd)
        }

        let out = try #require(tg_udp_batch_create(64, 4096))
        let incoming = try #require(tg_udp_batch_create(64, 4096))
        defer {
            tg_udp_batch_destroy(out)
            tg_udp_batch_destroy(incoming)
        }
        #expect(tg_udp_batch_capacity(out) == 64)

        var destination = loopback(port: receiver.port)
        for i in 0..<50 {
            let slot = try #require(tg_udp_batch_slot(out, UInt32(i), nil, nil))
            for j in 0..<(i + 1) { slot[j] = UInt8(truncatingIfNeeded: i) }
            let ok = withUnsafePointer(to: &destination) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    tg_udp_batch_prepare(out, UInt32(i), UInt32(i + 1), $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            #expect(ok == 0)
        }
        #expect(tg_udp_batch_send(sender.fd, out, 50) == 50)

        var received = 0
        for _ in 0..<100 where received < 50 {
            let n = tg_udp_batch_receive(receiver.fd, incoming)
            #expect(n >= 0)
            for k in 0..<Int(n) {
                var length: UInt32 = 0
                var truncated: Int32 = 0
                let slot = try #require(tg_udp_batch_slot(incoming, UInt32(k), &length, &truncated))
                #expect(truncated == 0)
                #expect(Int(length) == received + 1)
                #expect(slot[0] == UInt8(received))
                var addressLength: socklen_t = 0
                let address = try #require(tg_udp_batch_address(incoming, UInt32(k), &addressLength))
                #expect(Int32(address.pointee.sa_family) == AF_INET)
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    #expect(UInt16(bigEndian: $0.pointee.sin_port) == sender.port)
                }
                received += 1
            }
            if n == 0 { usleep(1000) }
        }
        #expect(received == 50)
        // Nothing waiting: 0, not an error and not a block.
        #expect(tg_udp_batch_receive(receiver.fd, incoming) == 0)
    }

    @Test("Datagrams longer than a slot are flagged as truncated")
    func truncation() throws {
        let receiver = try boundSocket()
        let sender = try boundSocket()
        defer {
            close(receiver.fd)
            close(sender.fd)
        }
        let batch = try #require(tg_udp_batch_create(4, 32))
        defer { tg_udp_batch_destroy(batch) }
        var destination = loopback(port: receiver.port)
        let payload = [UInt8](repeating: 1, count: 100)
        _ = payload.withUnsafeBytes { raw in
            withUnsafePointer(to: &destination) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(sender.fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        var n: Int32 = 0
        for _ in 0..<100 where n == 0 {
            n = tg_udp_batch_receive(receiver.fd, batch)
            if n == 0 { usleep(1000) }
        }
        #expect(n == 1)
        var truncated: Int32 = 0
        _ = tg_udp_batch_slot(batch, 0, nil, &truncated)
        #expect(truncated == 1)
    }

    @Test("Bad arguments are refused")
    func badArguments() throws {
        #expect(tg_udp_batch_create(0, 10) == nil)
        let batch = try #require(tg_udp_batch_create(2, 16))
        defer { tg_udp_batch_destroy(batch) }
        var address = loopback(port: 9)
        let tooLong = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { tg_udp_batch_prepare(batch, 0, 17, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(tooLong == -EINVAL)
        #expect(tg_udp_batch_slot(batch, 2, nil, nil) == nil)
        #expect(tg_udp_batch_send(-1, batch, 3) == -EINVAL)
    }
}
