import Foundation
import NASSimulator
import RADIUS
import Testing

private let secret = "testing123"

private func nas(_ responder: TestResponder, from local: String = "127.0.0.1", secret: String = secret) -> SimulatedNAS {
    SimulatedNAS(localAddress: local, target: responder.address, secret: secret)
}

private func sessions(_ count: Int, interims: Int = 1, prefix: String = "s") -> [SimulatedSession] {
    (0..<count).map { (i: Int) -> SimulatedSession in
        let upload = UInt64(1000 + i)
        let download = UInt64(5000 + 3 * i)
        return SimulatedSession.regular(
            userName: "user-\(i % 7)", sessionID: "\(prefix)-\(i)", nasPort: UInt32(i),
            interims: interims, uploadPerInterval: upload, downloadPerInterval: download)
    }
}

/// Options for fast tests: short timeouts, a time limit that keeps a broken run short.
/// Tests whose subject is not the retransmission timer wait long enough for a busy machine: a
/// responder thread can go unscheduled for a second while the rest of the suite runs.
private func options(window: Int = 16, timeoutMilliseconds: Int = 1000, retries: Int = 5, limit: Int = 30) -> RunOptions {
    RunOptions(window: window, timeout: .milliseconds(timeoutMilliseconds), retries: retries, timeLimit: .seconds(limit))
}

@Suite("NAS simulator over UDP")
struct NASSimulatorTests {
    @Test("Every event of every session is sent once, verified by the server and acknowledged")
    func completeRun() async throws {
        let responder = try TestResponder()
        defer { responder.stop() }
        let script = sessions(40, interims: 2)
        let report = try await nas(responder).run(sessions: script, options: options())
        #expect(report.isComplete)
        #expect(report.requestsSent == 40 * 4)
        #expect(report.acknowledged == 160)
        #expect(report.retransmissions == 0)
        #expect(report.badResponses == 0)
        #expect(report.latency.count == 160)
        #expect(report.latency.p50 <= report.latency.p99 && report.latency.p99 <= report.latency.max)
        #expect(report.latency.max > .zero)
        #expect(report.packetsPerSecond > 0)
        let received = responder.received
        #expect(received.count == 160)
        #expect(received.allSatisfy { $0.authenticatorValid && !$0.dropped })
    }

    @Test("The report's expected totals are what the server received: highest counters per session, per user")
    func totals() async throws {
        let responder = try TestResponder()
        defer { responder.stop() }
        var script = sessions(25, interims: 3)
        // Out of order (a higher interim before a lower one) and a Stop without counters.
        script.append(
            SimulatedSession(
                userName: "late", sessionID: "x-1",
                events: [
                    .start(), .interim(upload: 9 << 32, download: 77), .interim(upload: 5, download: 7), .stop(upload: nil, download: nil),
                ]))
        let report = try await nas(responder).run(sessions: script, options: options())
        #expect(report.isComplete)

        var upload: [String: UInt64] = [:]
        var download: [String: UInt64] = [:]
        var user: [String: String] = [:]
        for datagram in responder.received {
            let id = try #require(datagram.sessionID)
            user[id] = datagram.userName
            if let u = datagram.fields?.uploadOctets { upload[id] = max(upload[id] ?? 0, u) }
            if let d = datagram.fields?.downloadOctets { download[id] = max(download[id] ?? 0, d) }
        }
        #expect(user.count == 26)
        #expect(report.expected.sessions == 26)
        #expect(report.expected.upload == upload.values.reduce(0, +))
        #expect(report.expected.download == download.values.reduce(0, +))
        #expect(report.acknowledgedTotals == report.expected)
        var scripted: UInt64 = 9 << 32
        for i in 0..<25 { scripted += 4 * UInt64(1000 + i) }
        #expect(report.expected.upload == scripted)

        var perUser: [String: UsageTotals] = [:]
        for (id, name) in user {
            perUser[name, default: UsageTotals()].sessions += 1
            perUser[name, default: UsageTotals()].upload += upload[id] ?? 0
            perUser[name, default: UsageTotals()].download += download[id] ?? 0
        }
        #expect(report.expectedPerUser == perUser)
        #expect(report.expectedPerUser["late"] == UsageTotals(sessions: 1, upload: 9 << 32, download: 77))
    }

