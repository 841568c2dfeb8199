import Foundation
import Storage
import TestSupport
import Testing

/// A TCP connection to 127.0.0.1 with a receive timeout, for talking HTTP by hand.
final class RawConnection {
    let fd: Int32

    init(port: UInt16, receiveTimeoutSeconds: Int = 20) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopbackAddress("127.0.0.1", port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw SetUpError("cannot connect to port \(port)")
        }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// What one receive returns (a small response arrives whole), "" on close or timeout.
    func readSome() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
    }

    /// Everything until the server closes the connection; nil when the receive timed out first.
    func readUntilClosed() -> String? {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { return String(decoding: data, as: UTF8.self) }
            if count < 0 { return nil }
            data += buffer[0..<count]
        }
    }
}

@Suite("The HTTP port: TLS, timeouts, connection limit", .enabled(if: TestDatabase.available), .serialized)
struct HTTPPortTests {
    @Test("With a certificate and key configured the port speaks HTTPS (curl trusting the test certificate), and not plain HTTP")
    func tls() throws {
        let openssl = try #require(findExecutable("openssl"))
        let curl = try #require(findExecutable("curl"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let (made, madeOutput) = try run(
            openssl,
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        #expect(made == 0, "\(madeOutput)")
        let (url, _) = try prepareDatabase()
        let serve = try ServeProcess(
            databaseURL: url,
            configuration: """
                [api]
                tls_certificate = "\(certificate)"
                tls_key = "\(key)"
                """)
        let (status, body) = try run(curl, ["-sS", "--cacert", certificate, "https://127.0.0.1:\(serve.httpPort)/healthz"])
        #expect(status == 0, "\(body)")
        let health = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        #expect(health?["status"] as? String == "ok", "\(body)")
        let (documentStatus, document) = try run(curl, ["-sS", "--cacert", certificate, "https://127.0.0.1:\(serve.httpPort)/openapi.yaml"])
        #expect(documentStatus == 0 && document.hasPrefix("openapi: 3.1.0"), "\(document.prefix(200))")
        // Without the certificate trusted, curl refuses the server (60: peer certificate not trusted).
        let (untrusted, _) = try run(curl, ["-sS", "https://127.0.0.1:\(serve.httpPort)/healthz"])
        #expect(untrusted == 60)
        // Plain HTTP gets no HTTP answer.
        let (plain, plainBody) = try run(curl, ["-sS", "--max-time", "10", "http://127.0.0.1:\(serve.httpPort)/healthz"])
        #expect(plain != 0 && !plainBody.contains("status"), "\(plain) \(plainBody)")
    }

    @Test("/metrics exports the collector's, enforcement's and webhooks' metrics and the HTTP port's requests")
    func metrics() throws {
        let curl = try #require(findExecutable("curl"))
        let (url, _) = try prepareDatabase()
        let serve = try ServeProcess(databaseURL: url)
        for _ in 0..<3 {
            let (status, body) = try run(curl, ["-sS", "http://127.0.0.1:\(serve.httpPort)/healthz"])
            #expect(status == 0, "\(body)")
        }
        let (status, text) = try run(curl, ["-sS", "http://127.0.0.1:\(serve.httpPort)/metrics"])
        #expect(status == 0)
        let lines = Set(text.split(separator: "\n").map(String.init))
        for line in [
            "tollgate_packets_received_total 0",
            "tollgate_quota_evaluations_total 0",
            #"tollgate_quota_crossings_total{action="throttle"} 0"#,
            #"tollgate_enforcement_requests_total{action="disconnect",outcome="timeout"} 0"#,
            "tollgate_enforcement_in_flight 0.0",
            "# TYPE tollgate_enforcement_ack_seconds histogram",
            #"tollgate_webhook_attempts_total{event="nas.silent",outcome="failed"} 0"#,
            "tollgate_nas_silent_total 0",
            // The three /healthz requests before this one (a request is counted once answered).
            #"hb_requests{http_route="/healthz",http_request_method="GET",http_response_status_code="200"} 3"#,
            "# TYPE http_server_request_duration histogram",
        ] {
            #expect(lines.contains(line), "'\(line)' is not on /metrics:\n\(text)")
        }
    }

    @Test("A body that does not arrive in time is 408; a silent connection is closed")
    func timeouts() throws {
        let (url, _) = try prepareDatabase()
        let serve = try ServeProcess(
            databaseURL: url,
            configuration: """
                [api]
                read_timeout_seconds = 1
                idle_timeout_seconds = 2
                """)
        // Headers, then 1 of 50 body octets: the server answers 408 and closes.
        let slow = try RawConnection(port: serve.httpPort)
        slow.send("POST /v1/tenants HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{")
        let answer = try #require(slow.readUntilClosed(), "no answer and no close within 20 s")
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
        #expect(answer.contains("\"timeout\""))

        // A connection that says nothing is closed by the server (recv sees the end, not its own timeout).
        let silent = try RawConnection(port: serve.httpPort)
        #expect(silent.readUntilClosed() == "")
    }

    @Test("Past max_connections a connection waits its turn")
    func connectionLimit() throws {
        let (url, _) = try prepareDatabase()
        let serve = try ServeProcess(
            databaseURL: url,
            configuration: """
                [api]
                max_connections = 2
                """)
        // Two connections held open fill the limit: a third is accepted only once one of them goes.
        // Each is answered before the next is made: the server accepts connections in batches,
        // so only connections made after the limit was reached are held back.
        var held: [RawConnection] = []
        for _ in 0..<2 {
            let connection = try RawConnection(port: serve.httpPort)
            connection.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(connection.readSome().hasPrefix("HTTP/1.1 200"))
            held.append(connection)
        }
        let third = try RawConnection(port: serve.httpPort, receiveTimeoutSeconds: 1)
        third.send("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(third.readUntilClosed() == nil, "the third connection was served while two were open")
        held.removeAll()
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(third.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let served = try #require(third.readUntilClosed(), "the third connection was never served")
        #expect(served.hasPrefix("HTTP/1.1 200") && served.contains("\"status\":\"ok\""), "\(served)")
    }
}
