/// A RADIUS packet (RFC 2865 section 3): header and attributes, validated and owned.
///
/// `bytes` holds exactly `length` octets. Decoding walks the attributes once to check their
/// lengths; after that, attributes are read in place and nothing is allocated per attribute.
public struct RADIUSPacket: Hashable, Sendable {
    /// The smallest and largest packet RFC 2865 allows.
    public static let minimumLength = 20
    public static let maximumLength = 4096
    /// Offset of the first attribute.
    public static let headerLength = 20

    /// The packet's octets, exactly `length` of them.
    public internal(set) var bytes: [UInt8]

    /// Decodes a datagram. Octets past the Length field are ignored (RFC 2865 section 3).
    public init(decoding datagram: UnsafeRawBufferPointer) throws(RADIUSDecodingError) {
        let length = try Self.validate(datagram)
        self.bytes = Array(UnsafeRawBufferPointer(rebasing: datagram[0..<length]))
    }

    /// Decodes a datagram held in an array.
    public init(decoding datagram: [UInt8]) throws(RADIUSDecodingError) {
        let checked: Result<Int, RADIUSDecodingError> = datagram.withUnsafeBytes { raw in
            Result { () throws(RADIUSDecodingError) -> Int in try Self.validate(raw) }
        }
        let length = try checked.get()
        self.bytes = length == datagram.count ? datagram : Array(datagram[0..<length])
    }

    /// Wraps octets already known to be a valid packet of exactly their length.
    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Checks the header and every attribute's length; returns the packet length.
    @inline(__always)
    static func validate(_ datagram: UnsafeRawBufferPointer) throws(RADIUSDecodingError) -> Int {
        guard datagram.count >= minimumLength else {
            throw RADIUSDecodingError(.tooShort, detail: "\(datagram.count) octets; a RADIUS header is 20")
        }
        let code = RADIUSCode(rawValue: datagram[0])
        let length = Int(datagram[2]) << 8 | Int(datagram[3])
        guard length >= minimumLength, length <= maximumLength else {
            throw RADIUSDecodingError(.invalidLength, offset: 2, detail: "Length field \(length) is outside 20...4096")
        }
        guard datagram.count >= length else {
            throw RADIUSDecodingError(.truncated, detail: "Length field \(length) but only \(datagram.count) octets received")
        }
        guard code.isSupported else {
            throw RADIUSDecodingError(.unsupportedCode, offset: 0, detail: "code \(code.rawValue)")
        }
        var offset = headerLength
        while offset < length {
            guard offset + 2 <= length else {
                throw RADIUSDecodingError(.malformedAttribute, offset: offset, detail: "attribute header runs past the packet")
            }
            let attributeLength = Int(datagram[offset + 1])
            guard attributeLength >= 2 else {
                throw RADIUSDecodingError(
                    .malformedAttribute, offset: offset,
                    detail: "attribute \(datagram[offset]) has Length \(attributeLength)")
            }
            guard offset + attributeLength <= length else {
                throw RADIUSDecodingError(
                    .malformedAttribute, offset: offset,
                    detail: "attribute \(datagram[offset]) with Length \(attributeLength) runs past the packet")
            }
            offset += attributeLength
        }
        return length
    }

    // MARK: Header

    public var code: RADIUSCode { RADIUSCode(rawValue: bytes[0]) }
    public var identifier: UInt8 { bytes[1] }
    public var length: Int { bytes.count }
    public var authenticator: Authenticator { Authenticator(bytes, at: 4) }

    // MARK: Attributes

    /// The top-level attributes, in packet order.
    public var attributes: Attributes { Attributes(bytes: bytes) }

    /// The first top-level attribute of `type`, if any.
    public func first(_ type: UInt8) -> RawAttribute? {
        var offset = Self.headerLength
        let end = bytes.count
        while offset < end {
            let length = Int(bytes[offset + 1])
            if bytes[offset] == type {
                return RawAttribute(type: type, offset: offset, length: length)
            }
            offset += length
        }
        return nil
    }

    /// The value octets of an attribute of this packet, without copying.
    @inline(__always)
    public func value(_ attribute: RawAttribute) -> ArraySlice<UInt8> {
        bytes[attribute.valueOffset..<attribute.endOffset]
    }

    /// The value of a 4-octet integer attribute, or nil when its length is not 4.
    @inline(__always)
    public func uint32(_ attribute: RawAttribute) -> UInt32? {
        guard attribute.length == 6 else { return nil }
        let o = attribute.valueOffset
        return UInt32(bytes[o]) << 24 | UInt32(bytes[o + 1]) << 16 | UInt32(bytes[o + 2]) << 8 | UInt32(bytes[o + 3])
    }

    /// The first attribute of `type` read as a 4-octet integer.
    public func uint32(_ type: UInt8) -> UInt32? {
        first(type).flatMap { uint32($0) }
    }

    /// A sequence over the top-level attributes of a validated packet.
    public struct Attributes: Sequence, Sendable {
        let bytes: [UInt8]

        public func makeIterator() -> Iterator { Iterator(bytes: bytes, offset: RADIUSPacket.headerLength) }

        public struct Iterator: IteratorProtocol, Sendable {
            let bytes: [UInt8]
            var offset: Int

            @inline(__always)
            public mutating func next() -> RawAttribute? {
                guard offset < bytes.count else { return nil }
                let attribute = RawAttribute(type: bytes[offset], offset: offset, length: Int(bytes[offset + 1]))
                offset += attribute.length
                return attribute
            }
        }
    }
}

/// Where one top-level attribute sits in its packet: Type, and the span of its octets.
public struct RawAttribute: Hashable, Sendable {
    public var type: UInt8
    /// Offset of the Type octet in the packet.
    public var offset: Int
    /// The Length field: Type and Length octets included.
    public var length: Int

    public init(type: UInt8, offset: Int, length: Int) {
        self.type = type
        self.offset = offset
        self.length = length
    }

    public var valueOffset: Int { offset + 2 }
    public var valueLength: Int { length - 2 }
    public var endOffset: Int { offset + length }
}
