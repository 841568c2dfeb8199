import RADIUS
import Testing

@Suite("Packet decoding of hostile datagrams")
struct PacketDecodingTests {
    let valid = hex(
        "04e9004815a7d50dabf30636b289d2e700adf5b20107616c69636504060a0000092c0970797261642d312806000000032a060000007b3406000000022e060000003c37066b05e3a5"
    )

    func reason(_ datagram: [UInt8]) -> RADIUSDecodingError.Reason? {
        do {
            _ = try RADIUSPacket(decoding: datagram)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("Shorter than a header")
    func tooShort() {
        #expect(reason([]) == .tooShort)
        #expect(reason(Array(valid.prefix(19))) == .tooShort)
    }

    @Test("Datagram shorter than its Length field is discarded")
    func truncated() {
        #expect(reason(Array(valid.prefix(71))) == .truncated)
        #expect(reason(Array(valid.prefix(20))) == .truncated)
    }

    @Test("Octets past the Length field are ignored")
    func trailingOctets() throws {
        let packet = try RADIUSPacket(decoding: valid + [1, 2, 3, 4, 5])
        #expect(packet.bytes == valid)
        #expect(packet.verifyRequestAuthenticator(secret: bytes("testing123"), crypto: RADIUSCrypto()))
    }

    @Test("Length field below 20 or above 4096")
    func invalidLength() {
        var small = valid
        small[2] = 0
        small[3] = 19
        #expect(reason(small) == .invalidLength)
        var large = [UInt8](repeating: 0, count: 5000)
        large[0] = 4
        large[2] = 0x10
        large[3] = 0x01
        #expect(reason(large) == .invalidLength)
        // Exactly 4096 is allowed.
        var maximum = [UInt8](repeating: 0, count: 4096)
        maximum[0] = 4
        maximum[2] = 0x10
        maximum[3] = 0x00
        var offset = 20
        while offset < 4096 {
            let length = min(255, 4096 - offset)
            maximum[offset] = 18
            maximum[offset + 1] = UInt8(length)
            offset += length
        }
        #expect(reason(maximum) == nil)
    }

    @Test("Unsupported codes", arguments: [0, 6, 7, 10, 14, 39, 46, 255] as [UInt8])
    func unsupportedCode(code: UInt8) {
        var packet = valid
        packet[0] = code
        #expect(reason(packet) == .unsupportedCode)
    }

    @Test("Supported codes", arguments: [1, 2, 3, 4, 5, 11, 12, 13, 40, 41, 42, 43, 44, 45] as [UInt8])
    func supportedCode(code: UInt8) throws {
        var packet = valid
        packet[0] = code
        #expect(try RADIUSPacket(decoding: packet).code.rawValue == code)
    }

    @Test("Attribute lengths 0 and 1, and one running past the packet")
    func badAttributeLengths() {
        for bad: UInt8 in [0, 1, 0xff] {
            var packet = valid
            packet[21] = bad // the User-Name's Length
            let error = try? #require(throws: RADIUSDecodingError.self) { try RADIUSPacket(decoding: packet) }
            #expect(error?.reason == .malformedAttribute)
            if bad < 2 { #expect(error?.offset == 20) }
        }
        // A lone Type octet at the end.
        var packet = Array(valid)
        packet.append(1)
        packet[3] += 1
        #expect(reason(packet) == .malformedAttribute)
    }

    @Test("Attribute iteration walks every attribute in order, reading values in place")
    func iteration() throws {
        let packet = try RADIUSPacket(decoding: valid)
        #expect(Array(packet.attributes).map(\.type) == [1, 4, 44, 40, 42, 52, 46, 55])
        #expect(packet.uint32(40) == 3)
        #expect(packet.uint32(1) == nil) // "alice" is not 4 octets
        #expect(packet.first(200) == nil)
        #expect(Array(packet.value(packet.first(44)!)) == bytes("pyrad-1"))
    }

    @Test("Decoding error messages name the problem and never echo payload")
    func errorDescriptions() {
        var packet = valid
        packet[21] = 0xff
        do {
            _ = try RADIUSPacket(decoding: packet)
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("malformed_attribute at offset 20"))
            #expect(!error.description.contains("alice"))
        }
    }
}

@Suite("Authenticators and Message-Authenticator")
struct AuthenticatorTests {
    let secret = bytes("s3cr3t")
    let crypto = RADIUSCrypto()

    func accountingRequest(withMessageAuthenticator: Bool) throws -> RADIUSPacket {
        var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: 42)
        try builder.append(type: 1, text: "bob")
        builder.append(type: 40, uint32: 1)
        try builder.append(type: 44, text: "sess-1")
        if withMessageAuthenticator {
            try builder.append(type: 80, value: [UInt8](repeating: 0, count: 16))
        }
        builder.append(type: 46, uint32: 0)
        var packet = try builder.build()
        try packet.sign(secret: secret, crypto: crypto)
        return packet
    }

    @Test("A signed Accounting-Request verifies; any changed octet or secret does not")
    func requestAuthenticator() throws {
        let packet = try accountingRequest(withMessageAuthenticator: false)
        #expect(packet.verifyRequestAuthenticator(secret: secret, crypto: crypto))
        #expect(!packet.verifyRequestAuthenticator(secret: bytes("s3cr3T"), crypto: crypto))
        #expect(!packet.verifyRequestAuthenticator(secret: [], crypto: crypto))
        for index in 0..<packet.length where index != 2 && index != 3 {
            var tampered = packet.bytes
            tampered[index] ^= 0x01
            guard let decoded = try? RADIUSPacket(decoding: tampered) else { continue }
            #expect(!decoded.verifyRequestAuthenticator(secret: secret, crypto: crypto), "flipping octet \(index) went unnoticed")
        }
    }

    @Test("Message-Authenticator in an Accounting-Request is computed with the authenticator zeroed")
    func accountingMessageAuthenticator() throws {
        let packet = try accountingRequest(withMessageAuthenticator: true)
        #expect(packet.verifyRequestAuthenticator(secret: secret, crypto: crypto))
        #expect(packet.verifyMessageAuthenticator(secret: secret, crypto: crypto) == .valid)
        #expect(packet.verifyMessageAuthenticator(secret: bytes("other"), crypto: crypto) == .invalid)
        // Recompute by hand: HMAC-MD5 over the packet with authenticator and MA value zeroed.
        var zeroed = packet.bytes
        for i in 4..<20 { zeroed[i] = 0 }
        let ma = packet.first(80)!
        for i in ma.valueOffset..<(ma.valueOffset + 16) { zeroed[i] = 0 }
        #expect(crypto.hmacMD5(key: secret, message: zeroed).bytes == Array(packet.value(ma)))
        #expect(try accountingRequest(withMessageAuthenticator: false).verifyMessageAuthenticator(secret: secret, crypto: crypto) == .absent)
    }

    @Test("A Message-Authenticator of the wrong length is invalid")
    func shortMessageAuthenticator() throws {
        var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: 1)
        try builder.append(type: 80, value: [1, 2, 3])
        let packet = try builder.build()
        #expect(packet.verifyMessageAuthenticator(secret: secret, crypto: crypto) == .invalid)
        var copy = packet
        #expect(throws: RADIUSEncodingError.self) { try copy.sign(secret: secret, crypto: crypto) }
    }

