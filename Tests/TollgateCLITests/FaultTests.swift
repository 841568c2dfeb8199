import Foundation
import NASSimulator
import Storage
import TestSupport
import Testing

private let hour0: UInt32 = 1_795_546_800 // 2026-11-24T19:00:00Z

/// Faults a collector in production meets: a mass reboot's burst, hostile traffic, a
/// collector killed while its NAS fail over to another, Accounting-On storms. Each runs real
/// `tollgate serve` processes against the test database; every run has a time limit.
@Suite("Faults", .enabled(if: TestDatabase.available), .serialized)
struct FaultTests {
    @Test(
        "A burst of 200,000 packets from 1,000 NAS at once: all answered and stored, totals exact, memory bounded",
        .timeLimit(.minutes(4)))
    func massRebootBurst() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let (url, connection) = try prepareDatabase()
        let nasCount = 1000
        let sessionsPerNAS = 50
        let addresses = (0..<nasCount).map { "127.0.\(1 + $0 / 254).\(1 + $0 % 254)" }
        try registerNAS(addresses.indices.map { ("bras-\($0)", addresses[$0], "burst-secret-\($0)") }, connection: connection)
        let serve = try ServeProcess(databaseURL: url)
        let idle = serve.memoryKilobytes("VmRSS") ?? 0
        let server = UDPAddress(host: "127.0.0.1", port: serve.port)!
        let workloads = addresses.indices.map { k in
            NASWorkload(
                nas: SimulatedNAS(localAddress: addresses[k], target: server, secret: "burst-secret-\(k)"),
                sessions: GeneratedSessions(count: sessionsPerNAS) { s in
                    let n = k * sessionsPerNAS + s
                    // A tenth of the sessions need Gigawords.
                    return SimulatedSession.regular(
                        userName: "burst-\(n % 7919)", sessionID: "R\(k)-\(s)", nasPort: UInt32(s), startTime: hour0 + UInt32(n % 3600),
                        interimInterval: 300, interims: 2, uploadPerInterval: UInt64(10_000 + n),
                        downloadPerInterval: n % 10 == 0 ? 1_500_000_000 + UInt64(n) : UInt64(200_000 + 37 * n))
                })
        }
        // Every NAS sends at once: 20,000 requests outstanding. The timeout covers the queue
        // such a burst builds, as a NAS's would after a reboot.
        let options = RunOptions(window: 20_000, timeout: .seconds(5), retries: 6, timeLimit: .seconds(150))
        let report = try await NASSimulator(options: options, threads: 2).run(workloads)
        let packets = nasCount * sessionsPerNAS * 4
        #expect(report.isComplete, "\(report)")
        #expect(report.requestsSent == packets)
        #expect(report.acknowledged == packets)

