import RADIUS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Builds the signed requests a NAS sends. Pure: no I/O, no clock (times are passed in).
public struct RequestEncoder: Sendable {
    public var nas: SimulatedNAS

    public init(nas: SimulatedNAS) {
        self.nas = nas
    }

    /// The Accounting-Request for `event` of `session`.
    ///
    /// - Parameters:
    ///   - eventTimestamp: Event-Timestamp to send (the event's `.now` resolved by the caller);
    ///     nil sends none.
    ///   - delayTime: Acct-Delay-Time to send; nil sends none.
    public func accountingRequest(
        session: SimulatedSession, event: SessionEvent, identifier: UInt8,
        eventTimestamp: UInt32?, delayTime: UInt32?, crypto: RADIUSCrypto
    ) throws(RADIUSEncodingError) -> RADIUSPacket {
        var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: identifier)
        try builder.append(type: 1, text: session.userName)
        try appendNASIdentity(to: &builder)
        if let port = session.nasPort { builder.append(type: 5, uint32: port) }
        if let type = session.nasPortType { builder.append(type: 61, uint32: type) }
        if let portID = session.nasPortID { try builder.append(type: 87, text: portID) }
        if let calling = session.callingStationID { try builder.append(type: 31, text: calling) }
        if let framed = session.framedIPAddress { builder.append(type: 8, uint32: framed) }
        if let classValue = session.classValue { try builder.append(type: 25, value: classValue) }
        builder.append(type: 40, uint32: event.kind.rawValue)
        try builder.append(type: 44, text: session.sessionID)
        if let multi = session.multiSessionID { try builder.append(type: 50, text: multi) }
        builder.append(type: 45, uint32: 1) // Acct-Authentic: RADIUS
        if let sessionTime = event.sessionTime { builder.append(type: 46, uint32: sessionTime) }
        let upload = event.upload.map { Self.split($0, session.gigawords) }
        let download = event.download.map { Self.split($0, session.gigawords) }
        if let upload { builder.append(type: 42, uint32: upload.octets) }
        if let download { builder.append(type: 43, uint32: download.octets) }
        if let gigawords = upload?.gigawords { builder.append(type: 52, uint32: gigawords) }
        if let gigawords = download?.gigawords { builder.append(type: 53, uint32: gigawords) }
        if let packets = event.inputPackets { builder.append(type: 47, uint32: packets) }
        if let packets = event.outputPackets { builder.append(type: 48, uint32: packets) }
        if let cause = event.terminateCause { builder.append(type: 49, uint32: cause) }
        if let eventTimestamp { builder.append(type: 55, uint32: eventTimestamp) }
        if let delayTime { builder.append(type: 41, uint32: delayTime) }
        builder.appendEncodedAttributes(session.additionalAttributes)
        builder.appendEncodedAttributes(event.additionalAttributes)
        var packet = try builder.build()
        try packet.sign(secret: nas.secret, crypto: crypto)
        return packet
    }

    /// The Accounting-On, Accounting-Off or Status-Server request for `message`.
    public func request(
        for message: NASMessage, identifier: UInt8, eventTimestamp: UInt32?, crypto: RADIUSCrypto
    ) throws(RADIUSEncodingError) -> RADIUSPacket {
        switch message {
        case .statusServer:
            var builder = RADIUSPacketBuilder(code: .statusServer, identifier: identifier, authenticator: .random())
            try appendNASIdentity(to: &builder)
            builder.appendEncodedAttributes([RADIUSPacket.messageAuthenticatorType, 18] + [UInt8](repeating: 0, count: 16))
            var packet = try builder.build()
            try packet.sign(secret: nas.secret, crypto: crypto)
            return packet
        case .accountingOn, .accountingOff:
            var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: identifier)
            try appendNASIdentity(to: &builder)
            if case .accountingOff(_, let cause) = message {
                builder.append(type: 40, uint32: 8)
                builder.append(type: 49, uint32: cause)
            } else {
                builder.append(type: 40, uint32: 7)
            }
            // NAS devices send a session id of zeros with Accounting-On/Off; some servers require one.
            try builder.append(type: 44, text: "00000000")
            builder.append(type: 45, uint32: 1)
            if let eventTimestamp { builder.append(type: 55, uint32: eventTimestamp) }
            builder.append(type: 41, uint32: 0)
            var packet = try builder.build()
            try packet.sign(secret: nas.secret, crypto: crypto)
            return packet
        }
    }

    private func appendNASIdentity(to builder: inout RADIUSPacketBuilder) throws(RADIUSEncodingError) {
        if let address = nas.nasIPAddress {
            builder.append(type: 4, uint32: address)
        } else if nas.localAddress.family != AF_INET {
            try builder.append(type: 95, value: nas.localAddress.addressBytes) // NAS-IPv6-Address
        }
        if let identifier = nas.nasIdentifier { try builder.append(type: 32, text: identifier) }
    }

    /// Octets and Gigawords of a 64-bit counter as `mode` encodes it; nil Gigawords when none is sent.
    static func split(_ value: UInt64, _ mode: GigawordsMode) -> (octets: UInt32, gigawords: UInt32?) {
        let octets = UInt32(truncatingIfNeeded: value)
        let gigawords = UInt32(truncatingIfNeeded: value >> 32)
        switch mode {
        case .always: return (octets, gigawords)
        case .whenNeeded: return (octets, gigawords == 0 ? nil : gigawords)
        case .never: return (octets, nil)
        }
    }
}