    @Test("CoA-Request and Disconnect-Request follow the accounting rule")
    func coaAndDisconnect() throws {
        for code in [RADIUSCode.coaRequest, .disconnectRequest] {
            var builder = RADIUSPacketBuilder(code: code, identifier: 7)
            try builder.append(type: 1, text: "carol")
            try builder.append(type: 80, value: [UInt8](repeating: 0, count: 16))
            var packet = try builder.build()
            try packet.sign(secret: secret, crypto: crypto)
            #expect(packet.verifyRequestAuthenticator(secret: secret, crypto: crypto))
            #expect(packet.verifyMessageAuthenticator(secret: secret, crypto: crypto) == .valid)

            var ack = try RADIUSPacketBuilder(code: code == .coaRequest ? .coaACK : .disconnectACK, identifier: 7).build()
            try ack.sign(secret: secret, requestAuthenticator: packet.authenticator, crypto: crypto)
            #expect(ack.verifyResponseAuthenticator(requestAuthenticator: packet.authenticator, secret: secret, crypto: crypto))
        }
    }

    @Test("Accounting-Response to a request, with and without Message-Authenticator")
    func accountingResponse() throws {
        let request = try accountingRequest(withMessageAuthenticator: false)
        let response = request.accountingResponse(secret: secret, crypto: crypto)
        #expect(response.code == .accountingResponse)
        #expect(response.identifier == 42)
        #expect(response.length == 20)
        #expect(response.verifyResponseAuthenticator(requestAuthenticator: request.authenticator, secret: secret, crypto: crypto))

        let signed = request.accountingResponse(secret: secret, includeMessageAuthenticator: true, crypto: crypto)
        #expect(signed.length == 38)
        #expect(signed.verifyResponseAuthenticator(requestAuthenticator: request.authenticator, secret: secret, crypto: crypto))
        #expect(signed.verifyMessageAuthenticator(secret: secret, requestAuthenticator: request.authenticator, crypto: crypto) == .valid)
        #expect(signed.verifyMessageAuthenticator(secret: secret, crypto: crypto) == .invalid)
    }

