import Foundation
import Logging
import TestSupport
import Testing

@testable import Enforcement

/// pyrad's RADIUS server plays the NAS: an implementation Tollgate shares no code with checks
/// the Request Authenticator and Message-Authenticator, and Tollgate checks pyrad's answers.
@Suite("Dynamic authorization against pyrad")
struct PyradInteropTests {
    /// Runs Tests/interop/pyrad_das.py with the interpreter scripts/test installed pyrad for.
    final class PyradNAS {
        let process = Process()
        let output = Pipe()
        let errors = Pipe()
        let port: UInt16
        private let reader: FileHandle

        init(requests: Int) throws {
            let python = ProcessInfo.processInfo.environment["TOLLGATE_TEST_PYTHON"] ?? "/usr/bin/env"
            process.executableURL = URL(fileURLWithPath: python)
            let script = RealData.repositoryRoot + "/Tests/interop/pyrad_das.py"
            process.arguments = (python.hasSuffix("/env") ? ["python3"] : []) + [script, "testing123", String(requests)]
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            reader = output.fileHandleForReading
            var line = ""
            while !line.hasSuffix("\n") {
                let byte = reader.readData(ofLength: 1)
                if byte.isEmpty { break }
                line += String(decoding: byte, as: UTF8.self)
            }
            guard line.hasPrefix("port "), let port = UInt16(line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                process.waitUntilExit()
                let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw PyradFailure("pyrad_das.py did not start (is pyrad installed? scripts/test installs it): \(line) \(message)")
            }
            self.port = port
        }

        /// Waits for the script to exit (it does after its requests) and returns its JSON lines.
        func finish(seconds: Double) throws -> [[String: Any]] {
            let deadline = Date(timeIntervalSinceNow: seconds)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning {
                process.terminate()
                throw PyradFailure("pyrad_das.py still running after \(seconds) s")
            }
            let text = String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            guard process.terminationStatus == 0 else { throw PyradFailure("pyrad_das.py exited \(process.terminationStatus): \(stderr)") }
            return try text.split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
            }
        }
    }

    struct PyradFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test("pyrad accepts a MikroTik throttle CoA and a Disconnect, ACKs them, and NAKs one with Error-Cause 503")
    func interoperability() async throws {
        let nas = try PyradNAS(requests: 3)
        let client = try DynamicAuthorizationClient(
            schedule: RetrySchedule(firstWait: .seconds(5), transmissions: 2), logger: Logger(label: "test.pyrad"))
        defer { client.shutdown() }
        let target = DynamicAuthorizationTarget(host: "127.0.0.1", port: nas.port, secret: testSecret)
        let mikrotik = try #require(shippedProfiles.profile("mikrotik"))

        let throttle = try mikrotik.request(for: .throttle, session: aliceSession, rate: "2M/4M", planRate: nil)
        #expect(await client.send(throttle, to: target) == .ack(attempts: 1))
        var unknown = aliceSession
        unknown.userName = "nak-me"
        let throttleUnknown = try mikrotik.request(for: .throttle, session: unknown, rate: "2M/4M", planRate: nil)
        #expect(await client.send(throttleUnknown, to: target) == .nak(errorCause: 503, attempts: 1))
        let disconnect = try mikrotik.request(for: .disconnect, session: aliceSession, rate: nil, planRate: nil)
        #expect(await client.send(disconnect, to: target) == .ack(attempts: 1))

        let seen = try nas.finish(seconds: 30)
        #expect(seen.count == 3)
        guard seen.count == 3 else { return }
        #expect(seen.map { $0["code"] as? Int } == [43, 43, 40])
        #expect(seen.map { $0["answered"] as? Int } == [44, 45, 41])
        #expect(seen.allSatisfy { $0["message_authenticator_valid"] as? Bool == true })
        let first = seen[0]["attributes"] as? [String: [Any]] ?? [:]
        #expect(first["User-Name"] as? [String] == ["alice"])
        #expect(first["Acct-Session-Id"] as? [String] == ["s1"])
        #expect(first["NAS-IP-Address"] as? [String] == ["192.0.2.1"])
        #expect(first["Framed-IP-Address"] as? [String] == ["10.0.0.5"])
        #expect(first["Mikrotik-Rate-Limit"] as? [String] == ["2M/4M"])
        #expect((first["Event-Timestamp"] as? [Int])?.count == 1)
        let last = seen[2]["attributes"] as? [String: [Any]] ?? [:]
        #expect(last["Mikrotik-Rate-Limit"] == nil)
        #expect(
            Set(last.keys) == ["User-Name", "Acct-Session-Id", "NAS-IP-Address", "Framed-IP-Address", "Event-Timestamp", "Message-Authenticator"])
    }
}