        try expectTotals(connection, report.expected, perUser: report.expectedPerUser)
        let sessions = nasCount * sessionsPerNAS
        #expect(try count(connection, "SELECT count(*) FROM sessions WHERE close_reason = 'stop' AND stopped_at IS NOT NULL") == sessions)
        #expect(try count(connection, "SELECT count(*) FROM sessions") == sessions)
        #expect(
            try count(connection, "SELECT count(*) FROM (SELECT nas_id FROM sessions GROUP BY nas_id HAVING count(*) = \(sessionsPerNAS)) n")
                == nasCount)
        // Every request is in the raw packet table (retransmissions processed again add rows, not packets).
        let storedRows = try count(connection, "SELECT count(*) FROM accounting_packets")
        let storedPackets = try count(connection, "SELECT count(DISTINCT packet) FROM accounting_packets")
        #expect(storedPackets == packets)

        let metrics = try serve.metrics()
        #expect(metrics.dropped("overloaded") == 0)
        #expect(metrics.dropped("storage_unavailable") == 0)
        // Measured at 140-160 MB (debug build, about 45 MB at start); the bound is about twice that.
        let peak = try #require(serve.memoryKilobytes("VmHWM"))
        let after = serve.memoryKilobytes("VmRSS") ?? 0
        #expect(peak < 300 * 1024, "peak RSS \(peak / 1024) MB")
        #expect(serve.terminate() == 0)
        print(
            """
            fault burst: \(packets) packets from \(nasCount) NAS, \(report.acknowledged) answered, \(storedPackets) stored \
            (\(storedRows) rows), lost \(report.unanswered + report.notSent), retransmissions \(report.retransmissions), \
            \(Int(report.packetsPerSecond)) packets/s over \(formatDuration(report.elapsed)), latency \(report.latency), \
            duplicates in flight dropped \(metrics.dropped("duplicate_in_flight")), answered from the cache \
            \(metrics["tollgate_duplicates_answered_total"] ?? 0), listener pauses \(metrics["tollgate_listener_pauses_total"] ?? 0), \
            collector peak RSS \(peak / 1024) MB (\(idle / 1024) MB at start, \(after / 1024) MB after), test \(clock.now - began)
            """)
    }

    @Test(
        "Hostile traffic at full speed during real accounting: the collector stays up, totals exact, drops counted by reason",
        .timeLimit(.minutes(3)))
    func hostileTraffic() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let (url, connection) = try prepareDatabase()
        let broken = try registerNAS([("broken", "127.0.0.66", "broken-nas-secret")], connection: connection)["broken"]!
        let serve = try ServeProcess(databaseURL: url)
        let served = clock.now
        var sessions: [SimulatedSession] = []
        for s in 0..<3000 {
            sessions.append(
                SimulatedSession.regular(
                    userName: "h\(s % 29)", sessionID: "H\(s)", nasPort: UInt32(s), startTime: hour0 + UInt32(s),
                    interimInterval: 300, interims: 2, uploadPerInterval: UInt64(4000 + s),
                    downloadPerInterval: UInt64(90_000 + s)))
        }
        let hostile = try HostileSender(
            port: serve.port, nasAddress: "127.0.0.1", secret: "testing123", unknownAddress: "127.9.9.9",
            brokenNAS: ("127.0.0.66", "broken-nas-secret"), sessions: sessions, timeLimit: .seconds(100))
        hostile.start()
        try await Task.sleep(for: .milliseconds(300))
        // Real packets compete with the flood for the socket buffer: some are lost and retransmitted.
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: serve.port)!, secret: "testing123")
        let report = try await nas.run(
            sessions: sessions,
            options: RunOptions(
                window: 256, timeout: .milliseconds(500), retries: 40,
                timeLimit: .seconds(90)))
        let traffic = hostile.stop()

        #expect(serve.process.isRunning, "the collector must survive the flood")
        #expect(report.isComplete, "\(report)")
        try expectTotals(connection, report.expected, perUser: report.expectedPerUser)
        #expect(try count(connection, "SELECT count(*) FROM sessions") == 3000)
        #expect(try count(connection, "SELECT count(*) FROM sessions WHERE close_reason = 'stop'") == 3000)
        // The broken NAS's signed packets are recorded and answered, and open no session.
        #expect(try count(connection, "SELECT count(*) FROM accounting_packets WHERE nas_id = \(broken)") > 0)
        #expect(try count(connection, "SELECT count(*) FROM sessions WHERE nas_id = \(broken)") == 0)

        let metrics = try serve.metrics()
        for kind in HostileSender.Kind.allCases {
            #expect(traffic.sent[kind, default: 0] > 0, "\(kind.rawValue) was never sent")
            if let reason = kind.dropReason {
                #expect(metrics.dropped(reason) > 0, "\(kind.rawValue): nothing counted under \(reason)")
            }
        }
        #expect(metrics.dropped("too_short") > 0)
        #expect(metrics.dropped("overloaded") == 0)
        #expect(metrics.dropped("storage_unavailable") == 0)
        #expect(traffic.unexpectedAnswers == 0, "a hostile datagram was answered")
        #expect(traffic.statusServerAnswers > 0)
        #expect(traffic.brokenNASAnswers > 0)
        #expect((metrics["tollgate_status_server_answered_total"] ?? 0) > 0)

        let lifetime = clock.now - served
        #expect(serve.terminate() == 0)
        // Drops are logged at most once per reason every 10 s, whatever the flood.
        let log = try String(contentsOf: serve.log, encoding: .utf8)
        let dropLines = log.components(separatedBy: "\n").filter { $0.contains("dropped datagram") }.count
        let reasons = metrics.keys.filter { $0.hasPrefix("tollgate_packets_dropped_total{") }.count
        #expect(dropLines <= reasons * (Int(lifetime.components.seconds) / 10 + 2), "\(dropLines) drop log lines")

        let perKind = HostileSender.Kind.allCases.map { "\($0.rawValue) \(traffic.sent[$0, default: 0])" }.joined(separator: ", ")
        let drops = metrics.filter { $0.key.hasPrefix("tollgate_packets_dropped_total") && $0.value > 0 }
            .map { "\($0.key.dropFirst("tollgate_packets_dropped_total".count)) \($0.value)" }.sorted().joined(separator: ", ")
        print(
            """
            fault hostile: \(traffic.total) hostile datagrams in \(traffic.elapsed) (\(perKind)); \
            answers: Status-Server \(traffic.statusServerAnswers), broken NAS \(traffic.brokenNASAnswers), unexpected \(traffic.unexpectedAnswers); \
            received \(metrics["tollgate_packets_received_total"] ?? 0), dropped: \(drops); \
            real: \(report.requestsSent) requests, \(report.acknowledged) answered, \(report.retransmissions) retransmissions, \
            latency \(report.latency); drop log lines \(dropLines); test \(clock.now - began)
            """)
    }

    @Test(
        "Two collectors, one killed mid-load: the NAS fails over to the other, totals exact, nothing counted twice",
        .timeLimit(.minutes(3)))
    func failoverAfterKill() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let (url, connection) = try prepareDatabase()
        let primary = try ServeProcess(databaseURL: url)
        let secondary = try ServeProcess(databaseURL: url)
        var sessions: [SimulatedSession] = []
        for s in 0..<1500 {
            sessions.append(
                SimulatedSession.regular(
                    userName: "f\(s % 31)", sessionID: "F\(s)", nasPort: UInt32(s), startTime: hour0 + UInt32(s),
                    interimInterval: 300, interims: 2, uploadPerInterval: UInt64(5000 + s),
                    downloadPerInterval: UInt64(80_000 + s)))
        }
        var nas = SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: primary.port)!, secret: "testing123")
        nas.failoverTargets = [UDPAddress(host: "127.0.0.1", port: secondary.port)!]
        // Three unanswered sends to a server and the NAS moves on, as a NAS's dead-server detection does.
        var options = RunOptions(window: 128, timeout: .milliseconds(300), retries: 10, timeLimit: .seconds(120))
        options.failoverAfter = 3
        // Paced, so the kill lands mid-load: answers wait only for the log append now, and an
        // unpaced run can be over before the kill.
        options.rate = 2000
        // The load and the steps that interrupt it run on threads of their own (see ThreadTask).
        let run = ThreadTask { try NASSimulator(options: options).runBlocking([NASWorkload(nas: nas, sessions: sessions)]) }
        let storedAtKill = try await ThreadTask {
            _ = try waitUntil(seconds: 60) { try count(connection, "SELECT count(*) FROM accounting_packets") >= 1000 }
            kill(primary.process.processIdentifier, SIGKILL)
            primary.process.waitUntilExit()
            return try count(connection, "SELECT count(*) FROM accounting_packets")
        }.value
        let killedAt = clock.now
        #expect(primary.process.terminationReason == .uncaughtSignal)
        #expect(storedAtKill >= 1000 && storedAtKill < 6000)
        let report = try await run.value

        #expect(report.isComplete, "\(report)")
        #expect(report.failovers == 1)
        #expect(report.requestsMoved > 0)
        try expectTotals(connection, report.expected, perUser: report.expectedPerUser)
        #expect(try count(connection, "SELECT count(*) FROM sessions") == 1500)
        #expect(try count(connection, "SELECT count(*) FROM sessions WHERE stopped_at IS NOT NULL AND close_reason = 'stop'") == 1500)
        let sessionTotals = try connection.query("SELECT sum(upload_bytes)::text, sum(download_bytes)::text FROM sessions").rows[0]
        #expect(sessionTotals == [String(report.expected.upload), String(report.expected.download)])
        // Packets the primary committed but never answered were recorded again by the secondary.
        let storedRows = try count(connection, "SELECT count(*) FROM accounting_packets")
        let storedPackets = try count(connection, "SELECT count(DISTINCT packet) FROM accounting_packets")
        #expect(storedPackets == report.requestsSent)
        let metrics = try secondary.metrics()
        #expect((metrics["tollgate_packets_answered_total"] ?? 0) > 0)
        #expect(secondary.terminate() == 0)
        print(
            """
            fault failover: \(report.requestsSent) requests, \(report.acknowledged) answered, \(storedAtKill) stored before the kill, \
            \(storedPackets) stored in \(storedRows) rows; \
            retransmissions \(report.retransmissions), failovers \(report.failovers), requests moved \(report.requestsMoved); \
            secondary answered \(metrics["tollgate_packets_answered_total"] ?? 0) \
            (from its duplicate cache \(metrics["tollgate_duplicates_answered_total"] ?? 0)); \
            load finished \(clock.now - killedAt) after the kill; latency \(report.latency); test \(clock.now - began)
            """)
    }

    @Test("An Accounting-On closing 20,000 sessions does not stall another NAS's accounting", .timeLimit(.minutes(3)))
    func accountingOnStorm() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let (url, connection) = try prepareDatabase()
        let ids = try registerNAS([("storm", "127.0.0.2", "storm-secret")], connection: connection)
        let stormID = ids["storm"]!
        let steadyID = try count(connection, "SELECT id FROM nas_devices WHERE name = 'lo'")
        let serve = try ServeProcess(databaseURL: url)
        let server = UDPAddress(host: "127.0.0.1", port: serve.port)!

        // NAS A: 20,000 sessions started, none stopped.
        let stormNAS = SimulatedNAS(localAddress: "127.0.0.2", target: server, secret: "storm-secret")
        let open = GeneratedSessions(count: 20_000) { s in
            SimulatedSession(userName: "storm-\(s)", sessionID: "A\(s)", nasPort: UInt32(s), events: [.start(at: .at(hour0 + UInt32(s % 600)))])
        }
        let opened = try await NASSimulator(options: RunOptions(window: 2000, timeout: .seconds(3), retries: 6, timeLimit: .seconds(90)))
            .run([NASWorkload(nas: stormNAS, sessions: open)])
        #expect(opened.isComplete, "\(opened)")
        try waitForMerge(connection, seconds: 120)
        #expect(try count(connection, "SELECT count(*) FROM sessions WHERE nas_id = \(stormID) AND stopped_at IS NULL") == 20_000)

        // NAS B: steady load at 1,000 packets/s in one-second runs, before, during and after the storm.
        let steadyNAS = SimulatedNAS(localAddress: "127.0.0.1", target: server, secret: "testing123")
        var steadyOptions = RunOptions(window: 64, timeout: .seconds(2), retries: 10, timeLimit: .seconds(30))
        steadyOptions.rate = 1000
        let paced = steadyOptions
        let steadyRuns = 10
        let steady = Task { () async throws -> [SteadyRun] in
            var runs: [SteadyRun] = []
            for run in 0..<steadyRuns {
                let sessions = (0..<250).map { s in
                    SimulatedSession.regular(
                        userName: "steady-\(s % 40)", sessionID: "B\(run)-\(s)", nasPort: UInt32(s),
                        startTime: hour0 + UInt32(run * 10), interimInterval: 300, interims: 2,
                        uploadPerInterval: UInt64(1000 + s), downloadPerInterval: UInt64(30_000 + run))
                }
                let start = clock.now
                let report = try await steadyNAS.run(sessions: sessions, options: paced)
                runs.append(SteadyRun(start: start, end: clock.now, report: report))
            }
            return runs
        }
        try await Task.sleep(for: .seconds(3.5))
        let stormStart = clock.now
        let on = try await stormNAS.send(
            .accountingOn(at: .at(hour0 + 7200)),
            options: RunOptions(window: 1, timeout: .seconds(5), retries: 10, timeLimit: .seconds(60)))
        let stormEnd = clock.now
        let runs = try await steady.value

        #expect(on.isComplete, "\(on)")
        try waitForMerge(connection, seconds: 120)
        #expect(try count(connection, "SELECT count(*) FROM sessions WHERE nas_id = \(stormID) AND stopped_at IS NULL") == 0)
        #expect(try count(connection, "SELECT count(*) FROM sessions WHERE nas_id = \(stormID) AND close_reason = 'nas-reboot'") == 20_000)
        var expected = UsageTotals()
        for run in runs {
            #expect(run.report.isComplete, "\(run.report)")
            expected.sessions += run.report.expected.sessions
            expected.upload += run.report.expected.upload
            expected.download += run.report.expected.download
        }
        #expect(runs.count == steadyRuns)
        #expect(try count(connection, "SELECT count(*) FROM sessions WHERE nas_id = \(steadyID) AND close_reason = 'stop'") == 250 * steadyRuns)
        #expect(try count(connection, "SELECT count(*) FROM sessions WHERE nas_id = \(steadyID)") == 250 * steadyRuns)
        let stored = try connection.query(
            """
            SELECT sum(upload_bytes)::text, sum(download_bytes)::text FROM usage_hourly WHERE subscriber LIKE 'steady-%'
            """
        ).rows[0]
        #expect(stored == [String(expected.upload), String(expected.download)])
        #expect(try count(connection, "SELECT count(*) FROM usage_hourly WHERE subscriber LIKE 'storm-%' AND upload_bytes + download_bytes > 0") == 0)
        #expect(serve.terminate() == 0)

        var lines: [String] = []
        for (index, run) in runs.enumerated() {
            let phase = run.end <= stormStart ? "before" : run.start >= stormEnd ? "after" : "during"
            lines.append("  steady run \(index) \(phase): \(run.report.latency), retransmissions \(run.report.retransmissions)")
        }
        print(
            """
            fault storm: 20,000 sessions opened in \(formatDuration(opened.elapsed)); Accounting-On answered after \
            \(formatDuration(on.latency.max)) (\(on.retransmissions) retransmissions); steady NAS latency per run:
            \(lines.joined(separator: "\n"))
            test \(clock.now - began)
            """)
    }
}

