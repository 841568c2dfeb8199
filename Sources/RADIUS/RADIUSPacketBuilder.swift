/// Assembles a RADIUS packet attribute by attribute.
///
/// The Authenticator is left as given (zero by default); `RADIUSPacket`'s signing functions
/// fill it in, together with any Message-Authenticator.
public struct RADIUSPacketBuilder: Sendable {
    public private(set) var bytes: [UInt8]

    public init(code: RADIUSCode, identifier: UInt8, authenticator: Authenticator = .zero) {
        bytes = [code.rawValue, identifier, 0, 20]
        bytes.reserveCapacity(256)
        authenticator.appendBytes(to: &bytes)
    }

    /// Appends a top-level attribute. Values longer than 253 octets are refused.
    public mutating func append(type: UInt8, value: some Collection<UInt8>) throws(RADIUSEncodingError) {
        guard value.count <= 253 else {
            throw RADIUSEncodingError("attribute \(type) value is \(value.count) octets; at most 253 fit")
        }
        bytes.append(type)
        bytes.append(UInt8(value.count + 2))
        bytes.append(contentsOf: value)
    }

    /// Appends a 4-octet integer attribute.
    public mutating func append(type: UInt8, uint32 value: UInt32) {
        bytes.append(contentsOf: [
            type, 6, UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16),
            UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value),
        ])
    }

    /// Appends a text attribute (UTF-8).
    public mutating func append(type: UInt8, text: String) throws(RADIUSEncodingError) {
        try append(type: type, value: Array(text.utf8))
    }

    /// Appends a Vendor-Specific attribute (26) holding one vendor attribute in the
    /// vendor's format.
    public mutating func appendVendorSpecific(
        vendor: UInt32, type: UInt32, value: some Collection<UInt8>, format: VendorFormat = .standard
    ) throws(RADIUSEncodingError) {
        var inner: [UInt8] = []
        inner.reserveCapacity(value.count + 8)
        for shift in stride(from: 24, through: 0, by: -8) { inner.append(UInt8(truncatingIfNeeded: vendor >> UInt32(shift))) }
        guard format.typeWidth == 4 || type < (1 << (8 * UInt32(format.typeWidth))) else {
            throw RADIUSEncodingError("vendor attribute type \(type) does not fit \(format.typeWidth) octet(s)")
        }
        for i in stride(from: format.typeWidth - 1, through: 0, by: -1) {
            inner.append(UInt8(truncatingIfNeeded: type >> UInt32(8 * i)))
        }
        let headerLength = format.typeWidth + format.lengthWidth + (format.hasContinuation ? 1 : 0)
        let total = headerLength + value.count
        switch format.lengthWidth {
        case 0: break
        case 1:
            guard total <= 255 else { throw RADIUSEncodingError("vendor attribute \(vendor).\(type) is too long") }
            inner.append(UInt8(total))
        default:
            inner.append(UInt8(truncatingIfNeeded: total >> 8))
            inner.append(UInt8(truncatingIfNeeded: total))
        }
        if format.hasContinuation { inner.append(0) }
        inner.append(contentsOf: value)
        try append(type: 26, value: inner)
    }

    /// Appends an RFC 6929 Extended-Type attribute (241-244): Type, Length, Extended-Type, value.
    public mutating func appendExtended(type: UInt8, extendedType: UInt8, value: some Collection<UInt8>) throws(RADIUSEncodingError) {
        guard (241...244).contains(type) else { throw RADIUSEncodingError("attribute \(type) is not an Extended-Type attribute") }
        guard value.count <= 252 else {
            throw RADIUSEncodingError("extended attribute \(type).\(extendedType) value is \(value.count) octets; at most 252 fit")
        }
        bytes.append(contentsOf: [type, UInt8(value.count + 3), extendedType])
        bytes.append(contentsOf: value)
    }

    /// Appends an RFC 6929 Long-Extended-Type attribute (245, 246), fragmenting values longer
    /// than 251 octets into consecutive attributes with the More flag set on all but the last.
    public mutating func appendLongExtended(type: UInt8, extendedType: UInt8, value: some Collection<UInt8>) throws(RADIUSEncodingError) {
        guard type == 245 || type == 246 else { throw RADIUSEncodingError("attribute \(type) is not a Long-Extended-Type attribute") }
        let octets = Array(value)
        var start = 0
        repeat {
            let end = min(start + 251, octets.count)
            let more: UInt8 = end < octets.count ? 0x80 : 0
            bytes.append(contentsOf: [type, UInt8(end - start + 4), extendedType, more])
            bytes.append(contentsOf: octets[start..<end])
            start = end
        } while start < octets.count
    }

    /// Appends octets that already form one or more complete attributes.
    public mutating func appendEncodedAttributes(_ encoded: some Collection<UInt8>) {
        bytes.append(contentsOf: encoded)
    }

    /// The packet with its Length set. Fails when it exceeds 4096 octets.
    public func build() throws(RADIUSEncodingError) -> RADIUSPacket {
        guard bytes.count <= RADIUSPacket.maximumLength else {
            throw RADIUSEncodingError("packet is \(bytes.count) octets; RADIUS allows 4096")
        }
        var out = bytes
        out[2] = UInt8(out.count >> 8)
        out[3] = UInt8(truncatingIfNeeded: out.count)
        return RADIUSPacket(unchecked: out)
    }
}

/// How a vendor lays out its attributes inside Vendor-Specific (the dictionary's `format=t,l[,c]`).
public struct VendorFormat: Hashable, Sendable, CustomStringConvertible {
    /// Octets of the vendor Type field: 1, 2 or 4.
    public var typeWidth: Int
    /// Octets of the vendor Length field: 0, 1 or 2.
    public var lengthWidth: Int
    /// Whether a continuation octet follows the Length (WiMAX).
    public var hasContinuation: Bool

    public static let standard = VendorFormat(typeWidth: 1, lengthWidth: 1, hasContinuation: false)

    public init(typeWidth: Int, lengthWidth: Int, hasContinuation: Bool = false) {
        self.typeWidth = typeWidth
        self.lengthWidth = lengthWidth
        self.hasContinuation = hasContinuation
    }

    public var description: String { "format=\(typeWidth),\(lengthWidth)\(hasContinuation ? ",c" : "")" }
}
