import RADIUS
import Testing

@testable import NASSimulator

private let secret = "testing123"
private let target = UDPAddress(host: "127.0.0.1", port: 1813)!

private func text(_ packet: RADIUSPacket, _ type: UInt8) -> String? {
    packet.first(type).map { String(decoding: packet.value($0), as: UTF8.self) }
}

@Suite("Request encoding")
struct RequestEncoderTests {
    let crypto = RADIUSCrypto()

    func encode(
        _ session: SimulatedSession, _ event: SessionEvent, nas: SimulatedNAS? = nil,
        timestamp: UInt32? = 1_795_548_069, delay: UInt32? = nil
    ) throws -> RADIUSPacket {
        let nas = nas ?? SimulatedNAS(localAddress: "127.0.1.7", target: target, secret: secret, nasIdentifier: "bras-1")
        return try RequestEncoder(nas: nas).accountingRequest(
            session: session, event: event, identifier: 42, eventTimestamp: timestamp, delayTime: delay, crypto: crypto)
    }

    @Test("An Interim-Update carries the session's identity, counters and a valid Request Authenticator")
    func interimUpdate() throws {
        var session = SimulatedSession(
            userName: "alice@isp", sessionID: "S-1", nasPort: 7, nasPortID: "ge-0/0/1.100",
            framedIPAddress: 0x6440_0a0b, callingStationID: "00:11:22:33:44:55")
        session.multiSessionID = "M-1"
        session.classValue = [1, 2, 3]
        let packet = try encode(session, .interim(upload: 1000, download: 2000, sessionTime: 300).with(inputPackets: 5, outputPackets: 6))
        #expect(packet.code == .accountingRequest)
        #expect(packet.identifier == 42)
        #expect(packet.verifyRequestAuthenticator(secret: Array(secret.utf8), crypto: crypto))
        #expect(!packet.verifyRequestAuthenticator(secret: Array("other".utf8), crypto: crypto))
        let fields = AccountingFields(packet)
        #expect(fields.statusType == 3)
        #expect(text(packet, 1) == "alice@isp")
        #expect(text(packet, 44) == "S-1")
        #expect(text(packet, 50) == "M-1")
        #expect(text(packet, 87) == "ge-0/0/1.100")
        #expect(text(packet, 32) == "bras-1")
        #expect(text(packet, 31) == "00:11:22:33:44:55")
        #expect(fields.nasPort == 7)
        #expect(fields.nasIPAddress == 0x7f00_0107)
        #expect(fields.framedIPAddress == 0x6440_0a0b)
        #expect(fields.uploadOctets == 1000)
        #expect(fields.downloadOctets == 2000)
        #expect(fields.inputPackets == 5)
        #expect(fields.outputPackets == 6)
        #expect(fields.sessionTime == 300)
        #expect(fields.eventTimestamp == 1_795_548_069)
        #expect(fields.delayTime == nil)
        #expect(fields.terminateCause == nil)
        #expect(fields.malformedCount == 0)
        #expect(packet.first(25).map { Array(packet.value($0)) } == [1, 2, 3])
    }

    @Test("Upload is Acct-Input, download is Acct-Output; Gigawords carry the bits above 32")
    func gigawords() throws {
        let upload: UInt64 = 5 << 32 | 7
        let download: UInt64 = 3 << 32 | 0xffff_fff0
        let session = SimulatedSession(userName: "u", sessionID: "s")
        let packet = try encode(session, .interim(upload: upload, download: download))
        let fields = AccountingFields(packet)
        #expect(fields.inputOctets == 7)
        #expect(fields.inputGigawords == 5)
        #expect(fields.outputOctets == 0xffff_fff0)
        #expect(fields.outputGigawords == 3)
        #expect(fields.uploadOctets == upload)
        #expect(fields.downloadOctets == download)
    }

    @Test("Gigawords modes: always sends zero Gigawords, whenNeeded omits them, never wraps at 2^32")
    func gigawordsModes() throws {
        var session = SimulatedSession(userName: "u", sessionID: "s")
        let small = SessionEvent.interim(upload: 100, download: 200)
        let large = SessionEvent.interim(upload: 1 << 32 | 100, download: 2 << 32 | 200)

        session.gigawords = .always
        var fields = AccountingFields(try encode(session, small))
        #expect(fields.inputGigawords == 0 && fields.outputGigawords == 0)

        session.gigawords = .whenNeeded
        fields = AccountingFields(try encode(session, small))
        #expect(fields.inputGigawords == nil && fields.outputGigawords == nil)
        fields = AccountingFields(try encode(session, large))
        #expect(fields.inputGigawords == 1 && fields.outputGigawords == 2)

        session.gigawords = .never
        fields = AccountingFields(try encode(session, large))
        #expect(fields.inputGigawords == nil && fields.outputGigawords == nil)
        #expect(fields.inputOctets == 100 && fields.outputOctets == 200)
    }