/// One run of the steady NAS and when it happened.
private struct SteadyRun: Sendable {
    var start: ContinuousClock.Instant
    var end: ContinuousClock.Instant
    var report: Report
}

/// Registers NAS devices of tenant "acme" through the Storage API, sealed with the key the
/// collector uses: a thousand take seconds this way, minutes as one CLI process each.
/// Returns their ids by name.
@discardableResult
private func registerNAS(_ devices: [(name: String, address: String, secret: String)], connection: PostgresConnection) throws -> [String: Int64] {
    let tenant = try TenantStore(connection: connection).require(slug: "acme")
    let store = NASStore(connection: connection, cipher: try SecretCipher(hexKey: secretKey))
    var ids: [String: Int64] = [:]
    for device in devices {
        ids[device.name] = try store.add(tenant: tenant, name: device.name, address: device.address, secret: device.secret).id
    }
    return ids
}

/// Usage in the database equals what the simulator sent, in total and per subscriber.
func expectTotals(
    _ connection: PostgresConnection, _ expected: UsageTotals, perUser: [String: UsageTotals],
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    // Answered means logged; sessions and usage follow once the merger has applied the log.
    try waitForMerge(connection, seconds: 120)
    let totals = try connection.query("SELECT sum(upload_bytes)::text, sum(download_bytes)::text FROM usage_hourly").rows[0]
    #expect(totals == [String(expected.upload), String(expected.download)], sourceLocation: sourceLocation)
    let rows = try connection.query("SELECT subscriber, sum(upload_bytes)::text, sum(download_bytes)::text FROM usage_hourly GROUP BY subscriber")
        .rows
    var stored: [String: [String?]] = [:]
    for row in rows { stored[row[0] ?? ""] = [row[1], row[2]] }
    #expect(stored.count == perUser.count, sourceLocation: sourceLocation)
    let wrong = perUser.filter { stored[$0.key] != [String($0.value.upload), String($0.value.download)] }
    #expect(
        wrong.isEmpty, "\(wrong.count) subscribers with other totals, e.g. \(wrong.first.map { "\($0.key): \(stored[$0.key] ?? [])" } ?? "")",
        sourceLocation: sourceLocation)
}

