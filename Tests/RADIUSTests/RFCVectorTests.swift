import RADIUS
import Testing

/// Published packets: RFC 2865 section 7, RFC 5997 section 6 (secret `xyzzy5461`).
@Suite("RFC golden vectors")
struct RFCVectorTests {
    let secret = bytes("xyzzy5461")
    let crypto = RADIUSCrypto()

    @Test("RFC 2865 7.1: Access-Request and Access-Accept")
    func rfc2865Telnet() throws {
        let request = try RADIUSPacket(
            decoding: hex("010000380f403f9473978057bd83d5cb98f4227a01066e656d6f02120dbe708d93d413ce3196e43f782a0aee0406c0a80110050600000003"))
        #expect(request.code == .accessRequest)
        #expect(request.identifier == 0)
        let attributes = request.decodeAttributes(dictionary: testDictionary)
        #expect(attributes.map(\.name) == ["User-Name", "User-Password", "NAS-IP-Address", "NAS-Port"])
        #expect(attributes[0].value == .text("nemo"))
        #expect(attributes[2].value == .ipv4(IPv4Address("192.168.1.16")!))
        #expect(attributes[3].value == .integer(3))
        let password = PasswordCipher.unhide(request.value(request.first(2)!), secret: secret, authenticator: request.authenticator, crypto: crypto)
        #expect(password == bytes("arctangent"))
        #expect(
            PasswordCipher.hide(bytes("arctangent"), secret: secret, authenticator: request.authenticator, crypto: crypto)
                == Array(request.value(request.first(2)!)))

