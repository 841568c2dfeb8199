import RADIUS
import Testing

@testable import Enforcement

@Suite("Dynamic-authorization encoding")
struct EncodingTests {
    /// Computed independently (Python hashlib/hmac) for these exact attributes:
    /// Message-Authenticator = HMAC-MD5(secret, packet with zero Authenticator and zero MAC),
    /// Request Authenticator = MD5(Code, Identifier, Length, 16 zeros, Attributes, secret).
    static let mikrotikThrottle = """
        2b0700507e761ae55b6bbabd2a6dd41ade46687e501243690139245fd506d2af6c1c0415cfe4\
        0107616c6963652c0473310406c000020108060a0000051a0d00003a8c0807314d2f314d37066b05e360
        """
    static let disconnect = """
        28c800395f93d25d046d0840dfeaa190b35370245012ad34dd9383b5dec9d139fb27c1e3600d\
        0105626f622c08736573732d3937066b05e361
        """

    @Test("A MikroTik throttle CoA-Request matches the known vector byte for byte")
    func coaVector() throws {
        let profile = try #require(shippedProfiles.profile("mikrotik"))
        var session = aliceSession
        session.nasIdentifier = nil
        let message = try profile.request(for: .throttle, session: session, rate: "1M/1M", planRate: nil)
        let packet = try message.encode(identifier: 7, eventTimestamp: 1_795_548_000, secret: testSecret, crypto: RADIUSCrypto())
        #expect(hexString(packet.bytes) == Self.mikrotikThrottle)
        #expect(packet.code == .coaRequest)
        #expect(packet.length == 80)
        #expect(packet.authenticator.description == "7e761ae55b6bbabd2a6dd41ade46687e")
        #expect(packet.verifyRequestAuthenticator(secret: testSecret, crypto: RADIUSCrypto()))
        #expect(packet.verifyMessageAuthenticator(secret: testSecret, crypto: RADIUSCrypto()) == .valid)
        #expect(!packet.verifyRequestAuthenticator(secret: Array("testing124".utf8), crypto: RADIUSCrypto()))
    }

    @Test("A Disconnect-Request with identity only matches the known vector")
    func disconnectVector() throws {
        let message = DynamicAuthorizationMessage(
            kind: .disconnect,
            attributes: [
                DynamicAuthorizationAttribute(name: "User-Name", value: "bob", encoded: [1, 5] + Array("bob".utf8)),
                DynamicAuthorizationAttribute(name: "Acct-Session-Id", value: "sess-9", encoded: [44, 8] + Array("sess-9".utf8)),
            ],
            summary: "Disconnect")
        let packet = try message.encode(identifier: 200, eventTimestamp: 1_795_548_001, secret: testSecret, crypto: RADIUSCrypto())
        #expect(hexString(packet.bytes) == Self.disconnect)
    }

    @Test("Each transmission's Event-Timestamp changes the Request Authenticator")
    func timestampChangesAuthenticator() throws {
        let message = try #require(shippedProfiles.profile("generic")).request(for: .block, session: aliceSession, rate: nil, planRate: nil)
        let crypto = RADIUSCrypto()
        let first = try message.encode(identifier: 1, eventTimestamp: 1_000, secret: testSecret, crypto: crypto)
        let second = try message.encode(identifier: 1, eventTimestamp: 1_002, secret: testSecret, crypto: crypto)
        #expect(first.uint32(55) == 1_000)
        #expect(second.uint32(55) == 1_002)
        #expect(first.authenticator != second.authenticator)
        #expect(first.first(80)?.offset == 20, "Message-Authenticator comes first")
    }

    @Test("A message too large for one packet fails to encode rather than being cut")
    func oversizedMessage() {
        let big = DynamicAuthorizationAttribute(name: "Filter-Id", value: "x", encoded: [11, 255] + [UInt8](repeating: 0x41, count: 253))
        let message = DynamicAuthorizationMessage(kind: .coa, attributes: Array(repeating: big, count: 17), summary: "CoA")
        #expect(throws: RADIUSEncodingError.self) {
            try message.encode(identifier: 1, eventTimestamp: 1, secret: testSecret, crypto: RADIUSCrypto())
        }
    }
}

@Suite("Dynamic-authorization response validation")
struct ResponseValidationTests {
    static let requestAuthenticator = Authenticator(hex("7e761ae55b6bbabd2a6dd41ade46687e"))
    static let ack = hex("2c0700260377107e4c8cfc199f29e4c1b0215bd450127b5ba55d68a6d8df1c2ec3d341a611ea")
    static let nak503 = hex("2d07002c46062047f64d01efdade8b86faa515f550123a4dd9baadf3d7807f73b23f4e9c28106506000001f7")

