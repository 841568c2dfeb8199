/// The RFC 2866/2869 attributes an accounting collector reads, gathered in one pass over a
/// packet without allocating: numbers are read, text is kept as ranges into the packet.
public struct AccountingFields: Hashable, Sendable {
    /// Acct-Status-Type (40): 1 Start, 2 Stop, 3 Interim-Update, 7 Accounting-On, 8 Accounting-Off.
    public var statusType: UInt32?
    public var userName: Range<Int>?
    public var sessionID: Range<Int>?
    public var multiSessionID: Range<Int>?
    public var nasIdentifier: Range<Int>?
    public var nasPortID: Range<Int>?
    public var callingStationID: Range<Int>?
    public var calledStationID: Range<Int>?
    public var classValue: Range<Int>?
    public var nasIPAddress: UInt32?
    public var framedIPAddress: UInt32?
    public var nasPort: UInt32?
    public var nasPortType: UInt32?
    public var inputOctets: UInt32?
    public var outputOctets: UInt32?
    public var inputGigawords: UInt32?
    public var outputGigawords: UInt32?
    public var inputPackets: UInt32?
    public var outputPackets: UInt32?
    public var sessionTime: UInt32?
    public var delayTime: UInt32?
    public var eventTimestamp: UInt32?
    public var terminateCause: UInt32?
    public var interimInterval: UInt32?
    /// Attributes whose value length is wrong for their type (RFC 6929 2.8: treated as absent).
    public var malformedCount = 0

    public init() {}

    /// Reads the fields of `packet` in one pass. The first occurrence of each attribute wins.
    public init(_ packet: RADIUSPacket) {
        self.init()
        let bytes = packet.bytes
        var offset = RADIUSPacket.headerLength
        let end = bytes.count
        var malformed = 0
        defer { malformedCount = malformed }
        while offset < end {
            let type = bytes[offset]
            let length = Int(bytes[offset + 1])
            let value = (offset + 2)..<(offset + length)
            switch type {
            case 1: if userName == nil { userName = value }
            case 4: if nasIPAddress == nil { nasIPAddress = Self.number(value, bytes, &malformed) }
            case 5: if nasPort == nil { nasPort = Self.number(value, bytes, &malformed) }
            case 8: if framedIPAddress == nil { framedIPAddress = Self.number(value, bytes, &malformed) }
            case 25: if classValue == nil { classValue = value }
            case 30: if calledStationID == nil { calledStationID = value }
            case 31: if callingStationID == nil { callingStationID = value }
            case 32: if nasIdentifier == nil { nasIdentifier = value }
            case 40: if statusType == nil { statusType = Self.number(value, bytes, &malformed) }
            case 41: if delayTime == nil { delayTime = Self.number(value, bytes, &malformed) }
            case 42: if inputOctets == nil { inputOctets = Self.number(value, bytes, &malformed) }
            case 43: if outputOctets == nil { outputOctets = Self.number(value, bytes, &malformed) }
            case 44: if sessionID == nil { sessionID = value }
            case 46: if sessionTime == nil { sessionTime = Self.number(value, bytes, &malformed) }
            case 47: if inputPackets == nil { inputPackets = Self.number(value, bytes, &malformed) }
            case 48: if outputPackets == nil { outputPackets = Self.number(value, bytes, &malformed) }
            case 49: if terminateCause == nil { terminateCause = Self.number(value, bytes, &malformed) }
            case 50: if multiSessionID == nil { multiSessionID = value }
            case 52: if inputGigawords == nil { inputGigawords = Self.number(value, bytes, &malformed) }
            case 53: if outputGigawords == nil { outputGigawords = Self.number(value, bytes, &malformed) }
            case 55: if eventTimestamp == nil { eventTimestamp = Self.number(value, bytes, &malformed) }
            case 61: if nasPortType == nil { nasPortType = Self.number(value, bytes, &malformed) }
            case 85: if interimInterval == nil { interimInterval = Self.number(value, bytes, &malformed) }
            case 87: if nasPortID == nil { nasPortID = value }
            default: break
            }
            offset += length
        }
    }

    @inline(__always)
    private static func number(_ value: Range<Int>, _ bytes: [UInt8], _ malformed: inout Int) -> UInt32? {
        guard value.count == 4 else {
            malformed += 1
            return nil
        }
        let o = value.lowerBound
        return UInt32(bytes[o]) << 24 | UInt32(bytes[o + 1]) << 16 | UInt32(bytes[o + 2]) << 8 | UInt32(bytes[o + 3])
    }

    /// Octets the subscriber sent (upload): Acct-Input-Gigawords * 2^32 + Acct-Input-Octets.
    public var uploadOctets: UInt64? {
        guard inputOctets != nil || inputGigawords != nil else { return nil }
        return UInt64(inputGigawords ?? 0) << 32 | UInt64(inputOctets ?? 0)
    }

    /// Octets the subscriber received (download): Acct-Output-Gigawords * 2^32 + Acct-Output-Octets.
    public var downloadOctets: UInt64? {
        guard outputOctets != nil || outputGigawords != nil else { return nil }
        return UInt64(outputGigawords ?? 0) << 32 | UInt64(outputOctets ?? 0)
    }
}
