import RADIUS

extension DynamicAuthorizationMessage.Kind {
    /// CoA-Request (43) or Disconnect-Request (40).
    public var requestCode: RADIUSCode { self == .coa ? .coaRequest : .disconnectRequest }
    /// CoA-ACK (44) or Disconnect-ACK (41).
    public var ackCode: RADIUSCode { self == .coa ? .coaACK : .disconnectACK }
    /// CoA-NAK (45) or Disconnect-NAK (42).
    public var nakCode: RADIUSCode { self == .coa ? .coaNAK : .disconnectNAK }
    /// "CoA" or "Disconnect", for summaries and logs.
    public var label: String { self == .coa ? "CoA" : "Disconnect" }
}

extension DynamicAuthorizationMessage {
    /// The Event-Timestamp attribute's type (RFC 2869 section 5.3).
    static let eventTimestampType: UInt8 = 55

    /// The signed request packet for one transmission.
    ///
    /// Message-Authenticator comes first (the placement RFC 3579 allows anywhere and the
    /// BlastRADIUS advisories recommend first); it is computed over the packet with a zero
    /// Authenticator field, then the Request Authenticator is computed over the whole packet,
    /// MD5(Code, Identifier, Length, 16 zero octets, Attributes, secret) (RFC 5176 section 2.3).
    /// Event-Timestamp is last; RFC 5176 section 6.3 requires it where IPsec does not protect
    /// against replay.
    public func encode(
        identifier: UInt8, eventTimestamp: UInt32, secret: [UInt8], crypto: RADIUSCrypto
    ) throws(RADIUSEncodingError) -> RADIUSPacket {
        var builder = RADIUSPacketBuilder(code: kind.requestCode, identifier: identifier)
        builder.appendEncodedAttributes([RADIUSPacket.messageAuthenticatorType, 18] + [UInt8](repeating: 0, count: 16))
        for attribute in attributes { builder.appendEncodedAttributes(attribute.encoded) }
        builder.append(type: Self.eventTimestampType, uint32: eventTimestamp)
        var packet = try builder.build()
        try packet.sign(secret: secret, crypto: crypto)
        return packet
    }
}
