import Foundation
import Logging
import RADIUS
import Synchronization
import TestSupport
import Testing

@testable import Enforcement

#if canImport(Glibc)
    import Glibc
#endif

/// Whether a new UDP socket can bind the wildcard address on `port` (it cannot while another holds it).
func canBind(port: UInt16) -> Bool {
    let fd = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var off: Int32 = 0
    _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &off, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in6()
    address.sin6_family = sa_family_t(AF_INET6)
    address.sin6_port = port.bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
    } == 0
}

/// Outcomes collected from completions, with how many times each request completed.
final class OutcomeBox: Sendable {
    private let state = Mutex<[Int: [DynamicAuthorizationOutcome]]>([:])

    func record(_ index: Int, _ outcome: DynamicAuthorizationOutcome) {
        state.withLock { $0[index, default: []].append(outcome) }
    }

    var outcomes: [Int: [DynamicAuthorizationOutcome]] { state.withLock { $0 } }

    func wait(for count: Int, seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if state.withLock({ $0.count }) >= count { return true }
            usleep(5_000)
        }
        return state.withLock { $0.count } >= count
    }
}

@Suite("DynamicAuthorizationClient over UDP", .serialized)
struct DynamicAuthorizationClientTests {
    let logger = Logger(label: "test.dynamic-authorization")
    /// For the timing tests: 40, 80, 160, 320, 640 ms.
    let fast = RetrySchedule(firstWait: .milliseconds(40), transmissions: 5)
    /// For tests that expect no retransmission even when a loaded machine answers slowly.
    let patient = RetrySchedule(firstWait: .seconds(10), transmissions: 2)

    func throttle(_ user: String = "alice", session: String = "s1") throws -> DynamicAuthorizationMessage {
        var identity = aliceSession
        identity.userName = user
        identity.acctSessionID = session
        return try #require(shippedProfiles.profile("mikrotik")).request(for: .throttle, session: identity, rate: "1M/1M", planRate: nil)
    }

    func target(_ peer: DynamicAuthorizationPeer, host: String = "127.0.0.1") -> DynamicAuthorizationTarget {
        DynamicAuthorizationTarget(host: host, port: peer.port, secret: testSecret)
    }

    @Test("ACK: one transmission, the peer saw exactly the profile's attributes, every check passed")
    func ack() async throws {
        let peer = try DynamicAuthorizationPeer(secret: testSecret, dictionary: projectDictionary)
        defer { peer.stop() }
        let client = try DynamicAuthorizationClient(schedule: patient, logger: logger)
        defer { client.shutdown() }
        let before = UInt32(Date().timeIntervalSince1970)
        let outcome = await client.send(try throttle(), to: target(peer))
        #expect(outcome == .ack(attempts: 1))
        let requests = peer.requests
        #expect(requests.count == 1)
        #expect(peer.failures.isEmpty, "\(peer.failures)")
        let request = try #require(requests.first)
        #expect(request.packet.code == .coaRequest)
        #expect(request.value("User-Name") == .text("alice"))
        #expect(request.value("Acct-Session-Id") == .text("s1"))
        #expect(request.value("NAS-IP-Address") == .ipv4(IPv4Address("192.0.2.1")!))
        #expect(request.value("Framed-IP-Address") == .ipv4(IPv4Address("10.0.0.5")!))
        #expect(request.value("Mikrotik-Rate-Limit") == .text("1M/1M"))
        guard case .date(let stamp)? = request.value("Event-Timestamp") else {
            Issue.record("no Event-Timestamp: \(request.attributes)")
            return
        }
        #expect(stamp >= before && stamp <= before + 5)
        #expect(request.sourcePort == client.localPort)
        let statistics = client.statistics
        #expect(statistics.acks == 1 && statistics.transmissions == 1 && statistics.inFlight == 0 && statistics.droppedTotal == 0)
    }

