/// Request and Response Authenticators (RFC 2865, 2866, 5176) and Message-Authenticator
/// (RFC 3579 section 3.2, RFC 5176 section 3.3, RFC 5997).
extension RADIUSPacket {
    /// The Message-Authenticator attribute's type number.
    public static let messageAuthenticatorType: UInt8 = 80

    /// The outcome of checking a Message-Authenticator.
    public enum MessageAuthenticatorStatus: Hashable, Sendable {
        /// The packet has none.
        case absent
        case valid
        /// Present but wrong, or not 16 octets long.
        case invalid
    }

    /// Checks the Request Authenticator of an Accounting-Request, CoA-Request or
    /// Disconnect-Request: MD5(Code, Identifier, Length, 16 zero octets, Attributes, secret).
    public func verifyRequestAuthenticator(secret: [UInt8], crypto: RADIUSCrypto) -> Bool {
        guard code.hasComputedRequestAuthenticator else { return false }
        return computeAuthenticator(substituting: .zero, secret: secret, crypto: crypto)
            .constantTimeEquals(authenticator)
    }

    /// Checks the Response Authenticator of a response to a request whose authenticator was
    /// `requestAuthenticator`: MD5(Code, Identifier, Length, Request Authenticator, Attributes, secret).
    public func verifyResponseAuthenticator(requestAuthenticator: Authenticator, secret: [UInt8], crypto: RADIUSCrypto) -> Bool {
        computeAuthenticator(substituting: requestAuthenticator, secret: secret, crypto: crypto)
            .constantTimeEquals(authenticator)
    }

    /// Checks the Message-Authenticator, if any.
    ///
    /// The HMAC-MD5 covers the packet with the Message-Authenticator's value zeroed and the
    /// Authenticator field holding: 16 zero octets for Accounting-, CoA- and Disconnect-Requests;
    /// the packet's own Request Authenticator for Access-Request and Status-Server; and, for a
    /// response, the Request Authenticator of the request it answers (`requestAuthenticator`).
    public func verifyMessageAuthenticator(
        secret: [UInt8], requestAuthenticator: Authenticator? = nil, crypto: RADIUSCrypto
    ) -> MessageAuthenticatorStatus {
        guard let attribute = first(Self.messageAuthenticatorType) else { return .absent }
        guard attribute.valueLength == 16 else { return .invalid }
        let substitute: Authenticator
        if code.hasComputedRequestAuthenticator {
            substitute = .zero
        } else if code.isRequest {
            substitute = authenticator
        } else if let requestAuthenticator {
            substitute = requestAuthenticator
        } else {
            return .invalid
        }
        let expected = computeMessageAuthenticator(at: attribute, substituting: substitute, secret: secret, crypto: crypto)
        let received = Authenticator(bytes, at: attribute.valueOffset)
        return expected.constantTimeEquals(received) ? .valid : .invalid
    }

    /// Fills in the Message-Authenticator (when the packet has one) and the Authenticator.
    ///
    /// - Accounting-, CoA- and Disconnect-Requests get their computed Request Authenticator.
    /// - Access-Request and Status-Server keep the (random) authenticator they were built with.
    /// - Responses need `requestAuthenticator`, the authenticator of the request they answer.
    public mutating func sign(secret: [UInt8], requestAuthenticator: Authenticator? = nil, crypto: RADIUSCrypto) throws(RADIUSEncodingError) {
        let substitute: Authenticator
        if code.hasComputedRequestAuthenticator {
            substitute = .zero
        } else if code.isRequest {
            substitute = authenticator
        } else {
            guard let requestAuthenticator else {
                throw RADIUSEncodingError("signing a \(code) needs the Request Authenticator of the request it answers")
            }
            substitute = requestAuthenticator
        }
        if let attribute = first(Self.messageAuthenticatorType) {
            guard attribute.valueLength == 16 else {
                throw RADIUSEncodingError("Message-Authenticator must be 16 octets, not \(attribute.valueLength)")
            }
            let mac = computeMessageAuthenticator(at: attribute, substituting: substitute, secret: secret, crypto: crypto)
            mac.write(into: &bytes, at: attribute.valueOffset)
        }
        if code.isRequest && !code.hasComputedRequestAuthenticator { return }
        let authenticator = computeAuthenticator(substituting: substitute, secret: secret, crypto: crypto)
        authenticator.write(into: &bytes, at: 4)
    }

    /// Builds the signed Accounting-Response to this Accounting-Request (or Status-Server
    /// received on an accounting port, RFC 5997 section 3), with a Message-Authenticator
    /// when `includeMessageAuthenticator` is set (RFC 5997 requires one for Status-Server).
    public func accountingResponse(
        secret: [UInt8], includeMessageAuthenticator: Bool = false, crypto: RADIUSCrypto
    ) -> RADIUSPacket {
        Self.accountingResponse(
            identifier: identifier, requestAuthenticator: authenticator, secret: secret,
            includeMessageAuthenticator: includeMessageAuthenticator, crypto: crypto)
    }

    /// The signed Accounting-Response to the request with this Identifier and Request
    /// Authenticator, for callers that keep only those two of the request.
    public static func accountingResponse(
        identifier: UInt8, requestAuthenticator: Authenticator, secret: [UInt8],
        includeMessageAuthenticator: Bool = false, crypto: RADIUSCrypto
    ) -> RADIUSPacket {
        var builder = RADIUSPacketBuilder(code: .accountingResponse, identifier: identifier)
        if includeMessageAuthenticator {
            builder.appendEncodedAttributes([messageAuthenticatorType, 18] + [UInt8](repeating: 0, count: 16))
        }
        // A packet of at most 38 octets always builds and signs.
        var response = try! builder.build()
        try! response.sign(secret: secret, requestAuthenticator: requestAuthenticator, crypto: crypto)
        return response
    }

    /// MD5 over the packet with the Authenticator field replaced by `substitute`, then the secret.
    func computeAuthenticator(substituting substitute: Authenticator, secret: [UInt8], crypto: RADIUSCrypto) -> Authenticator {
        crypto.beginMD5()
        bytes.withUnsafeBytes { raw in
            crypto.updateMD5(UnsafeRawBufferPointer(rebasing: raw[0..<4]))
            withUnsafeBytes(of: (substitute.high.bigEndian, substitute.low.bigEndian)) { crypto.updateMD5($0) }
            crypto.updateMD5(UnsafeRawBufferPointer(rebasing: raw[Self.headerLength...]))
        }
        secret.withUnsafeBytes { crypto.updateMD5($0) }
        return crypto.finishMD5()
    }

    func computeMessageAuthenticator(
        at attribute: RawAttribute, substituting substitute: Authenticator, secret: [UInt8], crypto: RADIUSCrypto
    ) -> Authenticator {
        crypto.beginHMAC(key: secret)
        bytes.withUnsafeBytes { raw in
            crypto.updateHMAC(UnsafeRawBufferPointer(rebasing: raw[0..<4]))
            withUnsafeBytes(of: (substitute.high.bigEndian, substitute.low.bigEndian)) { crypto.updateHMAC($0) }
            crypto.updateHMAC(UnsafeRawBufferPointer(rebasing: raw[Self.headerLength..<attribute.valueOffset]))
            withUnsafeBytes(of: (UInt64(0), UInt64(0))) { crypto.updateHMAC($0) }
            crypto.updateHMAC(UnsafeRawBufferPointer(rebasing: raw[(attribute.valueOffset + 16)...]))
        }
        return crypto.finishHMAC()
    }
}
