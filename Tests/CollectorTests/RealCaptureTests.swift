import Collector
import Foundation
import RADIUS
import Storage
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Sends each datagram to `port` on loopback from one socket and waits for its verified
/// Accounting-Response before the next, retransmitting as a NAS does.
private func replay(_ requests: [[UInt8]], to port: UInt16, secret: [UInt8]) throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { throw PostgresError(.connection, message: "socket(): \(errno)") }
    defer { close(fd) }
    var address = loopbackAddress("127.0.0.1", port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw PostgresError(.connection, message: "connect(): \(errno)") }
    var timeout = timeval(tv_sec: 0, tv_usec: 300_000)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let crypto = RADIUSCrypto()
    var answered = 0
    for request in requests {
        let requestPacket = try RADIUSPacket(decoding: request)
        var verified = false
        for _ in 0..<10 where !verified {
            _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { break }
                guard let response = try? RADIUSPacket(decoding: Array(buffer[0..<n])),
                    response.code == .accountingResponse, response.identifier == requestPacket.identifier
                else { continue }
                verified = response.verifyResponseAuthenticator(requestAuthenticator: requestPacket.authenticator, secret: secret, crypto: crypto)
                break
            }
        }
        if verified { answered += 1 }
    }
    return answered
}

/// Real NAS accounting from ../shared/realdata, replayed through a running collector.
@Suite("Real captures through the collector", .enabled(if: TestDatabase.available), .serialized)
struct RealCaptureTests {
    /// The Accounting-Requests of a capture, in capture order.
    private func requests(_ capture: String) throws -> [[UInt8]] {
        try PcapFile(RealData.file("pcap/wba-radius-accounting-testbed/" + capture)).datagrams
            .filter { $0.destinationPort == 1813 && $0.payload.first == RADIUSCode.accountingRequest.rawValue }
            .map(\.payload)
    }

    @Test(
        "hostapd 5 GB captures: one session, stored totals equal the Stop's counters to the byte",
        arguments: [
            // capture, requests, user's upload (Acct-Input), download (Acct-Output), session seconds
            ("test_dl_5gb.tcpdump.radius.pcap", 179, Int64(147_699_750), Int64(1 << 32) + 1_387_251_012, Int64(1773)),
            ("test_ul_5gb.tcpdump.radius.pcap", 216, Int64(1 << 32) + 1_387_102_845, Int64(185_398_696), Int64(2148)),
        ])
    func wbaCapture(capture: String, count: Int, upload: Int64, download: Int64, seconds: Int64) throws {
        let packets = try requests(capture)
        #expect(packets.count == count)
        let harness = try CollectorHarness(register: { c, t in
            _ = try NASStore(connection: c, cipher: TestDatabase.cipher).add(tenant: t, name: "hostapd", address: "127.0.0.1", secret: "secret")
        })
        // Every packet sent twice, as a NAS that missed the answer retransmits it: each is
        // answered (the second time from the duplicate cache) and counted once.
        let answered = try replay(packets.flatMap { [$0, $0] }, to: harness.collector.listeners[0].boundPort, secret: Array("secret".utf8))
        #expect(answered == 2 * count)
        let sessions = try harness.connection.query(
            """
            SELECT generation, upload_bytes, download_bytes, session_seconds, close_reason, terminate_cause FROM sessions
            """
        ).rows
        #expect(sessions == [["1", String(upload), String(download), String(seconds), "stop", "1"]])
        let usage = try harness.connection.query(
            """
            SELECT sum(upload_bytes)::text, sum(download_bytes)::text, sum(session_seconds)::text FROM usage_hourly
            """
        ).rows
        #expect(usage == [[String(upload), String(download), String(seconds)]])
        #expect(try harness.connection.query("SELECT count(*) FROM accounting_packets").rows == [[String(count)]])
    }

    @Test("The older upload capture: totals equal its Stop's counters, read from the packet")
    func olderCapture() throws {
        let packets = try requests("test_ul_5gb.tcpdump.radius.older-ec5225c.pcap")
        #expect(packets.count == 239)
        let stop = try #require(packets.last.map { AccountingFields(try RADIUSPacket(decoding: $0)) })
        #expect(stop.statusType == 2)
        let upload = Int64(stop.inputGigawords ?? 0) << 32 | Int64(stop.inputOctets ?? 0)
        let download = Int64(stop.outputGigawords ?? 0) << 32 | Int64(stop.outputOctets ?? 0)
        #expect(upload > 1 << 32) // the capture crosses a Gigawords boundary
        let harness = try CollectorHarness(register: { c, t in
            _ = try NASStore(connection: c, cipher: TestDatabase.cipher).add(tenant: t, name: "hostapd", address: "127.0.0.1", secret: "secret")
        })
        // The interims delivered newest first (between the Start and the Stop): older ones,
        // lower on both sides of the Gigawords step, must change nothing.
        let shuffled = [packets[0]] + packets[1..<packets.count - 1].reversed() + [packets[packets.count - 1]]
        let answered = try replay(shuffled, to: harness.collector.listeners[0].boundPort, secret: Array("secret".utf8))
        #expect(answered == 239)
        let sessions = try harness.connection.query("SELECT generation, upload_bytes, download_bytes, session_seconds FROM sessions").rows
        #expect(sessions == [["1", String(upload), String(download), String(stop.sessionTime ?? 0)]])
        #expect(try harness.usage() == (upload, download))
    }
}