    @Test("NAK with Error-Cause 503 (Session-Context-Not-Found) for a Disconnect")
    func nak() async throws {
        let peer = try DynamicAuthorizationPeer(secret: testSecret) { _ in .nak(errorCause: 503) }
        defer { peer.stop() }
        let client = try DynamicAuthorizationClient(schedule: patient, logger: logger)
        defer { client.shutdown() }
        let message = try #require(shippedProfiles.profile("generic")).request(for: .disconnect, session: aliceSession, rate: nil, planRate: nil)
        #expect(await client.send(message, to: target(peer)) == .nak(errorCause: 503, attempts: 1))
        #expect(peer.requests.map(\.packet.code) == [.disconnectRequest])
        #expect(peer.failures.isEmpty, "\(peer.failures)")
    }

    @Test("Silence: exactly 5 transmissions after waits of 40, 80, 160, 320 ms, each with a new Identifier and Event-Timestamp, then a timeout")
    func silence() async throws {
        let peer = try DynamicAuthorizationPeer(secret: testSecret) { _ in .silence }
        defer { peer.stop() }
        let client = try DynamicAuthorizationClient(schedule: fast, logger: logger)
        defer { client.shutdown() }
        let start = Date()
        let outcome = await client.send(try throttle(), to: target(peer))
        let elapsed = Date().timeIntervalSince(start)
        #expect(outcome == .timeout(attempts: 5))
        // 40 + 80 + 160 + 320 + 640 ms of waiting in all; timers never fire early, and a busy
        // machine only adds to it. The exact waits are the state machine's tests.
        #expect(elapsed >= 1.24 && elapsed < 10, "took \(elapsed) s")
        let requests = peer.requests
        #expect(requests.count == 5)
        #expect(peer.failures.isEmpty, "\(peer.failures)")
        #expect(Set(requests.map(\.packet.identifier)).count == 5, "RFC 5176 section 2.3: changed attributes, new Identifier")
        #expect(Set(requests.map(\.packet.authenticator)).count == 5)
        let gaps = zip(requests.dropFirst(), requests).map { $0.receivedAt - $1.receivedAt }
        for (gap, wait) in zip(gaps, [0.040, 0.080, 0.160, 0.320]) {
            #expect(gap >= wait - 0.002 && gap < wait + 1.0, "gap \(gap) s for a wait of \(wait) s")
        }
        #expect(client.statistics.retransmissions == 4)
        #expect(client.statistics.timeouts == 1)
    }

    @Test("Silent twice, then an ACK: the outcome counts 3 attempts")
    func ackOnThird() async throws {
        let peer = try DynamicAuthorizationPeer(secret: testSecret) { $0.call < 3 ? .silence : .ack }
        defer { peer.stop() }
        let client = try DynamicAuthorizationClient(schedule: RetrySchedule(firstWait: .milliseconds(100), transmissions: 5), logger: logger)
        defer { client.shutdown() }
        #expect(await client.send(try throttle(), to: target(peer)) == .ack(attempts: 3))
        #expect(peer.requests.count == 3)
        #expect(peer.failures.isEmpty, "\(peer.failures)")
    }

    @Test("Hostile answers are dropped and counted, never taken as outcomes; the valid NAK after them is")
    func hostileAnswers() async throws {
        let peer = try DynamicAuthorizationPeer(secret: testSecret) { _ in
            .sequence([
                .fromOtherPort(.ack),
                .datagram { request in
                    var bytes = [44, request.identifier, 0, 20] + [UInt8](repeating: 0xab, count: 16)
                    bytes[4] = 1
                    return bytes
                },
                .datagram { request in [45, request.identifier, 0, 30] + [UInt8](repeating: 0, count: 16) },
                .datagram { request in [44, request.identifier &+ 1, 0, 20] + [UInt8](repeating: 0, count: 16) },
                .datagram { _ in [UInt8](repeating: 1, count: 5000) },
                .nak(errorCause: 503),
                .ack,
            ])
        }
        defer { peer.stop() }
        let client = try DynamicAuthorizationClient(schedule: patient, logger: logger)
        defer { client.shutdown() }
        #expect(await client.send(try throttle(), to: target(peer)) == .nak(errorCause: 503, attempts: 1))
        // The ACK after the NAK belongs to a finished request.
        #expect(try waitUntil(seconds: 10) { client.statistics.droppedTotal == 6 })
        let dropped = client.statistics.dropped
        #expect(dropped[.unknownIdentifier] == 3, "other port, wrong Identifier, ACK after the outcome: \(dropped)")
        #expect(dropped[.badAuthenticator] == 1, "\(dropped)")
        #expect(dropped[.malformed] == 1, "\(dropped)")
        #expect(dropped[.oversized] == 1, "\(dropped)")
        #expect(client.statistics.naks == 1 && client.statistics.acks == 0)
    }

