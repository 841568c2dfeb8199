/// Why a datagram is not a RADIUS packet Tollgate accepts.
///
/// On the wire such datagrams are dropped silently (RFC 5080 section 2.2); the reason is
/// what the collector counts and logs.
public struct RADIUSDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: String, Hashable, Sendable, CaseIterable {
        /// Fewer than 20 octets: no complete header.
        case tooShort = "too_short"
        /// The Length field is below 20 or above 4096.
        case invalidLength = "invalid_length"
        /// The datagram holds fewer octets than its Length field says.
        case truncated = "truncated"
        /// A Code Tollgate does not know.
        case unsupportedCode = "unsupported_code"
        /// An attribute whose Length is below 2 or runs past the end of the packet.
        case malformedAttribute = "malformed_attribute"
    }

    public var reason: Reason
    /// Offset of the offending octet in the datagram, where one is known.
    public var offset: Int?
    /// Additional detail for people (never contains packet payload).
    public var detail: String

    public init(_ reason: Reason, offset: Int? = nil, detail: String) {
        self.reason = reason
        self.offset = offset
        self.detail = detail
    }

    public var description: String {
        if let offset { return "\(reason.rawValue) at offset \(offset): \(detail)" }
        return "\(reason.rawValue): \(detail)"
    }
}

/// Why a packet could not be encoded.
public struct RADIUSEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
