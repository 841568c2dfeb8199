/// A decoded attribute value, typed by its dictionary definition.
public enum AttributeValue: Hashable, Sendable {
    case text(String)
    case octets([UInt8])
    case integer(UInt32)
    case integer64(UInt64)
    case signed(Int32)
    case byte(UInt8)
    case short(UInt16)
    /// Seconds since 1970-01-01 UTC.
    case date(UInt32)
    case ipv4(IPv4Address)
    case ipv6(IPv6Address)
    case ipv4Prefix(IPv4Address, length: UInt8)
    case ipv6Prefix(IPv6Address, length: UInt8)
    /// An IPv6 interface identifier (RFC 3162).
    case ifid(UInt64)
    /// An Ethernet MAC address.
    case ether(UInt64)
    /// Nested attributes of a TLV.
    case tlv([DecodedAttribute])
    /// A value malformed for its declared type (RFC 6929 section 2.8): kept as octets.
    case invalid([UInt8], reason: String)

    /// Decodes `bytes` as `type`. Malformed values become `.invalid`, never a crash.
    public static func decode(_ bytes: ArraySlice<UInt8>, as type: AttributeDataType, fixedLength: Int? = nil) -> AttributeValue {
        if let required = fixedLength ?? type.fixedLength, bytes.count != required {
            return .invalid(Array(bytes), reason: "\(type.rawValue) needs \(required) octets, got \(bytes.count)")
        }
        switch type {
        case .string:
            if let text = String(validating: bytes, as: UTF8.self) { return .text(text) }
            return .invalid(Array(bytes), reason: "text is not valid UTF-8")
        case .octets, .abinary, .vsa, .extended, .longExtended, .evs:
            return .octets(Array(bytes))
        case .integer: return .integer(UInt32(truncatingIfNeeded: bigEndian(bytes)))
        case .date: return .date(UInt32(truncatingIfNeeded: bigEndian(bytes)))
        case .signed: return .signed(Int32(bitPattern: UInt32(truncatingIfNeeded: bigEndian(bytes))))
        case .integer64: return .integer64(bigEndian(bytes))
        case .byte: return .byte(bytes[bytes.startIndex])
        case .short: return .short(UInt16(truncatingIfNeeded: bigEndian(bytes)))
        case .ipaddr: return .ipv4(IPv4Address(UInt32(truncatingIfNeeded: bigEndian(bytes))))
        case .ipv6addr: return .ipv6(IPv6Address(bytes: bytes))
        case .ifid: return .ifid(bigEndian(bytes))
        case .ether: return .ether(bigEndian(bytes))
        case .comboIP:
            switch bytes.count {
            case 4: return .ipv4(IPv4Address(UInt32(truncatingIfNeeded: bigEndian(bytes))))
            case 16: return .ipv6(IPv6Address(bytes: bytes))
            default: return .invalid(Array(bytes), reason: "combo-ip needs 4 or 16 octets, got \(bytes.count)")
            }
        case .ipv4prefix:
            // RFC 8044 3.11: reserved octet, prefix length 0-32, then 4 address octets.
            let s = bytes.startIndex
            let length = bytes[s + 1]
            guard bytes[s] == 0, length <= 32 else {
                return .invalid(Array(bytes), reason: "ipv4prefix with reserved \(bytes[s]) and length \(length)")
            }
            return .ipv4Prefix(IPv4Address(UInt32(truncatingIfNeeded: bigEndian(bytes.dropFirst(2)))), length: length)
        case .ipv6prefix:
            // RFC 3162 2.3: reserved, prefix length 0-128, then up to 16 octets of prefix.
            guard bytes.count >= 2, bytes.count <= 18 else {
                return .invalid(Array(bytes), reason: "ipv6prefix needs 2 to 18 octets, got \(bytes.count)")
            }
            let s = bytes.startIndex
            let length = bytes[s + 1]
            guard bytes[s] == 0, length <= 128, Int(length) <= (bytes.count - 2) * 8 else {
                return .invalid(Array(bytes), reason: "ipv6prefix length \(length) does not fit \(bytes.count - 2) octets")
            }
            var full = Array(bytes.dropFirst(2))
            full.append(contentsOf: [UInt8](repeating: 0, count: 16 - full.count))
            return .ipv6Prefix(IPv6Address(bytes: full), length: length)
        case .tlv:
            return .octets(Array(bytes))
        }
    }

    /// The wire encoding of this value.
    public var encoded: [UInt8] {
        switch self {
        case .text(let s): return Array(s.utf8)
        case .octets(let b), .invalid(let b, _): return b
        case .integer(let v), .date(let v): return bigEndianBytes(UInt64(v), count: 4)
        case .signed(let v): return bigEndianBytes(UInt64(UInt32(bitPattern: v)), count: 4)
        case .integer64(let v): return bigEndianBytes(v, count: 8)
        case .byte(let v): return [v]
        case .short(let v): return bigEndianBytes(UInt64(v), count: 2)
        case .ipv4(let a): return a.bytes
        case .ipv6(let a): return a.bytes
        case .ipv4Prefix(let a, let length): return [0, length] + a.bytes
        case .ipv6Prefix(let a, let length):
            // Only the octets the prefix length covers are sent (RFC 3162 2.3).
            let count = (Int(length) + 7) / 8
            return [0, length] + a.bytes.prefix(count)
        case .ifid(let v): return bigEndianBytes(v, count: 8)
        case .ether(let v): return bigEndianBytes(v, count: 6)
        case .tlv(let children):
            var out: [UInt8] = []
            for child in children {
                let value = child.value.encoded
                out.append(UInt8(truncatingIfNeeded: child.number))
                out.append(UInt8(truncatingIfNeeded: value.count + 2))
                out.append(contentsOf: value)
            }
            return out
        }
    }

    /// The value as an unsigned number, for the integer-like types.
    public var unsignedValue: UInt64? {
        switch self {
        case .integer(let v), .date(let v): return UInt64(v)
        case .integer64(let v): return v
        case .byte(let v): return UInt64(v)
        case .short(let v): return UInt64(v)
        case .signed(let v): return UInt64(bitPattern: Int64(v))
        default: return nil
        }
    }
}

@inline(__always)
func bigEndian(_ bytes: some Collection<UInt8>) -> UInt64 {
    var value: UInt64 = 0
    for b in bytes { value = value << 8 | UInt64(b) }
    return value
}

func bigEndianBytes(_ value: UInt64, count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * (count - 1 - $0))) }
}