extension ServeProcess {
    /// The collector's series from /metrics by name with labels, e.g.
    /// `tollgate_packets_dropped_total{reason="oversized"}`.
    func metrics() throws -> [String: Int] {
        if let host { return try host.within { try self.metricsHere() } }
        return try metricsHere()
    }

    private func metricsHere() throws -> [String: Int] {
        var values: [String: Int] = [:]
        for line in try httpGet(port: httpPort, path: "/metrics").split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Int(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }

    /// A memory figure of the running process in kB from /proc/PID/status: `VmHWM` (the peak
    /// resident set size), `VmRSS` (the current one).
    func memoryKilobytes(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
        else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }
}

extension [String: Int] {
    /// `tollgate_packets_dropped_total` for one reason.
    func dropped(_ reason: String) -> Int { self["tollgate_packets_dropped_total{reason=\"\(reason)\"}"] ?? 0 }
}

/// The body of an HTTP GET to 127.0.0.1:`port` that must answer `status`, with a bearer token when given.
func httpGet(port: UInt16, path: String, token: String? = nil, status: Int = 200) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SetUpError("socket(): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = loopbackAddress("127.0.0.1", port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw SetUpError("connect to port \(port): \(String(cString: strerror(errno)))") }
    let authorization = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(authorization)Connection: close\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
        throw SetUpError("sending the HTTP request failed")
    }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { break }
        response += buffer[0..<n]
    }
    let text = String(decoding: response, as: UTF8.self)
    guard text.hasPrefix("HTTP/1.1 \(status)"), let body = text.range(of: "\r\n\r\n") else {
        throw SetUpError("GET \(path): \(text.prefix(200))")
    }
    let content = String(text[body.upperBound...])
    // A streamed body (CSV exports) comes in chunks: size in hex, CRLF, data, CRLF; 0 ends it.
    guard text[..<body.lowerBound].lowercased().contains("transfer-encoding: chunked") else { return content }
    var rest = Substring(content)
    var decoded = ""
    while let line = rest.range(of: "\r\n"), let size = Int(rest[..<line.lowerBound], radix: 16), size > 0 {
        let start = line.upperBound
        let end = rest.utf8.index(start, offsetBy: size)
        decoded += String(rest[start..<end])
        rest = rest[rest.utf8.index(end, offsetBy: 2)...]
    }
    return decoded
}