    @Test("A late ACK to the first transmission, arriving after the second went out, is the outcome")
    func lateAnswerToEarlierTransmission() async throws {
        let first = Mutex<RADIUSPacket?>(nil)
        let peer = try DynamicAuthorizationPeer(secret: testSecret) { request in
            if request.call == 1 {
                first.withLock { $0 = request.packet }
                return .silence
            }
            // Answers the first transmission (its Identifier and authenticator), not this one.
            return .datagram { _ in
                let original = first.withLock { $0 }!
                var builder = RADIUSPacketBuilder(code: .coaACK, identifier: original.identifier)
                builder.appendEncodedAttributes([80, 18] + [UInt8](repeating: 0, count: 16))
                var packet = try! builder.build()
                try! packet.sign(secret: testSecret, requestAuthenticator: original.authenticator, crypto: RADIUSCrypto())
                return packet.bytes
            }
        }
        defer { peer.stop() }
        let client = try DynamicAuthorizationClient(schedule: RetrySchedule(firstWait: .milliseconds(200), transmissions: 3), logger: logger)
        defer { client.shutdown() }
        #expect(await client.send(try throttle(), to: target(peer)) == .ack(attempts: 2))
        let identifiers = peer.requests.map(\.packet.identifier)
        #expect(identifiers.count == 2 && identifiers[0] != identifiers[1])
        #expect(client.statistics.droppedTotal == 0)
    }

    @Test("300 requests to a silent NAS: the 44 without an Identifier wait, retransmissions reuse their own, all 300 time out after 3 transmissions")
    func identifierExhaustion() throws {
        let peer = try DynamicAuthorizationPeer(secret: testSecret) { _ in .silence }
        defer { peer.stop() }
        let client = try DynamicAuthorizationClient(schedule: RetrySchedule(firstWait: .milliseconds(30), transmissions: 3), logger: logger)
        defer { client.shutdown() }
        let box = OutcomeBox()
        for index in 0..<300 {
            client.send(try throttle("user-\(index)"), to: target(peer)) { box.record(index, $0) }
        }
        #expect(box.wait(for: 300, seconds: 30))
        #expect(box.outcomes.values.allSatisfy { $0 == [.timeout(attempts: 3)] })
        #expect(box.outcomes.count == 300)
        #expect(try waitUntil(seconds: 10) { peer.requests.count == 900 })
        #expect(client.statistics.transmissions == 900 && client.statistics.inFlight == 0)
        #expect(peer.failures.isEmpty)
    }

    @Test("10,000 requests spread over 10 NAS are all answered (the load the benchmark sends)")
    func tenThousand() throws {
        let peers = try (0..<10).map { _ in try DynamicAuthorizationPeer(secret: testSecret) { _ in .ack } }
        defer { for peer in peers { peer.stop() } }
        // A long first wait: on a loaded machine an answer may take seconds, and a retransmission
        // would change the counts this test checks.
        let client = try DynamicAuthorizationClient(schedule: RetrySchedule(firstWait: .seconds(30), transmissions: 2), logger: logger)
        defer { client.shutdown() }
        let message = try throttle()
        let box = OutcomeBox()
        let start = Date()
        for index in 0..<10_000 {
            client.send(message, to: target(peers[index % 10])) { box.record(index, $0) }
        }
        #expect(box.wait(for: 10_000, seconds: 60))
        let elapsed = Date().timeIntervalSince(start)
        print("10000 CoA requests to 10 NAS answered in \(String(format: "%.2f", elapsed)) s")
        #expect(box.outcomes.values.allSatisfy { $0 == [.ack(attempts: 1)] })
        #expect(peers.map { $0.requests.count } == Array(repeating: 1000, count: 10))
        #expect(client.statistics.transmissions == 10_000)
    }

