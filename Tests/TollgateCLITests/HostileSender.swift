import Foundation
import NASSimulator
import RADIUS
import Synchronization
import TestSupport

/// Hostile datagrams of every kind an accounting port meets, sent round-robin as fast as one
/// thread can until `stop()`, from three loopback addresses: the registered NAS's own (an
/// attacker forging it, without its secret), an unregistered one, and a second registered NAS
/// that signs its malformed packets correctly (a broken NAS rather than an attacker).
///
/// It also reads whatever comes back, so a test can check that nothing but the valid
/// Status-Server requests and the signed packets of the broken NAS was ever answered.
final class HostileSender: @unchecked Sendable {
    /// The kinds, each with the drop reason the collector must count it under (nil: answered).
    enum Kind: String, CaseIterable, Sendable {
        case randomBytes = "random bytes"
        case truncated = "truncated (Length above the datagram)"
        case oversized = "oversized datagram (9,000 / 65,000 octets)"
        case lengthAboveMaximum = "Length field above 4096"
        case wrongSecret = "wrong secret from the NAS's address"
        case unknownNAS = "unregistered source address"
        case attributeLengthBomb = "attribute length 0 / 1 / past the end"
        case longExtendedAbuse = "long-extended fragment abuse, unsigned"
        case longExtendedOverrun = "long-extended fragment running past the packet"
        case signedLongExtendedAbuse = "long-extended fragment abuse, signed by a registered NAS"
        case statusServerWithoutAuthenticator = "Status-Server without Message-Authenticator"
        case statusServerBadAuthenticator = "Status-Server with a wrong Message-Authenticator"
        case statusServerValid = "Status-Server, valid"
        case statusServerUnknownNAS = "Status-Server from an unregistered address"
        case accessRequest = "Access-Request on the accounting port"
        case unknownCode = "unknown code"

        /// The `reason` label of `tollgate_packets_dropped_total` this kind is dropped under
        /// (random bytes mostly; those under 20 octets are `too_short`, a few `truncated`).
        var dropReason: String? {
            switch self {
            case .randomBytes: "invalid_length"
            case .truncated: "truncated"
            case .oversized: "oversized"
            case .lengthAboveMaximum: "invalid_length"
            case .wrongSecret, .longExtendedAbuse: "bad_authenticator"
            case .unknownNAS, .statusServerUnknownNAS: "unknown_nas"
            case .attributeLengthBomb, .longExtendedOverrun: "malformed_attribute"
            case .statusServerWithoutAuthenticator: "missing_message_authenticator"
            case .statusServerBadAuthenticator: "bad_message_authenticator"
            case .accessRequest: "unexpected_code"
            case .unknownCode: "unsupported_code"
            case .signedLongExtendedAbuse, .statusServerValid: nil
            }
        }
    }

    /// What was sent and what came back, once the thread has ended.
    struct Result: Sendable {
        var sent: [Kind: Int] = [:]
        /// Valid Status-Server requests answered (their socket gets nothing else).
        var statusServerAnswers = 0
        /// Signed malformed packets of the broken NAS answered.
        var brokenNASAnswers = 0
        /// Answers to anything else: must stay zero.
        var unexpectedAnswers = 0
        var elapsed: Duration = .zero

        var total: Int { sent.values.reduce(0, +) }
    }

    private let destination: sockaddr_in
    /// Forges the registered NAS's address: wrong secrets, garbage, bad Status-Server.
    private let forgedFD: Int32
    /// Valid Status-Server from the registered NAS.
    private let statusFD: Int32
    /// An address no NAS is registered for.
    private let unknownFD: Int32
    /// The registered broken NAS.
    private let brokenFD: Int32
    private let stopFlag = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private var result = Result()
    private let timeLimit: Duration
    /// Datagrams made in advance, so the loop does little but send: per kind, in `Kind` order.
    private var pools: [[[UInt8]]] = []
    private let brokenNASSecret: [UInt8]
    private let brokenNASAddress: UInt32
    private let crypto = RADIUSCrypto()

