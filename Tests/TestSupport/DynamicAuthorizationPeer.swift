import Foundation
import RADIUS

#if canImport(Glibc)
    import Glibc
#endif

/// Plays a NAS's dynamic-authorization port (RFC 5176) on 127.0.0.1 over real UDP.
///
/// Checks every request's Request Authenticator, Message-Authenticator and Event-Timestamp
/// with the secret and records what failed; records every request decoded; answers as the
/// script says for each request (ACK, NAK with an Error-Cause, nothing, hostile bytes, or an
/// answer from another port). Runs on its own thread until `stop()`.
public final class DynamicAuthorizationPeer: @unchecked Sendable {
    /// What the peer does with one request.
    public indirect enum Reply: Sendable {
        case ack
        case nak(errorCause: UInt32?)
        case silence
        /// Sends these bytes, built from the request, as the answer.
        case datagram(@Sendable (RADIUSPacket) -> [UInt8])
        /// Sends the reply from a second socket, so it comes from another port.
        case fromOtherPort(Reply)
        /// Sends each reply in turn.
        case sequence([Reply])
    }

    /// One request as received.
    public struct Request: Sendable {
        public var packet: RADIUSPacket
        public var attributes: [DecodedAttribute]
        /// 1 for the first request received, 2 for the second, ...
        public var call: Int
        /// Seconds since the peer started, by the kernel's receive timestamp.
        public var receivedAt: Double
        public var sourcePort: UInt16

        /// The first value of the attribute named `name`.
        public func value(_ name: String) -> AttributeValue? {
            attributes.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }

        /// Every value of the attribute named `name`, in packet order.
        public func values(_ name: String) -> [AttributeValue] {
            attributes.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
        }
    }