    @Test("No more requests are outstanding than the window, and the window is filled")
    func window() async throws {
        // The responder answers only once it holds 8 requests (or after 50 ms).
        var configuration = TestResponder.Configuration()
        configuration.holdUntil = 8
        configuration.maximumHold = 0.05
        let responder = try TestResponder(configuration)
        defer { responder.stop() }
        let report = try await nas(responder).run(sessions: sessions(64, interims: 1), options: options(window: 8))
        #expect(report.isComplete)
        #expect(responder.maximumInHand == 8)
    }

    @Test("A window above 256 uses several sockets, each with its own Identifiers")
    func largeWindow() async throws {
        var configuration = TestResponder.Configuration()
        configuration.holdUntil = 600
        configuration.maximumHold = 0.5
        let responder = try TestResponder(configuration)
        defer { responder.stop() }
        let report = try await nas(responder).run(
            sessions: sessions(1200, interims: 0), options: options(window: 600, timeoutMilliseconds: 2000))
        #expect(report.isComplete)
        #expect(report.acknowledged == 2400)
        #expect(responder.maximumInHand == 600)
        let ports = Set(responder.received.map(\.sourcePort))
        #expect(ports.count == 4) // 600 outstanding, at most 192 per socket
        // Within one socket, no Identifier is used twice by requests in flight at once.
        #expect(report.badResponses == 0 && report.lateResponses == 0)
    }

    @Test("A dropped request is retransmitted identically until answered")
    func retransmission() async throws {
        var configuration = TestResponder.Configuration()
        configuration.dropFirst = 3
        let responder = try TestResponder(configuration)
        defer { responder.stop() }
        let script = sessions(1, interims: 1)
        let report = try await nas(responder).run(sessions: script, options: options(window: 1, timeoutMilliseconds: 300, retries: 5))
        #expect(report.isComplete)
        #expect(report.requestsSent == 3)
        #expect(report.retransmissions == 3)
        #expect(report.acknowledged == 3)
        // The first request took three timeouts before its answer.
        #expect(report.latency.max >= .milliseconds(900))
        let received = responder.received
        #expect(received.count == 6)
        #expect(received[0..<4].allSatisfy { $0.bytes == received[0].bytes })
        #expect(Set(received.map(\.bytes)).count == 3)
    }

    @Test("After the last retry the request is given up and the session goes on")
    func giveUp() async throws {
        var configuration = TestResponder.Configuration()
        configuration.answers = false
        let responder = try TestResponder(configuration)
        defer { responder.stop() }
        let report = try await nas(responder).run(
            sessions: sessions(1, interims: 1), options: options(window: 4, timeoutMilliseconds: 20, retries: 2))
        #expect(!report.isComplete)
        #expect(report.requestsSent == 3)
        #expect(report.unanswered == 3)
        #expect(report.retransmissions == 6)
        #expect(report.acknowledged == 0)
        #expect(report.acknowledgedTotals == UsageTotals())
        #expect(report.unansweredRequests.map(\.kind) == ["Start", "Interim-Update", "Stop"])
        #expect(report.unansweredRequests.first?.sessionID == "s-0")
        #expect(responder.received.count == 9)
    }

    @Test("Failover: after failoverAfter unanswered sends the NAS moves to its next server, outstanding requests with it")
    func failover() async throws {
        var silent = TestResponder.Configuration()
        silent.answers = false
        let primary = try TestResponder(silent)
        defer { primary.stop() }
        let secondary = try TestResponder()
        defer { secondary.stop() }
        let third = try TestResponder()
        defer { third.stop() }
        var device = nas(primary)
        device.failoverTargets = [secondary.address, third.address]
        var failingOver = options(window: 4, timeoutMilliseconds: 150, retries: 6)
        failingOver.failoverAfter = 2
        let report = try await device.run(sessions: sessions(10, interims: 1), options: failingOver)
        #expect(report.isComplete, "\(report)")
        #expect(report.requestsSent == 30)
        // The four Starts of the first window went to the primary twice each, then moved.
        #expect(report.failovers == 1)
        #expect(report.requestsMoved == 4)
        #expect(report.retransmissions == 8)
        let first = primary.received
        #expect(first.count == 8)
        #expect(Set(first.map(\.bytes)).count == 4)
        // Everything after the failover went to the secondary, the moved requests identical.
        let second = secondary.received
        #expect(second.count == 30)
        #expect(Set(second.map(\.bytes)).count == 30)
        #expect(Set(first.map(\.bytes)).isSubset(of: Set(second.map(\.bytes))))
        #expect(third.received.isEmpty)
    }