    /// - Parameters:
    ///   - port: the collector's accounting port on 127.0.0.1.
    ///   - nasAddress, secret: the registered NAS whose address is forged and whose secret
    ///     signs the valid Status-Server requests.
    ///   - unknownAddress: an address with no NAS registered.
    ///   - brokenNAS: a registered NAS's address and secret, for the signed malformed packets.
    ///   - sessions: real sessions whose identities the forged accounting copies (with huge
    ///     counters), so any of them accepted would show in the totals.
    ///   - timeLimit: the thread stops by itself after this long.
    init(
        port: UInt16, nasAddress: String, secret: String, unknownAddress: String, brokenNAS: (address: String, secret: String),
        sessions: [SimulatedSession], timeLimit: Duration
    ) throws {
        destination = loopbackAddress("127.0.0.1", port: port)
        self.timeLimit = timeLimit
        forgedFD = try udpSocket(boundTo: nasAddress)
        statusFD = try udpSocket(boundTo: nasAddress)
        unknownFD = try udpSocket(boundTo: unknownAddress)
        brokenFD = try udpSocket(boundTo: brokenNAS.address)
        brokenNASSecret = Array(brokenNAS.secret.utf8)
        brokenNASAddress = UInt32(bigEndian: inet_addr(brokenNAS.address))

        let server = UDPAddress(host: "127.0.0.1", port: port)!
        let crypto = crypto
        func requests(from address: String, secret: String) throws -> [[UInt8]] {
            let encoder = RequestEncoder(nas: SimulatedNAS(localAddress: address, target: server, secret: secret))
            return try sessions.prefix(256).enumerated().map { i, session in
                let event = SessionEvent.interim(upload: 1 << 40, download: 1 << 41, sessionTime: 60, at: .at(1_795_546_860))
                return try encoder.accountingRequest(
                    session: session, event: event, identifier: UInt8(i & 0xff),
                    eventTimestamp: 1_795_546_860, delayTime: nil, crypto: crypto
                ).bytes
            }
        }
        func statusServer(from address: String) throws -> [[UInt8]] {
            let encoder = RequestEncoder(nas: SimulatedNAS(localAddress: address, target: server, secret: secret))
            return try (0..<256).map { try encoder.request(for: .statusServer, identifier: UInt8($0), eventTimestamp: nil, crypto: crypto).bytes }
        }
        var random = SystemRandomNumberGenerator()
        func randomBytes(_ count: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(count + 8)
            while bytes.count < count { withUnsafeBytes(of: random.next()) { bytes.append(contentsOf: $0) } }
            return Array(bytes.prefix(count))
        }
        let valid = try requests(from: nasAddress, secret: secret)
        let ids = (0..<256).map { UInt8($0) }
        for kind in Kind.allCases {
            switch kind {
            case .randomBytes:
                pools.append((0..<1024).map { _ in randomBytes(Int.random(in: 0..<300, using: &random)) })
            case .truncated:
                pools.append(valid.map { Array($0.prefix(Int.random(in: 20..<$0.count, using: &random))) })
            case .oversized:
                pools.append([9000, 65_000].map { size in [4, 0, 0x10, 0x00] + [UInt8](repeating: 0x41, count: size - 4) })
            case .lengthAboveMaximum:
                pools.append([[4, 0, 0xff, 0xff] + [UInt8](repeating: 0, count: 4092)])
            case .wrongSecret:
                pools.append(try requests(from: nasAddress, secret: "not-the-secret"))
            case .unknownNAS:
                pools.append(try requests(from: unknownAddress, secret: secret))
            case .attributeLengthBomb:
                // Length 0, length 1, or a length running past the end of the packet.
                pools.append(
                    ids.map { id in
                        let attribute: [UInt8] = [[1, 0], [1, 1], [1, 200, 0x61, 0x62]][Int(id) % 3]
                        return Self.header(code: 4, identifier: id, attributes: attribute + [40, 6, 0, 0, 0, 3])
                    })
            case .longExtendedAbuse:
                pools.append(ids.map { Self.header(code: 4, identifier: $0, attributes: Self.fragmentAbuse(Int($0))) })
            case .longExtendedOverrun:
                // A fragment chain whose last fragment claims more octets than the packet holds.
                pools.append(
                    ids.map { id in
                        Self.header(code: 4, identifier: id, attributes: Self.fragmentAbuse(Int(id)).prefix(255 * 3) + [245, 255, 1, 0x80, 1, 2, 3])
                    })
            case .signedLongExtendedAbuse:
                pools.append([]) // made as sent: each must be a new request
            case .statusServerWithoutAuthenticator:
                pools.append(ids.map { Self.header(code: 12, identifier: $0, attributes: [4, 6, 127, 0, 0, 1]) })
            case .statusServerBadAuthenticator:
                pools.append(
                    ids.map { Self.header(code: 12, identifier: $0, attributes: [RADIUSPacket.messageAuthenticatorType, 18] + randomBytes(16)) })
            case .statusServerValid:
                pools.append(try statusServer(from: nasAddress))
            case .statusServerUnknownNAS:
                pools.append(try statusServer(from: unknownAddress))
            case .accessRequest:
                pools.append(ids.map { Self.header(code: 1, identifier: $0, attributes: [1, 7, 0x61, 0x6c, 0x69, 0x63, 0x65]) })
            case .unknownCode:
                pools.append(ids.map { Self.header(code: 99, identifier: $0, attributes: []) })
            }
        }
    }

