import RADIUS

/// A response that passed every check: what the NAS said.
public enum DynamicAuthorizationReply: Sendable, Hashable {
    case ack
    /// With the Error-Cause (RFC 5176 section 3.6) when the NAK carried one.
    case nak(errorCause: UInt32?)
}

/// Why a datagram was not taken as the answer to a request. Such datagrams are dropped and
/// counted, never taken as outcomes (RFC 2865 section 3).
public struct DynamicAuthorizationResponseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// Not a well-formed RADIUS packet: too short, bad Length, bad attribute lengths.
        case malformed
        /// Longer than the 4096 octets RADIUS allows.
        case oversized
        /// Not the ACK or NAK code of the request's kind.
        case unexpectedCode = "unexpected_code"
        /// An Identifier that no request in flight to that source uses, or that does not match.
        case unknownIdentifier = "unknown_identifier"
        /// The Response Authenticator does not match (wrong secret, forged, or meant for another request).
        case badAuthenticator = "bad_authenticator"
        /// A Message-Authenticator that is present but wrong.
        case badMessageAuthenticator = "bad_message_authenticator"
    }

    public var reason: Reason
    public var detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}

extension DynamicAuthorizationReply {
    /// The Error-Cause attribute's type (RFC 5176 section 3.6).
    static let errorCauseType: UInt8 = 101

    /// Validates a datagram as the response to the transmission with `identifier` and
    /// `requestAuthenticator`: well-formed, at most 4096 octets, the ACK or NAK code of `kind`,
    /// the same Identifier, Response Authenticator = MD5(Code, Identifier, Length, Request
    /// Authenticator, Attributes, secret), and Message-Authenticator valid when present.
    public static func validate(
        _ datagram: [UInt8], kind: DynamicAuthorizationMessage.Kind, identifier: UInt8,
        requestAuthenticator: Authenticator, secret: [UInt8], crypto: RADIUSCrypto
    ) -> Result<DynamicAuthorizationReply, DynamicAuthorizationResponseError> {
        guard datagram.count <= RADIUSPacket.maximumLength else {
            return .failure(.init(.oversized, "\(datagram.count) octets; RADIUS allows 4096"))
        }
        let packet: RADIUSPacket
        do { packet = try RADIUSPacket(decoding: datagram) } catch {
            return .failure(.init(.malformed, error.description))
        }
        guard packet.code == kind.ackCode || packet.code == kind.nakCode else {
            return .failure(.init(.unexpectedCode, "\(packet.code) does not answer a \(kind.requestCode)"))
        }
        guard packet.identifier == identifier else {
            return .failure(.init(.unknownIdentifier, "Identifier \(packet.identifier), expected \(identifier)"))
        }
        guard packet.verifyResponseAuthenticator(requestAuthenticator: requestAuthenticator, secret: secret, crypto: crypto) else {
            return .failure(.init(.badAuthenticator, "Response Authenticator does not match the request and secret"))
        }
        if packet.verifyMessageAuthenticator(secret: secret, requestAuthenticator: requestAuthenticator, crypto: crypto) == .invalid {
            return .failure(.init(.badMessageAuthenticator, "Message-Authenticator does not match"))
        }
        if packet.code == kind.ackCode { return .success(.ack) }
        return .success(.nak(errorCause: packet.uint32(errorCauseType)))
    }
}
