import Foundation
import NASSimulator
import RADIUS
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny accounting server for the simulator's tests: verifies each request and answers it
/// (or not, as configured), recording everything it saw. Runs on its own thread until `stop()`.
final class TestResponder: @unchecked Sendable {
    struct Configuration {
        /// The secret requests are verified with.
        var secret = Array("testing123".utf8)
        /// The secret answers are signed with; a different one makes every answer fail verification.
        var answerSecret: [UInt8]?
        /// Datagrams dropped, unanswered, before answering starts.
        var dropFirst = 0
        /// Holds answers until this many requests are waiting (or `maximumHold` passed).
        var holdUntil = 1
        /// The longest an answer is held, in seconds.
        var maximumHold = 0.05
        /// Whether to answer at all.
        var answers = true
        /// Whether Status-Server answers carry a Message-Authenticator.
        var messageAuthenticatorInStatusAnswers = true
        /// Corrupts the Message-Authenticator of Status-Server answers (after signing).
        var corruptStatusAnswers = false
        /// Answer every request twice.
        var answerTwice = false
        var bindAddress = "127.0.0.1"
    }

    /// One datagram as received.
    struct Received {
        var source: String
        var sourcePort: UInt16
        var bytes: [UInt8]
        var packet: RADIUSPacket?
        var fields: AccountingFields?
        var authenticatorValid: Bool
        var messageAuthenticator: RADIUSPacket.MessageAuthenticatorStatus
        /// Requests of the same Acct-Session-Id received but not yet answered when this one arrived
        /// (exact copies excluded).
        var sameSessionInHand: Int
        var dropped: Bool

        func text(_ range: Range<Int>?) -> String? {
            range.map { String(decoding: bytes[$0], as: UTF8.self) }
        }

        var sessionID: String? { text(fields?.sessionID) }
        var userName: String? { text(fields?.userName) }
    }

    private struct Held {
        var request: RADIUSPacket
        var sessionID: String?
        var destination: sockaddr_storage
        var destinationLength: socklen_t
        var since: Double
    }

    let configuration: Configuration
    let address: UDPAddress
    private let fd: Int32
    private let lock = NSLock()
    private var _received: [Received] = []
    private var _maximumInHand = 0
    private var stopping = false
    private var stopped = false
    private let crypto = RADIUSCrypto()