    @Test("1,000 requests at once to one NAS: each answered for itself, Identifiers never shared in flight")
    func thousandConcurrent() throws {
        // Odd requests get a NAK whose Error-Cause is their number: an answer matched to the
        // wrong request would show up as a wrong outcome (or fail its authenticator).
        let peer = try DynamicAuthorizationPeer(secret: testSecret, dictionary: projectDictionary) { request in
            guard case .text(let name)? = request.value("User-Name"), let index = UInt32(name.dropFirst(5)) else { return .silence }
            return index % 2 == 0 ? .ack : .nak(errorCause: index)
        }
        defer { peer.stop() }
        let client = try DynamicAuthorizationClient(schedule: RetrySchedule(firstWait: .seconds(30), transmissions: 2), logger: logger)
        defer { client.shutdown() }
        let box = OutcomeBox()
        let messages = try (0..<1000).map { try throttle("user-\($0)", session: "s\($0)") }
        for (index, message) in messages.enumerated() {
            client.send(message, to: target(peer)) { box.record(index, $0) }
        }
        #expect(box.wait(for: 1000, seconds: 60))
        let outcomes = box.outcomes
        #expect(outcomes.count == 1000)
        for index in 0..<1000 {
            let expected: DynamicAuthorizationOutcome = index % 2 == 0 ? .ack(attempts: 1) : .nak(errorCause: UInt32(index), attempts: 1)
            #expect(outcomes[index] == [expected], "request \(index)")
        }
        let statistics = client.statistics
        #expect(statistics.transmissions == 1000, "no retransmission was needed")
        #expect(statistics.droppedTotal == 0)
        #expect(peer.requests.count == 1000)
        #expect(peer.failures.isEmpty)
        // More requests than Identifiers: some waited for one to free.
        #expect(Set(peer.requests.map(\.packet.identifier)).count == 256)
    }

    @Test("An IPv6 NAS is reached over the same socket")
    func ipv6() async throws {
        let peer = try DynamicAuthorizationPeer(secret: testSecret, address: "::1")
        defer { peer.stop() }
        let client = try DynamicAuthorizationClient(schedule: patient, logger: logger)
        defer { client.shutdown() }
        #expect(await client.send(try throttle(), to: target(peer, host: "::1")) == .ack(attempts: 1))
        #expect(peer.failures.isEmpty)
    }

    @Test("A host that is not a numeric address ends at once as a timeout with 0 attempts")
    func badHost() async throws {
        let client = try DynamicAuthorizationClient(schedule: patient, logger: logger)
        defer { client.shutdown() }
        let outcome = await client.send(try throttle(), to: DynamicAuthorizationTarget(host: "nas.example", port: 3799, secret: testSecret))
        #expect(outcome == .timeout(attempts: 0))
    }

    @Test("Shutdown ends requests in flight once each, stops the sources, and later sends end at once")
    func shutdown() throws {
        let peer = try DynamicAuthorizationPeer(secret: testSecret) { _ in .silence }
        defer { peer.stop() }
        let client = try DynamicAuthorizationClient(schedule: .standard, logger: logger)
        let box = OutcomeBox()
        for index in 0..<3 {
            client.send(try throttle("user-\(index)"), to: target(peer)) { box.record(index, $0) }
        }
        #expect(try waitUntil(seconds: 10) { peer.requests.count == 3 })
        let port = client.localPort
        #expect(!canBind(port: port), "the client's socket is open while it runs")
        client.shutdown()
        #expect(canBind(port: port), "the socket is closed once shutdown returns")
        // Completions already ran when shutdown returned.
        #expect(box.outcomes == [0: [.timeout(attempts: 1)], 1: [.timeout(attempts: 1)], 2: [.timeout(attempts: 1)]])
        client.shutdown()
        client.send(try throttle("late"), to: target(peer)) { box.record(3, $0) }
        #expect(box.wait(for: 4, seconds: 10))
        #expect(box.outcomes[3] == [.timeout(attempts: 0)])
        // Nothing more is sent: no retransmission after 2 s.
        usleep(2_300_000)
        #expect(peer.requests.count == 3)
        #expect(box.outcomes.values.allSatisfy { $0.count == 1 })
    }
}