    @Test("Failover stops at the last server: a request unanswered everywhere is given up after its retries")
    func failoverExhausted() async throws {
        var silent = TestResponder.Configuration()
        silent.answers = false
        let primary = try TestResponder(silent)
        defer { primary.stop() }
        let secondary = try TestResponder(silent)
        defer { secondary.stop() }
        var device = nas(primary)
        device.failoverTargets = [secondary.address]
        var failingOver = options(window: 1, timeoutMilliseconds: 20, retries: 4)
        failingOver.failoverAfter = 2
        let report = try await device.run(sessions: sessions(1, interims: 0), options: failingOver)
        #expect(report.unanswered == 2)
        #expect(report.failovers == 1)
        // The Start: 2 sends to the primary, 3 to the secondary; the Stop: 5 to the secondary.
        #expect(primary.received.count == 2)
        #expect(secondary.received.count == 8)
        #expect(report.requestsMoved == 1)
    }

    @Test("An answer signed with another secret fails verification, is counted and ignored")
    func wrongSecret() async throws {
        var configuration = TestResponder.Configuration()
        configuration.answerSecret = Array("not-the-secret".utf8)
        let responder = try TestResponder(configuration)
        defer { responder.stop() }
        let script = [SimulatedSession(userName: "u", sessionID: "one", events: [.start()])]
        let report = try await nas(responder).run(sessions: script, options: options(window: 1, timeoutMilliseconds: 300, retries: 2))
        #expect(report.acknowledged == 0)
        #expect(report.badResponses == 3)
        #expect(report.unanswered == 1)
        #expect(report.retransmissions == 2)
        #expect(!report.isComplete)
    }

    @Test("A server that answers twice: the second answer is late, not bad")
    func doubleAnswers() async throws {
        var configuration = TestResponder.Configuration()
        configuration.answerTwice = true
        let responder = try TestResponder(configuration)
        defer { responder.stop() }
        let report = try await nas(responder).run(sessions: sessions(10, interims: 1), options: options(window: 4))
        #expect(report.isComplete)
        #expect(report.acknowledged == 30)
        // The copies of the last window's answers may arrive after the run has ended.
        #expect(report.lateResponses >= 30 - 4 && report.lateResponses <= 30)
        #expect(report.badResponses == 0)
        #expect(report.ignoredDatagrams == 0)
    }

    @Test("A session's next event waits for the previous one's answer; sessions run concurrently")
    func ordering() async throws {
        var configuration = TestResponder.Configuration()
        configuration.holdUntil = 6
        configuration.maximumHold = 0.01
        let responder = try TestResponder(configuration)
        defer { responder.stop() }
        let script = sessions(12, interims: 3)
        let report = try await nas(responder).run(sessions: script, options: options(window: 6))
        #expect(report.isComplete)
        let received = responder.received
        #expect(received.allSatisfy { $0.sameSessionInHand == 0 })
        for session in script {
            let seen = received.filter { $0.sessionID == session.sessionID }.compactMap { $0.fields?.statusType }
            #expect(seen == [1, 3, 3, 3, 2])
            let counters = received.filter { $0.sessionID == session.sessionID }.compactMap { $0.fields?.uploadOctets }
            #expect(counters == counters.sorted())
        }
        // Several sessions were in flight at once.
        #expect(responder.maximumInHand == 6)
    }