    @Test("Start carries no counters; Stop carries its cause; a Stop without counters sends none")
    func startAndStop() throws {
        let session = SimulatedSession(userName: "u", sessionID: "s")
        let start = AccountingFields(try encode(session, .start()))
        #expect(start.statusType == 1)
        #expect(start.inputOctets == nil && start.outputOctets == nil && start.inputGigawords == nil)
        let stop = AccountingFields(try encode(session, .stop(upload: 10, download: 20, cause: TerminateCause.idleTimeout)))
        #expect(stop.statusType == 2)
        #expect(stop.terminateCause == 4)
        #expect(stop.uploadOctets == 10)
        let bare = AccountingFields(try encode(session, .stop(upload: nil, download: nil)))
        #expect(bare.statusType == 2)
        #expect(bare.uploadOctets == nil && bare.downloadOctets == nil)
        #expect(bare.terminateCause == 1)
    }

    @Test("Without an Event-Timestamp the packet carries Acct-Delay-Time")
    func delayTime() throws {
        let session = SimulatedSession(userName: "u", sessionID: "s")
        let fields = AccountingFields(try encode(session, .start(), timestamp: nil, delay: 12))
        #expect(fields.eventTimestamp == nil)
        #expect(fields.delayTime == 12)
    }

    @Test("An IPv6 NAS sends NAS-IPv6-Address instead of NAS-IP-Address")
    func ipv6NAS() throws {
        let nas = SimulatedNAS(localAddress: "::1", target: UDPAddress(host: "::1", port: 1813)!, secret: secret)
        let packet = try encode(SimulatedSession(userName: "u", sessionID: "s"), .start(), nas: nas)
        #expect(packet.first(4) == nil)
        #expect(packet.first(95).map { Array(packet.value($0)) } == [UInt8](repeating: 0, count: 15) + [1])
    }

    @Test("Status-Server has a random authenticator and a valid Message-Authenticator")
    func statusServer() throws {
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: target, secret: secret)
        let encoder = RequestEncoder(nas: nas)
        let a = try encoder.request(for: .statusServer, identifier: 1, eventTimestamp: nil, crypto: crypto)
        let b = try encoder.request(for: .statusServer, identifier: 1, eventTimestamp: nil, crypto: crypto)
        #expect(a.code == .statusServer)
        #expect(a.authenticator != b.authenticator)
        #expect(a.verifyMessageAuthenticator(secret: Array(secret.utf8), crypto: crypto) == .valid)
        #expect(a.verifyMessageAuthenticator(secret: Array("wrong".utf8), crypto: crypto) == .invalid)
    }

    @Test("Accounting-On and -Off name the NAS, their status type and (Off) the cause")
    func accountingOnOff() throws {
        let nas = SimulatedNAS(localAddress: "127.0.0.9", target: target, secret: secret)
        let encoder = RequestEncoder(nas: nas)
        let on = try encoder.request(for: .accountingOn(), identifier: 3, eventTimestamp: 100, crypto: crypto)
        let off = try encoder.request(for: .accountingOff(cause: TerminateCause.nasReboot), identifier: 4, eventTimestamp: 200, crypto: crypto)
        #expect(on.verifyRequestAuthenticator(secret: Array(secret.utf8), crypto: crypto))
        #expect(AccountingFields(on).statusType == 7)
        #expect(AccountingFields(on).nasIPAddress == 0x7f00_0009)
        #expect(AccountingFields(on).eventTimestamp == 100)
        #expect(AccountingFields(off).statusType == 8)
        #expect(AccountingFields(off).terminateCause == 11)
    }

    @Test("A text attribute too long for RADIUS is refused, not truncated")
    func tooLong() throws {
        let session = SimulatedSession(userName: String(repeating: "x", count: 254), sessionID: "s")
        #expect(throws: RADIUSEncodingError.self) { try encode(session, .start()) }
    }

    @Test("A regular session's script: Start, interims and Stop at explicit times, counters growing")
    func regularScript() {
        let session = SimulatedSession.regular(
            userName: "u", sessionID: "s", startTime: 1_000_000, interimInterval: 600, interims: 2,
            uploadPerInterval: 10, downloadPerInterval: 100)
        #expect(session.events.map(\.kind) == [.start, .interimUpdate, .interimUpdate, .stop])
        #expect(session.events.map(\.time) == [.at(1_000_000), .at(1_000_600), .at(1_001_200), .at(1_001_800)])
        #expect(session.events.map(\.upload) == [nil, 10, 20, 30])
        #expect(session.events.map(\.sessionTime) == [0, 600, 1200, 1800])
        #expect(session.finalCounters == (30, 300))
        let relative = SimulatedSession.regular(userName: "u", sessionID: "s", interims: 0, uploadPerInterval: 1, downloadPerInterval: 1)
        #expect(relative.events.map(\.time) == [.now, .now])
    }

    @Test("Final counters are the highest of the script, whatever its order")
    func finalCounters() {
        let session = SimulatedSession(
            userName: "u", sessionID: "s",
            events: [
                .start(), .interim(upload: 50, download: 5), .interim(upload: 30, download: 9), .stop(upload: nil, download: nil),
            ])
        #expect(session.finalCounters == (50, 9))
    }
}
