/// Where an attribute's number lives: the numbering space it is defined in.
public enum AttributeSpace: Hashable, Sendable {
    /// Top-level attributes, 1-255.
    case root
    /// Inside Vendor-Specific (26) for this vendor.
    case vendor(UInt32)
    /// Children of the attribute at this index of the dictionary (TLV or extended parents).
    case child(of: Int)
    /// Vendor attributes inside an Extended-Vendor-Specific attribute (index) for a vendor.
    case extendedVendor(parent: Int, vendor: UInt32)
}

/// The flags a dictionary may put after an attribute's type.
public struct AttributeFlags: Hashable, Sendable {
    /// RFC 2868 tag octet before the value.
    public var hasTag = false
    /// 1: User-Password (RFC 2865), 2: Tunnel-Password (RFC 2868), 3: Ascend secret.
    public var encrypt: UInt8 = 0
    /// Several values packed into one attribute.
    public var array = false
    /// A long value split over consecutive attributes of the same type.
    public var concat = false
    /// Server-side only, never on the wire.
    public var isVirtual = false
    /// Never printed in logs.
    public var secret = false
    /// A fixed value length from `octets[N]`.
    public var fixedLength: Int?

    public init() {}
}

/// One attribute a dictionary defines.
public struct AttributeDefinition: Hashable, Sendable {
    public var name: String
    /// The number within its space.
    public var number: UInt32
    public var space: AttributeSpace
    public var type: AttributeDataType
    public var flags: AttributeFlags
    /// The vendor number (0 for standard and extended attributes).
    public var vendor: UInt32
    /// Dotted numbers from the top: "1", "241.1", "26.9.1", "245.26.11344.1".
    public var oid: String
    /// Where it was defined, for diagnostics.
    public var location: SourceLocation

    /// The value length on the wire this definition requires, if fixed.
    public var requiredLength: Int? { flags.fixedLength ?? type.fixedLength }
}

/// A vendor (IANA Private Enterprise Number) and the layout of its attributes.
public struct VendorDefinition: Hashable, Sendable {
    public var name: String
    public var number: UInt32
    public var format: VendorFormat
}

/// A file and line in a dictionary tree.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }
    public var description: String { "\(file):\(line)" }
}

/// A dictionary problem at a place in a file.
public struct DictionaryError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
    }
    public var description: String { "\(location): \(message)" }
}