    deinit {
        for fd in [forgedFD, statusFD, unknownFD, brokenFD] { close(fd) }
    }

    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "hostile-sender"
        thread.start()
    }

    /// Stops the thread and returns what it did.
    func stop() -> Result {
        stopFlag.store(true, ordering: .relaxed)
        finished.wait()
        return result
    }

    private func run() {
        let clock = ContinuousClock()
        let started = clock.now
        let kinds = Kind.allCases
        var sent = [Int](repeating: 0, count: kinds.count)
        var cycle = 0
        while !stopFlag.load(ordering: .relaxed) {
            if cycle % 256 == 0 {
                drainAnswers()
                if clock.now - started > timeLimit { break }
            }
            for (k, kind) in kinds.enumerated() {
                let datagram: [UInt8]
                if kind == .signedLongExtendedAbuse {
                    // The broken NAS's packets are valid and get recorded: a trickle, not a flood.
                    guard cycle % 256 == 0, let signed = signedAbuse(cycle) else { continue }
                    datagram = signed
                } else {
                    datagram = pools[k][cycle % pools[k].count]
                }
                if send(datagram, from: socket(for: kind)) { sent[k] += 1 }
            }
            cycle += 1
        }
        // Answers still on their way.
        usleep(200_000)
        drainAnswers()
        for (k, kind) in kinds.enumerated() { result.sent[kind] = sent[k] }
        result.elapsed = clock.now - started
    }

    private func socket(for kind: Kind) -> Int32 {
        switch kind {
        case .unknownNAS, .statusServerUnknownNAS: unknownFD
        case .statusServerValid: statusFD
        case .signedLongExtendedAbuse: brokenFD
        default: forgedFD
        }
    }

    /// Valid RADIUS from the broken NAS (malformed attributes make the attribute invalid, not
    /// the packet: RFC 6929 section 2.8) with nothing billable: recorded and answered.
    private func signedAbuse(_ cycle: Int) -> [UInt8]? {
        var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: UInt8(truncatingIfNeeded: cycle / 256))
        builder.append(type: 4, uint32: brokenNASAddress)
        builder.append(type: 40, uint32: 3)
        builder.append(type: 55, uint32: 1_795_546_800 &+ UInt32(truncatingIfNeeded: cycle / 256))
        builder.appendEncodedAttributes(Self.fragmentAbuse(cycle / 256).prefix(255 * 12))
        guard var packet = try? builder.build(), (try? packet.sign(secret: brokenNASSecret, crypto: crypto)) != nil else { return nil }
        return packet.bytes
    }

    /// RFC 6929 Long-Extended-Type (245) fragments of 251 octets, the More flag set on every
    /// one, the last included: a reassembly that never ends. Fifteen fill a packet; varied per
    /// cycle so signed copies are new requests, not retransmissions.
    private static func fragmentAbuse(_ cycle: Int) -> [UInt8] {
        var attributes: [UInt8] = []
        attributes.reserveCapacity(15 * 255)
        for fragment in 0..<15 {
            attributes.append(contentsOf: [245, 255, 1, 0x80])
            let fill = UInt8(truncatingIfNeeded: cycle &+ fragment)
            attributes.append(contentsOf: repeatElement(fill, count: 251))
        }
        return attributes
    }

    /// A header with a correct Length and a random-looking authenticator, then `attributes`.
    private static func header(code: UInt8, identifier: UInt8, attributes: [UInt8]) -> [UInt8] {
        let length = 20 + attributes.count
        var bytes: [UInt8] = [code, identifier, UInt8(length >> 8), UInt8(truncatingIfNeeded: length)]
        for i in 0..<16 { bytes.append(UInt8(truncatingIfNeeded: Int(identifier) &* 31 &+ i)) }
        return bytes + attributes
    }

    private func send(_ bytes: [UInt8], from fd: Int32) -> Bool {
        var target = destination
        let sent = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        return sent == bytes.count
    }

    private func drainAnswers() {
        result.statusServerAnswers += drain(statusFD)
        result.brokenNASAnswers += drain(brokenFD)
        result.unexpectedAnswers += drain(forgedFD) + drain(unknownFD)
    }

    /// Datagrams waiting on a socket, read and counted.
    private func drain(_ fd: Int32) -> Int {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var count = 0
        while buffer.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) >= 0 { count += 1 }
        return count
    }
}
