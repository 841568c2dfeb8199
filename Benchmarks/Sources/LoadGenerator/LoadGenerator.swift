import ArgumentParser
import Foundation
import NASSimulator

/// `tollgate-load`: plays NAS devices against a RADIUS accounting server and reports the
/// acknowledged packet rate, acknowledgement latency, losses, and the totals the server's
/// database must hold afterwards.
@main
struct LoadGenerator: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate-load",
        abstract: "Load an accounting server with simulated NAS devices and sessions.",
        discussion: """
            Each session sends Start, --interims Interim-Updates and Stop, the next event only after \
            the previous one was acknowledged; sessions run concurrently up to --window outstanding \
            requests. NAS n sends from 127.0.1.n (IPv4 targets) so a collector sees N distinct NAS. \
            Exits 1 when a request was lost or an answer failed verification.
            """)

    @Option(help: "The accounting server, HOST:PORT (IPv6 as [::1]:1813).")
    var target = "127.0.0.1:1813"

    @Option(help: "The RADIUS shared secret.")
    var secret = "testing123"

    @Option(help: "NAS devices, sending from 127.0.1.1 ... 127.0.1.N.")
    var nas = 1

    @Option(help: "Sessions in total, spread evenly over the NAS.")
    var sessions = 1000

    @Option(help: "Interim-Updates per session (between Start and Stop).")
    var interims = 2

    @Option(help: "Distinct User-Names; 0 gives every session its own.")
    var users = 0

    @Option(help: "Requests outstanding at once, over all NAS.")
    var window = 256

    @Option(name: .customLong("timeout-ms"), help: "Milliseconds before a request is retransmitted.")
    var timeoutMilliseconds = 2000

    @Option(help: "Retransmissions before a request is given up.")
    var retries = 3

    @Option(name: .customLong("duration-limit"), help: "Seconds after which the run stops, finished or not.")
    var durationLimit = 120.0

    @Option(help: "Cap on new requests per second (for latency at a fixed load); none by default.")
    var rate: Double?

    @Option(help: "Sender threads (each owns whole NAS).")
    var threads = 1

    @Option(
        name: .customLong("start-time"),
        help:
            "Unix time of the sessions' Start; each event then carries an explicit Event-Timestamp, 300 s apart. By default events carry the time they are sent."
    )
    var startTime: UInt32?

    @Option(name: .customLong("session-prefix"), help: "Prefix of every Acct-Session-Id, so separate runs do not share sessions.")
    var sessionPrefix = "L"

    @Flag(help: "Send one Status-Server from the first NAS and exit 0 when a verified answer comes (a readiness check).")
    var probe = false

    @Flag(help: "Print the report as JSON on standard output.")
    var json = false

    @Flag(name: .customLong("key-value"), help: "Print the report as NAME=VALUE lines, for shell scripts.")
    var keyValue = false

    @Flag(name: .customLong("allow-non-loopback"), help: "Allow a target outside 127.0.0.0/8 and ::1.")
    var allowNonLoopback = false

    func validate() throws {
        guard let address = UDPAddress(parsing: target) else {
            throw ValidationError("--target must be a numeric HOST:PORT, such as 127.0.0.1:1813 or [::1]:1813")
        }
        guard address.isLoopback || allowNonLoopback else {
            throw ValidationError("--target \(target) is not a loopback address; pass --allow-non-loopback to load a remote server")
        }
        guard nas >= 1, nas <= 254 * 254 else { throw ValidationError("--nas must be 1...64516") }
        guard sessions >= 0 else { throw ValidationError("--sessions must not be negative") }
        guard interims >= 0, interims <= 10_000 else { throw ValidationError("--interims must be 0...10000") }
        guard users >= 0 else { throw ValidationError("--users must not be negative") }
        guard window >= 1 else { throw ValidationError("--window must be at least 1") }
        guard timeoutMilliseconds >= 1 else { throw ValidationError("--timeout-ms must be at least 1") }
        guard retries >= 0 else { throw ValidationError("--retries must not be negative") }
        guard durationLimit > 0 else { throw ValidationError("--duration-limit must be positive") }
        guard rate.map({ $0 > 0 }) ?? true else { throw ValidationError("--rate must be positive") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let server = UDPAddress(parsing: target)!
        if probe {
            let device = SimulatedNAS(localAddress: server.family == AF_INET6 ? "::1" : "127.0.1.1", target: server, secret: secret)
            let options = RunOptions(window: 1, timeout: .milliseconds(timeoutMilliseconds), retries: retries, timeLimit: .seconds(10))
            let report = try NASSimulator(options: options).runBlocking([NASWorkload(nas: device, messages: [.statusServer])])
            if !json && !keyValue {
                print(report.acknowledged == 1 ? "Status-Server answered in \(formatDuration(report.latency.max))" : "no answer to Status-Server")
            }
            throw ExitCode(report.acknowledged == 1 ? 0 : 1)
        }
        let workloads = makeWorkloads(server: server)
        var options = RunOptions(
            window: window, timeout: .milliseconds(timeoutMilliseconds), retries: retries,
            timeLimit: .milliseconds(Int64(durationLimit * 1000)), rate: rate)
        // Per-user totals of a million users are not worth their memory in a load run.
        options.collectPerUserTotals = false

        let packets = sessions * (interims + 2)
        if !json && !keyValue {
            print(
                "tollgate-load: \(nas) NAS, \(sessions) sessions x \(interims + 2) packets = \(packets) requests -> \(server), "
                    + "window \(window)\(rate.map { ", rate \(Int($0))/s" } ?? "")")
        }
        let report: Report
        do {
            report = try NASSimulator(options: options, threads: threads).runBlocking(workloads)
        } catch {
            FileHandle.standardError.write(Data("tollgate-load: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let lost = report.unanswered + report.notSent
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(JSONReport(report, target: server.description, nas: nas, window: window, rate: rate))
            print(String(decoding: data, as: UTF8.self))
        } else if keyValue {
            let values: [(String, String)] = [
                ("packets_per_second", String(Int(report.packetsPerSecond.rounded()))),
                ("elapsed_ms", String(format: "%.1f", report.elapsed.milliseconds)),
                ("latency_p50_ms", String(format: "%.3f", report.latency.p50.milliseconds)),
                ("latency_p90_ms", String(format: "%.3f", report.latency.p90.milliseconds)),
                ("latency_p99_ms", String(format: "%.3f", report.latency.p99.milliseconds)),
                ("latency_max_ms", String(format: "%.3f", report.latency.max.milliseconds)),
                ("requests", String(report.requestsSent)),
                ("acknowledged", String(report.acknowledged)),
                ("retransmissions", String(report.retransmissions)),
                ("lost", String(lost)),
                ("bad_responses", String(report.badResponses)),
                ("expected_sessions", String(report.expected.sessions)),
                ("expected_upload_bytes", String(report.expected.upload)),
                ("expected_download_bytes", String(report.expected.download)),
            ]
            for (name, value) in values { print("\(name)=\(value)") }
        } else {
            let seconds = report.elapsed.milliseconds / 1000
            print(
                "packets/s: \(Int(report.packetsPerSecond.rounded())) (\(report.acknowledged) acknowledged in \(String(format: "%.3f", seconds)) s)")
            print("ack latency: \(report.latency)")
            print(
                "sent \(report.requestsSent), acknowledged \(report.acknowledged), retransmitted \(report.retransmissions), "
                    + "lost \(lost) (\(report.unanswered) unanswered, \(report.notSent) not sent), "
                    + "bad responses \(report.badResponses), late responses \(report.lateResponses)")
            print(
                "database must hold: \(report.expected.sessions) sessions, upload \(report.expected.upload) bytes, "
                    + "download \(report.expected.download) bytes")
            for label in report.unansweredRequests.prefix(10) { print("  unanswered: \(label)") }
        }
        if lost > 0 || report.badResponses > 0 {
            throw ExitCode(1)
        }
    }

    /// NAS k (1-based) sends from 127.0.(1 + (k-1)/254).(1 + (k-1)%254); with an IPv6 target every NAS uses ::1.
    private func makeWorkloads(server: UDPAddress) -> [NASWorkload] {
        let ipv6 = server.family == AF_INET6
        let perNAS = sessions / nas
        let extra = sessions % nas
        var first = 0
        var workloads: [NASWorkload] = []
        for k in 0..<nas {
            let local = ipv6 ? "::1" : "127.0.\(1 + k / 254).\(1 + k % 254)"
            let device = SimulatedNAS(localAddress: local, target: server, secret: secret, nasIdentifier: "load-nas-\(k + 1)")
            let count = perNAS + (k < extra ? 1 : 0)
            let base = first
            first += count
            let interims = interims
            let users = users
            let startTime = startTime
            let prefix = sessionPrefix
            let source = GeneratedSessions(count: count) { index in
                Self.session(number: base + index, nas: k, prefix: prefix, interims: interims, users: users, startTime: startTime)
            }
            workloads.append(NASWorkload(nas: device, sessions: source))
        }
        return workloads
    }

    /// Session `number` of the run: deterministic identity and counters, a tenth of them large
    /// enough to need Gigawords.
    static func session(number: Int, nas: Int, prefix: String, interims: Int, users: Int, startTime: UInt32?) -> SimulatedSession {
        let user = users > 0 ? number % users : number
        let mix = UInt64(truncatingIfNeeded: number) &* 2_654_435_761 % 1_000_003
        let upload = 10_000 + mix * 37
        let download = number % 10 == 0 ? 1_500_000_000 + mix * 997 : 100_000 + mix * 401
        var session = SimulatedSession.regular(
            userName: "load-user-\(user)", sessionID: "\(prefix)\(nas + 1)-\(String(number, radix: 16, uppercase: true))",
            nasPort: UInt32(truncatingIfNeeded: number), nasPortID: "port-\(number % 4096)",
            framedIPAddress: 0x6440_0000 | UInt32(truncatingIfNeeded: number & 0xffff), startTime: startTime,
            interimInterval: 300, interims: interims, uploadPerInterval: upload, downloadPerInterval: download)
        session.callingStationID = macAddress(number)
        return session
    }

    static func macAddress(_ number: Int) -> String {
        let value = UInt64(truncatingIfNeeded: number) | 0x0200_0000_0000
        return (0..<6).reversed().map { shift in
            let octet = UInt8(truncatingIfNeeded: value >> (8 * UInt64(shift)))
            return String(octet, radix: 16).count == 1 ? "0" + String(octet, radix: 16) : String(octet, radix: 16)
        }.joined(separator: ":")
    }
}

/// The report as `--json` prints it: plain numbers, milliseconds for latency.
struct JSONReport: Encodable {
    struct Latency: Encodable {
        var p50: Double, p90: Double, p99: Double, max: Double, mean: Double, samples: Int
    }
    struct Totals: Encodable {
        var sessions: Int
        var uploadBytes: UInt64
        var downloadBytes: UInt64
        enum CodingKeys: String, CodingKey {
            case sessions
            case uploadBytes = "upload_bytes"
            case downloadBytes = "download_bytes"
        }
    }

    var target: String
    var nas: Int
    var window: Int
    var rateCap: Double?
    var packetsPerSecond: Double
    var elapsedSeconds: Double
    var latencyMilliseconds: Latency
    var requests: Int
    var acknowledged: Int
    var retransmissions: Int
    var lost: Int
    var unanswered: Int
    var notSent: Int
    var badResponses: Int
    var lateResponses: Int
    var sendErrors: Int
    var expected: Totals
    var acknowledgedTotals: Totals

    enum CodingKeys: String, CodingKey {
        case target, nas, window, requests, acknowledged, retransmissions, lost, unanswered, expected
        case rateCap = "rate_cap"
        case packetsPerSecond = "packets_per_second"
        case elapsedSeconds = "elapsed_seconds"
        case latencyMilliseconds = "latency_ms"
        case notSent = "not_sent"
        case badResponses = "bad_responses"
        case lateResponses = "late_responses"
        case sendErrors = "send_errors"
        case acknowledgedTotals = "acknowledged_totals"
    }

    init(_ report: Report, target: String, nas: Int, window: Int, rate: Double?) {
        self.target = target
        self.nas = nas
        self.window = window
        rateCap = rate
        packetsPerSecond = (report.packetsPerSecond * 10).rounded() / 10
        elapsedSeconds = report.elapsed.milliseconds / 1000
        let l = report.latency
        latencyMilliseconds = Latency(
            p50: l.p50.milliseconds, p90: l.p90.milliseconds, p99: l.p99.milliseconds, max: l.max.milliseconds,
            mean: l.mean.milliseconds, samples: l.count)
        requests = report.requestsSent
        acknowledged = report.acknowledged
        retransmissions = report.retransmissions
        unanswered = report.unanswered
        notSent = report.notSent
        lost = report.unanswered + report.notSent
        badResponses = report.badResponses
        lateResponses = report.lateResponses
        sendErrors = report.sendErrors
        expected = Totals(sessions: report.expected.sessions, uploadBytes: report.expected.upload, downloadBytes: report.expected.download)
        acknowledgedTotals = Totals(
            sessions: report.acknowledgedTotals.sessions, uploadBytes: report.acknowledgedTotals.upload,
            downloadBytes: report.acknowledgedTotals.download)
    }
}