    init(_ configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        let local = try #require(UDPAddress(host: configuration.bindAddress, port: 0))
        let fd = socket(local.family, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        self.fd = fd
        var size: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        var length: socklen_t
        if local.family == AF_INET {
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, configuration.bindAddress, &v4.sin_addr)
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeBytes(of: v4) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
        } else {
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            inet_pton(AF_INET6, configuration.bindAddress, &v6.sin6_addr)
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeBytes(of: v6) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        try #require(bound == 0)
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        let port: UInt16 = withUnsafeBytes(of: actual) { raw in
            UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        }
        address = local.with(port: port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    deinit { close(fd) }

    var received: [Received] { lock.withLock { _received } }
    /// The most requests held unanswered at once.
    var maximumInHand: Int { lock.withLock { _maximumInHand } }

    /// Stops the thread and waits until it has.
    func stop() {
        lock.withLock { stopping = true }
        for _ in 0..<500 {
            if lock.withLock({ stopped }) { return }
            usleep(2000)
        }
    }

    private func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private func serve() {
        var held: [Held] = []
        var dropped = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Bounded even if a test forgets to stop it: ten minutes after the last datagram. (Two
        // minutes from the start were not enough: in a full run a test's next request can
        // wait minutes for a thread of the shared concurrency pool.)
        var deadline = now() + 600
        while !lock.withLock({ stopping }) && now() < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, 2)
            while true {
                var source = sockaddr_storage()
                var sourceLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let n = buffer.withUnsafeMutableBytes { raw in
                    withUnsafeMutablePointer(to: &source) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            recvfrom(fd, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), $0, &sourceLength)
                        }
                    }
                }
                guard n > 0 else { break }
                deadline = now() + 600
                let bytes = Array(buffer[0..<n])
                let from = withUnsafePointer(to: &source) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { describe($0) }
                }
                let packet = try? RADIUSPacket(decoding: bytes)
                var record = Received(
                    source: from.host, sourcePort: from.port, bytes: bytes, packet: packet,
                    fields: packet.map { AccountingFields($0) }, authenticatorValid: false,
                    messageAuthenticator: .absent, sameSessionInHand: 0, dropped: false)
                if let packet {
                    if packet.code == .accountingRequest {
                        record.authenticatorValid = packet.verifyRequestAuthenticator(secret: configuration.secret, crypto: crypto)
                    } else {
                        record.authenticatorValid = true
                    }
                    record.messageAuthenticator = packet.verifyMessageAuthenticator(secret: configuration.secret, crypto: crypto)
                }
                let sessionID = record.sessionID
                if let sessionID {
                    record.sameSessionInHand = held.filter { $0.sessionID == sessionID && $0.request.bytes != bytes }.count
                }
                if dropped < configuration.dropFirst || !configuration.answers || packet == nil || !record.authenticatorValid {
                    dropped += 1
                    record.dropped = true
                } else if let packet {
                    held.append(Held(request: packet, sessionID: sessionID, destination: source, destinationLength: sourceLength, since: now()))
                }
                lock.withLock {
                    _received.append(record)
                    _maximumInHand = max(_maximumInHand, held.count)
                }
            }
            if !held.isEmpty && (held.count >= configuration.holdUntil || now() - held[0].since >= configuration.maximumHold) {
                for request in held { answer(request) }
                held.removeAll()
            }
        }
        lock.withLock { stopped = true }
    }

    private func answer(_ held: Held) {
        let secret = configuration.answerSecret ?? configuration.secret
        let isStatus = held.request.code == .statusServer
        var response = held.request.accountingResponse(
            secret: secret, includeMessageAuthenticator: isStatus && configuration.messageAuthenticatorInStatusAnswers, crypto: crypto)
        if isStatus && configuration.corruptStatusAnswers, let attribute = response.first(RADIUSPacket.messageAuthenticatorType) {
            // Only the Message-Authenticator is wrong: the Response Authenticator is computed
            // over the corrupted attribute, so it still verifies.
            var bytes = response.bytes
            bytes[attribute.valueOffset] ^= 0xff
            let requestAuthenticator = held.request.authenticator.bytes
            for i in 0..<16 { bytes[4 + i] = requestAuthenticator[i] }
            let digest = bytes.withUnsafeBytes { packet in secret.withUnsafeBytes { key in crypto.md5(packet, key) } }
            for (i, b) in digest.bytes.enumerated() { bytes[4 + i] = b }
            response = try! RADIUSPacket(decoding: bytes)
        }
        var destination = held.destination
        for _ in 0..<(configuration.answerTwice ? 2 : 1) {
            _ = response.bytes.withUnsafeBytes { raw in
                withUnsafePointer(to: &destination) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, raw.baseAddress, raw.count, 0, $0, held.destinationLength)
                    }
                }
            }
        }
    }

    private func describe(_ address: UnsafePointer<sockaddr>) -> (host: String, port: UInt16) {
        var text = [CChar](repeating: 0, count: 64)
        if Int32(address.pointee.sa_family) == AF_INET {
            var v4 = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in.self)
            inet_ntop(AF_INET, &v4.sin_addr, &text, 64)
            return (string(text), UInt16(bigEndian: v4.sin_port))
        }
        var v6 = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in6.self)
        inet_ntop(AF_INET6, &v6.sin6_addr, &text, 64)
        return (string(text), UInt16(bigEndian: v6.sin6_port))
    }

    private func string(_ text: [CChar]) -> String {
        String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