    @Test("Status-Server keeps its random authenticator and carries a valid Message-Authenticator")
    func statusServer() throws {
        var builder = RADIUSPacketBuilder(code: .statusServer, identifier: 3, authenticator: .random())
        try builder.append(type: 80, value: [UInt8](repeating: 0, count: 16))
        var packet = try builder.build()
        let before = packet.authenticator
        try packet.sign(secret: secret, crypto: crypto)
        #expect(packet.authenticator == before)
        #expect(packet.verifyMessageAuthenticator(secret: secret, crypto: crypto) == .valid)
        #expect(Authenticator.random() != Authenticator.random())
    }

    @Test("Signing a response without the request authenticator is refused")
    func responseNeedsRequest() throws {
        var packet = try RADIUSPacketBuilder(code: .accessAccept, identifier: 1).build()
        #expect(throws: RADIUSEncodingError.self) { try packet.sign(secret: secret, crypto: crypto) }
    }

    @Test("HMAC-MD5 matches RFC 2202 test cases")
    func hmacVectors() {
        #expect(
            crypto.hmacMD5(key: [UInt8](repeating: 0x0b, count: 16), message: bytes("Hi There")).description == "9294727a3638bb1c13f48ef8158bfc9d")
        #expect(crypto.hmacMD5(key: bytes("Jefe"), message: bytes("what do ya want for nothing?")).description == "750c783e6ab0b503eaa86e310a5db738")
        #expect(crypto.md5().description == "d41d8cd98f00b204e9800998ecf8427e")
    }

    @Test("The builder refuses values and packets that do not fit")
    func builderLimits() throws {
        var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: 1)
        #expect(throws: RADIUSEncodingError.self) { try builder.append(type: 1, value: [UInt8](repeating: 65, count: 254)) }
        for _ in 0..<16 { try builder.append(type: 18, value: [UInt8](repeating: 65, count: 253)) }
        #expect(throws: RADIUSEncodingError.self) { try builder.build() }
        #expect(throws: RADIUSEncodingError.self) {
            var b = RADIUSPacketBuilder(code: .accountingRequest, identifier: 1)
            try b.appendVendorSpecific(vendor: 1, type: 256, value: [1])
        }
    }
}
