/// The UDP datagrams of a classic libpcap capture (Ethernet or Linux cooked link types,
/// IPv4 or IPv6, with or without one VLAN tag): enough to replay captured RADIUS.
public struct PcapFile {
    public struct Datagram: Hashable, Sendable {
        public var sourcePort: UInt16
        public var destinationPort: UInt16
        public var payload: [UInt8]
    }

    public struct FormatError: Error, CustomStringConvertible {
        public var description: String
    }

    public private(set) var datagrams: [Datagram] = []

    public init(_ bytes: [UInt8]) throws {
        guard bytes.count >= 24 else { throw FormatError(description: "shorter than a pcap header") }
        let magic = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        let little: Bool
        switch magic {
        case 0xa1b2_c3d4, 0xa1b2_3c4d: little = true
        case 0xd4c3_b2a1, 0x4d3c_b2a1: little = false
        default: throw FormatError(description: "not a classic pcap file (magic \(String(magic, radix: 16)))")
        }
        func u32(_ at: Int) -> Int {
            let b = bytes[at..<at + 4].map(Int.init)
            return little ? b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24 : b[3] | b[2] << 8 | b[1] << 16 | b[0] << 24
        }
        let linkType = u32(20)
        var offset = 24
        while offset + 16 <= bytes.count {
            let captured = u32(offset + 8)
            let start = offset + 16
            guard start + captured <= bytes.count else { throw FormatError(description: "record at \(offset) runs past the end") }
            if let datagram = Self.udp(Array(bytes[start..<start + captured]), linkType: linkType) { datagrams.append(datagram) }
            offset = start + captured
        }
    }

    private static func udp(_ frame: [UInt8], linkType: Int) -> Datagram? {
        func u16(_ at: Int) -> Int { Int(frame[at]) << 8 | Int(frame[at + 1]) }
        var at: Int
        var etherType: Int
        switch linkType {
        case 1: // Ethernet
            guard frame.count >= 14 else { return nil }
            etherType = u16(12)
            at = 14
            if etherType == 0x8100, frame.count >= 18 {
                etherType = u16(16)
                at = 18
            }
        case 113: // Linux cooked capture
            guard frame.count >= 16 else { return nil }
            etherType = u16(14)
            at = 16
        default:
            return nil
        }
        let udpStart: Int
        switch etherType {
        case 0x0800:
            guard frame.count >= at + 20, frame[at + 9] == 17 else { return nil }
            udpStart = at + Int(frame[at] & 0x0f) * 4
        case 0x86dd:
            guard frame.count >= at + 40, frame[at + 6] == 17 else { return nil }
            udpStart = at + 40
        default:
            return nil
        }
        guard frame.count >= udpStart + 8 else { return nil }
        let length = u16(udpStart + 4)
        guard length >= 8, udpStart + length <= frame.count else { return nil }
        return Datagram(
            sourcePort: UInt16(u16(udpStart)), destinationPort: UInt16(u16(udpStart + 2)),
            payload: Array(frame[udpStart + 8..<udpStart + length]))
    }
}