    @Test("A pipelined session sends its events without waiting (the ordering check sees it)")
    func pipelined() async throws {
        var configuration = TestResponder.Configuration()
        configuration.holdUntil = 4
        let responder = try TestResponder(configuration)
        defer { responder.stop() }
        var session = sessions(1, interims: 2)[0]
        session.pipelined = true
        let report = try await nas(responder).run(sessions: [session], options: options(window: 8))
        #expect(report.isComplete)
        #expect(responder.received.map(\.sameSessionInHand) == [0, 1, 2, 3])
    }

    @Test("Deliberate duplicates: the identical datagram twice, and the event again with a new Identifier")
    func duplicates() async throws {
        let responder = try TestResponder()
        defer { responder.stop() }
        let script = [
            SimulatedSession(
                userName: "u", sessionID: "dup",
                events: [
                    SessionEvent.start(at: .at(1_800_000_000)).duplicated(.identical),
                    SessionEvent.interim(upload: 10, download: 20, at: .at(1_800_000_300), delayTime: 2)
                        .duplicated(.newIdentifier(addedDelay: 7)),
                ])
        ]
        let report = try await nas(responder).run(sessions: script, options: options(window: 4))
        #expect(report.requestsSent == 3)
        #expect(report.acknowledged == 3)
        #expect(report.duplicatesSent == 1)
        #expect(report.lateResponses == 1) // the server answered both identical copies
        #expect(report.expected == UsageTotals(sessions: 1, upload: 10, download: 20))
        let received = responder.received
        #expect(received.count == 4)
        #expect(received[0].bytes == received[1].bytes)
        let original = try #require(received[2].packet)
        let copy = try #require(received[3].packet)
        #expect(original.identifier != copy.identifier)
        #expect(received[2].fields?.eventTimestamp == 1_800_000_300)
        #expect(received[3].fields?.eventTimestamp == 1_800_000_300)
        #expect(received[2].fields?.delayTime == 2)
        #expect(received[3].fields?.delayTime == 9)
        #expect(received[3].fields?.uploadOctets == 10)
    }

    @Test("A new-Identifier copy can go out before the original is answered")
    func immediateCopy() async throws {
        var configuration = TestResponder.Configuration()
        configuration.holdUntil = 2
        let responder = try TestResponder(configuration)
        defer { responder.stop() }
        let script = [
            SimulatedSession(
                userName: "u", sessionID: "imm",
                events: [
                    SessionEvent.start().duplicated(.newIdentifier(addedDelay: 1, immediately: true))
                ])
        ]
        let report = try await nas(responder).run(sessions: script, options: options(window: 4))
        #expect(report.isComplete)
        #expect(report.requestsSent == 2)
        #expect(responder.received.map(\.sameSessionInHand) == [0, 1])
    }

    @Test("Event-Timestamp is sent as scripted, the current time, or absent with Acct-Delay-Time")
    func eventTimes() async throws {
        let responder = try TestResponder()
        defer { responder.stop() }
        let before = UInt32(Date().timeIntervalSince1970)
        let script = [
            SimulatedSession(
                userName: "u", sessionID: "t",
                events: [
                    .start(at: .at(1_700_000_000)),
                    .interim(upload: 1, download: 1, at: .now),
                    .stop(upload: 2, download: 2, at: .absent, delayTime: 30),
                    .stop(upload: 2, download: 2, at: .absent),
                ])
        ]
        let report = try await nas(responder).run(sessions: script, options: options())
        #expect(report.isComplete)
        let fields = responder.received.compactMap(\.fields)
        #expect(fields.count == 4)
        #expect(fields[0].eventTimestamp == 1_700_000_000)
        #expect(fields[0].delayTime == nil)
        let now = try #require(fields[1].eventTimestamp)
        #expect(now >= before && now <= before + 5)
        #expect(fields[2].eventTimestamp == nil && fields[2].delayTime == 30)
        #expect(fields[3].eventTimestamp == nil && fields[3].delayTime == 0)
    }

