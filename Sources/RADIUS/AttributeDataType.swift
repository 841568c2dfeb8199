/// The data type of an attribute, as dictionaries name it (RFC 8044 and FreeRADIUS names).
public enum AttributeDataType: String, Hashable, Sendable, CaseIterable {
    /// UTF-8 text (RFC 8044 "text"; FreeRADIUS "string").
    case string
    /// Opaque octets (RFC 8044 "string"; FreeRADIUS "octets").
    case octets
    case ipaddr
    case ipv4prefix
    case integer
    case integer64
    case date
    case byte
    case short
    case signed
    case ipv6addr
    case ipv6prefix
    case ifid
    case ether
    case tlv
    /// Vendor-Specific (26): vendor attributes inside.
    case vsa
    /// RFC 6929 Extended-Type (241-244).
    case extended
    /// RFC 6929 Long-Extended-Type (245-246), with fragmentation.
    case longExtended = "long-extended"
    /// RFC 6929 Extended-Vendor-Specific (241.26 ... 246.26).
    case evs
    /// Ascend binary filters: kept as octets.
    case abinary
    /// An IPv4 or IPv6 address, told apart by length.
    case comboIP = "combo-ip"

    /// Parses a dictionary type name, accepting the aliases the FreeRADIUS tree uses.
    public init?(dictionaryName: String) {
        let name = dictionaryName.lowercased()
        switch name {
        case "text": self = .string
        case "uint8": self = .byte
        case "uint16": self = .short
        case "uint32": self = .integer
        case "uint64": self = .integer64
        case "int32": self = .signed
        case "ipv4addr": self = .ipaddr
        case "combo-ipaddr": self = .comboIP
        default:
            guard let type = AttributeDataType(rawValue: name) else { return nil }
            self = type
        }
    }

    /// The value length this type requires, if fixed.
    public var fixedLength: Int? {
        switch self {
        case .byte: return 1
        case .short: return 2
        case .integer, .date, .signed, .ipaddr: return 4
        case .integer64, .ifid: return 8
        case .ether: return 6
        case .ipv6addr: return 16
        case .ipv4prefix: return 6
        default: return nil
        }
    }

    /// Whether VALUE names can be given to numbers of this type.
    public var isNumeric: Bool {
        switch self {
        case .byte, .short, .integer, .integer64, .signed, .date: return true
        default: return false
        }
    }

    /// Whether attributes of this type hold other attributes.
    public var isContainer: Bool {
        switch self {
        case .tlv, .vsa, .extended, .longExtended, .evs: return true
        default: return false
        }
    }
}