    public let port: UInt16
    private let secret: [UInt8]
    private let dictionary: RADIUSDictionary
    private let script: @Sendable (Request) -> Reply
    private let socket: Int32
    private let otherSocket: Int32
    private let lock = NSLock()
    private var received: [Request] = []
    private var problems: [String] = []
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)
    private let started = Date()

    /// Binds `address` (127.0.0.1 or ::1) on an ephemeral port and starts answering.
    public init(
        secret: [UInt8], dictionary: RADIUSDictionary = RADIUSDictionary(), address: String = "127.0.0.1",
        script: @escaping @Sendable (Request) -> Reply = { _ in .ack }
    ) throws {
        self.secret = secret
        self.dictionary = dictionary
        self.script = script
        let fd = try Self.bindLoopback(address)
        socket = fd
        otherSocket = try Self.bindLoopback(address)
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        // sin_port and sin6_port both sit at offset 2.
        port = withUnsafeBytes(of: bound) { UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self)) }
        let thread = Thread { [self] in run() }
        thread.name = "dynamic-authorization-peer"
        thread.start()
    }

    deinit {
        stop()
    }

    /// Every request received so far, in order.
    public var requests: [Request] { lock.withLock { received } }

    /// Requests that failed a check: a wrong Request Authenticator, a missing or wrong
    /// Message-Authenticator, a missing Event-Timestamp, an undecodable datagram.
    public var failures: [String] { lock.withLock { problems } }

    /// Stops the thread and closes the sockets; idempotent.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        finished.wait()
        close(socket)
        close(otherSocket)
    }

    private static func bindLoopback(_ text: String) throws -> Int32 {
        let isIPv6 = text.contains(":")
        let fd = Glibc.socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw PeerError("socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer: Int32 = 4 << 20
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        // A first SIOCGSTAMP (which fails: nothing received yet) makes the kernel stamp every
        // datagram from then on.
        var stamp = timeval()
        _ = ioctl(fd, 0x8906, &stamp)
        let result: Int32
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            guard inet_pton(AF_INET6, text, &address.sin6_addr) == 1 else {
                close(fd)
                throw PeerError("not an address: \(text)")
            }
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            guard inet_pton(AF_INET, text, &address.sin_addr) == 1 else {
                close(fd)
                throw PeerError("not an address: \(text)")
            }
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard result == 0 else {
            close(fd)
            throw PeerError("bind \(text): \(String(cString: strerror(errno)))")
        }
        return fd
    }

    private func run() {
        defer { finished.signal() }
        let crypto = RADIUSCrypto()
        var buffer = [UInt8](repeating: 0, count: 8192)
        while !lock.withLock({ stopping }) {
            var source = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &source) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(socket, raw.baseAddress, raw.count, 0, $0, &length) }
                }
            }
            guard count > 0 else { continue }
            // The kernel's receive time (SIOCGSTAMP), so a busy machine delaying this thread does
            // not distort the gaps between requests.
            var stamp = timeval()
            let receivedAt =
                ioctl(socket, 0x8906, &stamp) == 0
                ? Double(stamp.tv_sec) + Double(stamp.tv_usec) / 1_000_000 - started.timeIntervalSince1970
                : Date().timeIntervalSince(started)
            handle(Array(buffer[0..<count]), source: source, length: length, receivedAt: receivedAt, crypto: crypto)
        }
    }

    private func handle(_ datagram: [UInt8], source: sockaddr_storage, length: socklen_t, receivedAt: Double, crypto: RADIUSCrypto) {
        guard let packet = try? RADIUSPacket(decoding: datagram) else {
            lock.withLock { problems.append("undecodable datagram of \(datagram.count) octets") }
            return
        }
        var issues: [String] = []
        if !packet.verifyRequestAuthenticator(secret: secret, crypto: crypto) {
            issues.append("Identifier \(packet.identifier): wrong Request Authenticator")
        }
        switch packet.verifyMessageAuthenticator(secret: secret, crypto: crypto) {
        case .valid: break
        case .absent: issues.append("Identifier \(packet.identifier): no Message-Authenticator")
        case .invalid: issues.append("Identifier \(packet.identifier): wrong Message-Authenticator")
        }
        if packet.uint32(55) == nil { issues.append("Identifier \(packet.identifier): no Event-Timestamp") }
        let sourcePort = withUnsafeBytes(of: source) { UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self)) }
        let request = lock.withLock { () -> Request in
            problems.append(contentsOf: issues)
            let request = Request(
                packet: packet, attributes: packet.decodeAttributes(dictionary: dictionary), call: received.count + 1,
                receivedAt: receivedAt, sourcePort: sourcePort)
            received.append(request)
            return request
        }
        answer(script(request), to: packet, source: source, length: length, via: socket, crypto: crypto)
    }

    private func answer(_ reply: Reply, to request: RADIUSPacket, source: sockaddr_storage, length: socklen_t, via fd: Int32, crypto: RADIUSCrypto) {
        let kindIsCoA = request.code == .coaRequest
        switch reply {
        case .silence:
            return
        case .sequence(let replies):
            for reply in replies { answer(reply, to: request, source: source, length: length, via: fd, crypto: crypto) }
            return
        case .fromOtherPort(let reply):
            answer(reply, to: request, source: source, length: length, via: otherSocket, crypto: crypto)
            return
        case .datagram(let build):
            send(build(request), to: source, length: length, via: fd)
        case .ack, .nak:
            var builder = RADIUSPacketBuilder(
                code: {
                    if case .ack = reply { return kindIsCoA ? .coaACK : .disconnectACK }
                    return kindIsCoA ? .coaNAK : .disconnectNAK
                }(),
                identifier: request.identifier)
            if case .nak(let cause?) = reply { builder.append(type: 101, uint32: cause) }
            builder.appendEncodedAttributes([80, 18] + [UInt8](repeating: 0, count: 16))
            guard var packet = try? builder.build() else { return }
            try? packet.sign(secret: secret, requestAuthenticator: request.authenticator, crypto: crypto)
            send(packet.bytes, to: source, length: length, via: fd)
        }
    }

    private func send(_ bytes: [UInt8], to destination: sockaddr_storage, length: socklen_t, via fd: Int32) {
        var destination = destination
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &destination) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, raw.baseAddress, raw.count, 0, $0, length) }
            }
        }
    }
}

/// Why the peer could not start.
public struct PeerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