    @Test("Gigawords over the wire: the server reads 64-bit counters, a 32-bit NAS wraps")
    func gigawordsOnTheWire() async throws {
        let responder = try TestResponder()
        defer { responder.stop() }
        let big: UInt64 = 6 << 32 | 123
        var wide = SimulatedSession(userName: "u", sessionID: "wide", events: [.interim(upload: big, download: big + 1)])
        wide.gigawords = .always
        var narrow = SimulatedSession(userName: "u", sessionID: "narrow", events: [.interim(upload: big, download: big + 1)])
        narrow.gigawords = .never
        let report = try await nas(responder).run(sessions: [wide, narrow], options: options(window: 1))
        #expect(report.isComplete)
        let byID = Dictionary(uniqueKeysWithValues: responder.received.map { ($0.sessionID!, $0.fields!) })
        #expect(byID["wide"]?.uploadOctets == big)
        #expect(byID["wide"]?.downloadOctets == big + 1)
        #expect(byID["narrow"]?.uploadOctets == 123)
        #expect(byID["narrow"]?.inputGigawords == nil)
        // The report still expects the true counters: a collector must detect the wrap.
        #expect(report.expected.upload == 2 * big)
    }

    @Test("Status-Server carries a valid Message-Authenticator and its signed answer is accepted")
    func statusServer() async throws {
        let responder = try TestResponder()
        defer { responder.stop() }
        let report = try await nas(responder).send(.statusServer, options: options())
        #expect(report.isComplete)
        #expect(report.acknowledged == 1)
        #expect(report.expected == UsageTotals())
        let received = try #require(responder.received.first)
        #expect(received.packet?.code == .statusServer)
        #expect(received.messageAuthenticator == .valid)
    }

    @Test("A Status-Server answer with a wrong Message-Authenticator is bad")
    func statusServerBadAnswer() async throws {
        var configuration = TestResponder.Configuration()
        configuration.corruptStatusAnswers = true
        let responder = try TestResponder(configuration)
        defer { responder.stop() }
        let report = try await nas(responder).send(.statusServer, options: options(timeoutMilliseconds: 300, retries: 1))
        #expect(report.acknowledged == 0)
        #expect(report.badResponses == 2)
        #expect(report.unanswered == 1)
    }

    @Test("Accounting-On and Accounting-Off are sent and acknowledged")
    func accountingOnOff() async throws {
        let responder = try TestResponder()
        defer { responder.stop() }
        let device = nas(responder, from: "127.0.0.5")
        let on = try await device.send(.accountingOn(at: .at(1_750_000_000)), options: options())
        let off = try await device.send(.accountingOff(), options: options())
        #expect(on.acknowledged == 1 && off.acknowledged == 1)
        let fields = responder.received.compactMap(\.fields)
        #expect(fields.map(\.statusType) == [7, 8])
        #expect(fields[0].eventTimestamp == 1_750_000_000)
        #expect(fields.allSatisfy { $0.nasIPAddress == 0x7f00_0005 })
        #expect(responder.received.allSatisfy { $0.source == "127.0.0.5" })
    }

    @Test("Several NAS, each from its own loopback address, in one run")
    func severalNAS() async throws {
        let responder = try TestResponder()
        defer { responder.stop() }
        let workloads = (1...3).map { n in
            NASWorkload(
                nas: SimulatedNAS(localAddress: "127.0.1.\(n)", target: responder.address, secret: secret, nasIdentifier: "nas-\(n)"),
                messages: [.statusServer], sessions: sessions(5, interims: 1, prefix: "nas\(n)"))
        }
        let report = try await NASSimulator(options: options(window: 9)).run(workloads)
        #expect(report.isComplete)
        #expect(report.acknowledged == 3 * (1 + 15))
        #expect(report.expected.sessions == 15)
        let received = responder.received
        for n in 1...3 {
            let mine = received.filter { $0.source == "127.0.1.\(n)" }
            #expect(mine.count == 16)
            #expect(mine.allSatisfy { $0.fields?.nasIPAddress == 0x7f00_0100 + UInt32(n) })
            #expect(mine.allSatisfy { $0.text($0.fields?.nasIdentifier) == "nas-\(n)" })
        }
    }