        let accept = try RADIUSPacket(decoding: hex("0200002686fe220e7624ba2a1005f6bf9b55e0b20606000000010f06000000000e06c0a80103"))
        #expect(accept.code == .accessAccept)
        #expect(accept.verifyResponseAuthenticator(requestAuthenticator: request.authenticator, secret: secret, crypto: crypto))
        #expect(!accept.verifyResponseAuthenticator(requestAuthenticator: request.authenticator, secret: bytes("xyzzy5462"), crypto: crypto))
        #expect(!accept.verifyResponseAuthenticator(requestAuthenticator: .zero, secret: secret, crypto: crypto))
    }

    @Test("RFC 2865 7.2: CHAP request and Framed-User accept")
    func rfc2865CHAP() throws {
        let request = try RADIUSPacket(
            decoding: hex(
                "010100472aee86f08d0d55969ca5978e0d3367a20108666c6f707379031316e97557c316185895f293ff63440772750406c0a80110050600000014060600000002070600000001"
            ))
        #expect(Array(request.attributes).map(\.type) == [1, 3, 4, 5, 6, 7])
        #expect(request.uint32(5) == 20)
        let accept = try RADIUSPacket(
            decoding: hex("0201003815efbc7dab26cfa3dc34d9c03c8601a40606000000020706000000010806fffffffe0a06000000020d06000000010c06000005dc"))
        #expect(accept.verifyResponseAuthenticator(requestAuthenticator: request.authenticator, secret: secret, crypto: crypto))
        #expect(accept.uint32(12) == 1500)
        // Re-signing the same response reproduces the published authenticator.
        var resigned = try RADIUSPacket(
            decoding: hex("02010038000000000000000000000000000000000606000000020706000000010806fffffffe0a06000000020d06000000010c06000005dc"))
        try resigned.sign(secret: secret, requestAuthenticator: request.authenticator, crypto: crypto)
        #expect(resigned == accept)
    }

    @Test("RFC 2865 7.3: challenge-response exchange")
    func rfc2865Challenge() throws {
        let first = try RADIUSPacket(
            decoding: hex("01020039f3a47a1f6a6d76710b947ab93041a03901076d6f707379021233657573778289b570885e15084825c50406c0a80110050600000007"))
        #expect(
            PasswordCipher.unhide(first.value(first.first(2)!), secret: secret, authenticator: first.authenticator, crypto: crypto)
                == bytes("challenge"))
        let challenge = try RADIUSPacket(
            decoding: hex(
                "0b02004e36f3c8764ae8c71157403c0c71ff9c4512304368616c6c656e67652033323736393433302e2020456e74657220726573706f6e73652061742070726f6d70742e180a3332373639343330"
            ))
        #expect(challenge.code == .accessChallenge)
        #expect(challenge.verifyResponseAuthenticator(requestAuthenticator: first.authenticator, secret: secret, crypto: crypto))
        #expect(Array(challenge.value(challenge.first(24)!)) == bytes("32769430"))

        // The State attribute of the second request is printed with Length 0x10 in the RFC
        // (erratum): a strict decoder rejects that form and accepts the corrected one.
        #expect(throws: RADIUSDecodingError.self) {
            try RADIUSPacket(
                decoding: hex(
                    "01030043b122556d428a13d0d6253807c457ecf001076d6f7073790212692c1f205fc081b919b95195f561a5810406c0a8011005060000000718103332373639343330"
                ))
        }
        let second = try RADIUSPacket(
            decoding: hex(
                "01030043b122556d428a13d0d6253807c457ecf001076d6f7073790212692c1f205fc081b919b95195f561a5810406c0a80110050600000007180a3332373639343330"
            ))
        #expect(
            PasswordCipher.unhide(second.value(second.first(2)!), secret: secret, authenticator: second.authenticator, crypto: crypto)
                == bytes("99101462"))
        let reject = try RADIUSPacket(decoding: hex("03030014a42f4fca45916c4e09c8340f9e746aa0"))
        #expect(reject.code == .accessReject)
        #expect(reject.verifyResponseAuthenticator(requestAuthenticator: second.authenticator, secret: secret, crypto: crypto))
    }

    @Test("RFC 5997 6.1: Status-Server to the authentication port")
    func rfc5997Authentication() throws {
        let status = try RADIUSPacket(decoding: hex("0cda00268a54f4686fb394c52866e302185d062350125a665e2e1e8411f3e243822097c84fa3"))
        #expect(status.code == .statusServer)
        #expect(status.verifyMessageAuthenticator(secret: secret, crypto: crypto) == .valid)
        #expect(status.verifyMessageAuthenticator(secret: bytes("wrong"), crypto: crypto) == .invalid)
        let accept = try RADIUSPacket(decoding: hex("02da0014ef0d552a4bf2d693ec2b6fe8b5411d66"))
        #expect(accept.verifyResponseAuthenticator(requestAuthenticator: status.authenticator, secret: secret, crypto: crypto))
    }

    @Test("RFC 5997 6.2: Status-Server to the accounting port, answered with code 5")
    func rfc5997Accounting() throws {
        let status = try RADIUSPacket(decoding: hex("0cb30026925f6b66dd5fed571fcb1db7ad3882605012e8d6eabda910875cd91fdade26367858"))
        #expect(status.verifyMessageAuthenticator(secret: secret, crypto: crypto) == .valid)
        // The RFC prints the first octet as 02; an Accounting-Response is code 5, and only
        // that form verifies.
        let response = try RADIUSPacket(decoding: hex("05b300140f6f92145f107e2f504e860a4860669c"))
        #expect(response.code == .accountingResponse)
        #expect(response.verifyResponseAuthenticator(requestAuthenticator: status.authenticator, secret: secret, crypto: crypto))
        let misprinted = try RADIUSPacket(decoding: hex("02b300140f6f92145f107e2f504e860a4860669c"))
        #expect(!misprinted.verifyResponseAuthenticator(requestAuthenticator: status.authenticator, secret: secret, crypto: crypto))
        // Tollgate's own answer to it is exactly the published (corrected) response.
        #expect(status.accountingResponse(secret: secret, crypto: crypto) == response)
    }

    @Test("RFC 5997 6.3: verbose query and response")
    func rfc5997Verbose() throws {
        let status = try RADIUSPacket(decoding: hex("0c47002cbf58de56ae408ad3b70c8513f9b03fbe0406c00002105012852d6fec61e7ed74b8e32dac2f2a5fb2"))
        #expect(status.verifyMessageAuthenticator(secret: secret, crypto: crypto) == .valid)
        let accept = try RADIUSPacket(
            decoding: hex("0247003446f43e62fd0354424cbbebfd6d214e06122052414449555320536572766572207570203220646179732c2031383a3430"))
        #expect(accept.verifyResponseAuthenticator(requestAuthenticator: status.authenticator, secret: secret, crypto: crypto))
        #expect(Array(accept.value(accept.first(18)!)) == bytes("RADIUS Server up 2 days, 18:40"))
    }

    @Test("The project's Accounting-Request vector (secret testing123)")
    func accountingVector() throws {
        let packet = try RADIUSPacket(
            decoding: hex(
                "04e9004815a7d50dabf30636b289d2e700adf5b20107616c69636504060a0000092c0970797261642d312806000000032a060000007b3406000000022e060000003c37066b05e3a5"
            ))
        #expect(packet.code == .accountingRequest)
        #expect(packet.identifier == 0xe9)
        #expect(packet.verifyRequestAuthenticator(secret: bytes("testing123"), crypto: crypto))
        #expect(!packet.verifyRequestAuthenticator(secret: bytes("testing124"), crypto: crypto))
        let decoded = packet.decodeAttributes(dictionary: projectDictionary)
        func value(_ name: String) -> AttributeValue? { decoded.first { $0.name == name }?.value }
        #expect(value("User-Name") == .text("alice"))
        // Attribute 4 carries 10.0.0.9: that is NAS-IP-Address in RFC 2865.
        #expect(value("NAS-IP-Address") == .ipv4(IPv4Address("10.0.0.9")!))
        #expect(value("Acct-Session-Id") == .text("pyrad-1"))
        #expect(value("Acct-Status-Type") == .integer(3))
        #expect(value("Acct-Input-Octets") == .integer(123))
        #expect(value("Acct-Input-Gigawords") == .integer(2))
        #expect(value("Acct-Session-Time") == .integer(60))
        #expect(value("Event-Timestamp") == .date(0x6b05_e3a5))
        let index = try #require(projectDictionary.attributeIndex(named: "Acct-Status-Type"))
        #expect(projectDictionary.valueName(3, forAttributeAt: index) == "Interim-Update")
    }
}