    func validate(_ datagram: [UInt8], kind: DynamicAuthorizationMessage.Kind = .coa, identifier: UInt8 = 7, secret: [UInt8] = testSecret)
        -> Result<DynamicAuthorizationReply, DynamicAuthorizationResponseError>
    {
        DynamicAuthorizationReply.validate(
            datagram, kind: kind, identifier: identifier, requestAuthenticator: Self.requestAuthenticator,
            secret: secret, crypto: RADIUSCrypto())
    }

    func reason(_ result: Result<DynamicAuthorizationReply, DynamicAuthorizationResponseError>) -> DynamicAuthorizationResponseError.Reason? {
        if case .failure(let error) = result { return error.reason }
        return nil
    }

    @Test("Known CoA-ACK and CoA-NAK (Error-Cause 503) vectors validate")
    func valid() throws {
        #expect(try validate(Self.ack).get() == .ack)
        #expect(try validate(Self.nak503).get() == .nak(errorCause: 503))
    }

    @Test("A NAK without Error-Cause and without Message-Authenticator is a NAK with no cause")
    func nakWithoutCause() throws {
        var builder = RADIUSPacketBuilder(code: .disconnectNAK, identifier: 9)
        try builder.append(type: 18, value: Array("no".utf8)) // Reply-Message, harmless
        var packet = try builder.build()
        try packet.sign(secret: testSecret, requestAuthenticator: Self.requestAuthenticator, crypto: RADIUSCrypto())
        #expect(try validate(packet.bytes, kind: .disconnect, identifier: 9).get() == .nak(errorCause: nil))
    }

    static let hostileCases: [(String, [UInt8], DynamicAuthorizationResponseError.Reason)] = {
        let ack = ResponseValidationTests.ack
        var cases: [(String, [UInt8], DynamicAuthorizationResponseError.Reason)] = []
        cases.append(("truncated to 19 octets", Array(ack.prefix(19)), DynamicAuthorizationResponseError.Reason.malformed))
        cases.append(("Length beyond the datagram", Array(ack.prefix(30)), .malformed))
        cases.append(("Length field 4097", [44, 7, 0x10, 0x01] + Array(ack[4...]), .malformed))
        cases.append(("attribute Length 1", [44, 7, 0, 22] + Array(ack[4..<20]) + [80, 1], .malformed))
        cases.append(("attribute running past the end", [44, 7, 0, 24] + Array(ack[4..<20]) + [80, 18, 0, 0], .malformed))
        cases.append(("5000 octets", ack + [UInt8](repeating: 0, count: 5000 - ack.count), .oversized))
        cases.append(("unknown code 99", [99] + Array(ack.dropFirst()), .malformed))
        cases.append(("Disconnect-ACK for a CoA", [41] + Array(ack.dropFirst()), .unexpectedCode))
        cases.append(("Access-Accept", [2] + Array(ack.dropFirst()), .unexpectedCode))
        cases.append(("CoA-Request echoed", [43] + Array(ack.dropFirst()), .unexpectedCode))
        cases.append(("wrong Identifier", [44, 8] + Array(ack.dropFirst(2)), .unknownIdentifier))
        cases.append(("flipped Response Authenticator bit", Array(ack[0..<4]) + [ack[4] ^ 1] + Array(ack[5...]), .badAuthenticator))
        cases.append(("flipped attribute bit", Array(ack.dropLast()) + [ack.last! ^ 0x80], .badAuthenticator))
        return cases
    }()

    @Test("Hostile answers are refused with the right reason", arguments: hostileCases)
    func hostile(_ name: String, datagram: [UInt8], expected: DynamicAuthorizationResponseError.Reason) {
        #expect(reason(validate(datagram)) == expected, "\(name)")
    }

    @Test("The right code and Identifier signed with another secret is refused")
    func wrongSecret() {
        #expect(reason(validate(Self.ack, secret: Array("testing124".utf8))) == .badAuthenticator)
    }

    @Test("A valid Response Authenticator over a wrong Message-Authenticator is refused")
    func badMessageAuthenticator() throws {
        var builder = RADIUSPacketBuilder(code: .coaACK, identifier: 7)
        builder.appendEncodedAttributes([80, 18] + [UInt8](repeating: 0, count: 16))
        var packet = try builder.build()
        try packet.sign(secret: testSecret, requestAuthenticator: Self.requestAuthenticator, crypto: RADIUSCrypto())
        var bytes = packet.bytes
        bytes[22] ^= 0xff
        // The Response Authenticator is made right again over the corrupted MAC.
        bytes.replaceSubrange(4..<20, with: responseAuthenticatorFor(bytes))
        #expect(reason(validate(bytes)) == .badMessageAuthenticator)
    }

    /// MD5(Code, Identifier, Length, Request Authenticator, Attributes, secret) through RADIUSCrypto.
    func responseAuthenticatorFor(_ bytes: [UInt8]) -> [UInt8] {
        let input = Array(bytes[0..<4]) + Self.requestAuthenticator.bytes + Array(bytes[20...]) + testSecret
        return input.withUnsafeBytes { RADIUSCrypto().md5($0) }.bytes
    }
}