    @Test("Workloads spread over several threads give one merged report")
    func threads() async throws {
        let responder = try TestResponder()
        defer { responder.stop() }
        let workloads = (1...4).map { n in
            NASWorkload(
                nas: SimulatedNAS(localAddress: "127.0.2.\(n)", target: responder.address, secret: secret),
                sessions: sessions(10, interims: 2, prefix: "t\(n)"))
        }
        let report = try await NASSimulator(options: options(window: 16), threads: 2).run(workloads)
        #expect(report.isComplete)
        #expect(report.acknowledged == 4 * 10 * 4)
        #expect(report.latency.count == 160)
        #expect(report.expected.sessions == 40)
        #expect(responder.received.count == 160)
    }

    @Test("IPv6: a NAS on ::1 talks to a server on ::1")
    func ipv6() async throws {
        var configuration = TestResponder.Configuration()
        configuration.bindAddress = "::1"
        let responder = try TestResponder(configuration)
        defer { responder.stop() }
        let report = try await nas(responder, from: "::1").run(sessions: sessions(3), options: options())
        #expect(report.isComplete)
        #expect(report.acknowledged == 9)
        #expect(responder.received.allSatisfy { $0.source == "::1" })
    }

    @Test("The time limit stops a run whose server never answers; what was left is reported")
    func timeLimit() async throws {
        var configuration = TestResponder.Configuration()
        configuration.answers = false
        let responder = try TestResponder(configuration)
        defer { responder.stop() }
        var limited = options(window: 4, timeoutMilliseconds: 10_000, retries: 3)
        limited.timeLimit = .milliseconds(300)
        let report = try await nas(responder).run(sessions: sessions(10, interims: 1), options: limited)
        // The run's own clock, well below the 10 s request timeout that a run ignoring the limit
        // would wait. (Wall-clock time around the await also counts waiting for a thread, which
        // other suites' blocking work can stretch on a loaded 2-core machine.)
        #expect(report.elapsed < .seconds(9))
        #expect(report.stoppedEarly)
        #expect(report.requestsSent == 4)
        #expect(report.unanswered == 4)
        #expect(report.notSent == 30 - 4)
        #expect(report.expected.sessions == 10)
    }

    @Test("Cancelling the task stops the run")
    func cancellation() async throws {
        var configuration = TestResponder.Configuration()
        configuration.answers = false
        let responder = try TestResponder(configuration)
        defer { responder.stop() }
        let device = nas(responder)
        let task = Task {
            try await device.run(sessions: sessions(4), options: options(timeoutMilliseconds: 10_000, limit: 30))
        }
        try await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now
        task.cancel()
        let report = try await task.value
        // The run's own clock: a run ignoring the cancellation would wait out the 10 s request
        // timeout. (Wall-clock time around the await also counts waiting for a pool thread,
        // which other suites' long blocking tests can stretch on a 2-core machine.)
        #expect(report.elapsed < .seconds(9), "cancelled after \(ContinuousClock.now - started) of wall-clock time")
        #expect(report.stoppedEarly)
        #expect(report.acknowledged == 0)
    }

    @Test("The rate cap paces new requests")
    func rate() async throws {
        let responder = try TestResponder()
        defer { responder.stop() }
        var paced = options(window: 64)
        paced.rate = 200
        let report = try await nas(responder).run(sessions: sessions(50, interims: 0), options: paced)
        #expect(report.isComplete)
        // 100 requests at 200/s take about half a second (the first burst is small).
        #expect(report.elapsed >= .milliseconds(400))
        #expect(report.elapsed < .seconds(10))
    }

    @Test("The blocking API runs the same simulation from a plain thread")
    func blocking() throws {
        let responder = try TestResponder()
        defer { responder.stop() }
        let report = try NASSimulator(options: options()).runBlocking([NASWorkload(nas: nas(responder), sessions: sessions(5))])
        #expect(report.isComplete)
        #expect(report.acknowledged == 15)
    }

    @Test("An address that is not local cannot be bound, and says so")
    func bindFailure() async throws {
        let target = UDPAddress(host: "127.0.0.1", port: 9)!
        let device = SimulatedNAS(localAddress: "192.0.2.1", target: target, secret: secret)
        await #expect(throws: SimulatorError.self) {
            try await device.run(sessions: sessions(1), options: options(limit: 1))
        }
    }
}
