import Foundation
import Storage

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of spool records.
public enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        var crc = ~previous
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }

    public static func checksum(_ bytes: [UInt8], continuing previous: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: previous) }
    }
}

/// One accepted accounting packet as the spool keeps it: the datagram and what the
/// collector knew when it accepted it. Replaying it derives the same accounting record.
public struct SpooledPacket: Hashable, Sendable {
    public var tenantID: Int64
    public var nasID: Int64
    /// Receipt time, microseconds since 1970 UTC.
    public var receivedAt: Int64
    /// Whether the raw packet goes to the audit table.
    public var keepRaw: Bool
    public var datagram: [UInt8]

    public init(tenantID: Int64, nasID: Int64, receivedAt: Int64, keepRaw: Bool, datagram: [UInt8]) {
        self.tenantID = tenantID
        self.nasID = nasID
        self.receivedAt = receivedAt
        self.keepRaw = keepRaw
        self.datagram = datagram
    }
}

/// What a segment header says: the spool the segment belongs to and the database its
/// records are for.
public struct SegmentHeader: Hashable, Sendable {
    /// Names the spool's replay position in `spool_progress`.
    public var spoolID: UUID
    public var database: DatabaseIdentity

    public init(spoolID: UUID, database: DatabaseIdentity) {
        self.spoolID = spoolID
        self.database = database
    }
}

/// The on-disk form of spool segments and records.
///
/// A segment written since identities are recorded starts with a segment header naming
/// the database its records are for and the spool they belong to:
///
///     magic "TGSH" | body length u32 | CRC-32C u32 of the body | body
///     body: version u8 (1) | spool id (16) | installation id (16) | cluster system
///           identifier i64 | database name length u8 | database name (UTF-8)
///
/// A segment that starts with a record instead ("TGS1") was written before that: it has no
/// identity. Records are the same in both.
///
/// A record is a 20-octet header, then its payload:
///
///     magic "TGS1" | payload length u32 | sequence u64 | CRC-32C u32 of sequence and payload
///
/// all big-endian. The payload is the packet count (u32), then per packet: tenant id,
/// NAS id and receipt time (i64 each), flags (u8; bit 0: keep the raw packet), the datagram's
/// length (u16) and the datagram. A record is one committed batch: written with one write
/// and made durable with fdatasync before any of its packets is answered.
public enum SpoolFormat {
    public static let magic: [UInt8] = Array("TGS1".utf8)
    public static let segmentMagic: [UInt8] = Array("TGSH".utf8)
    /// Longest segment header: the fixed part and a 255-octet name.
    public static let maximumSegmentHeader = 12 + 42 + 255
    public static let headerLength = 20
    /// Largest payload a reader accepts: 100,000 packets of 4,096 octets and their fields.
    public static let maximumPayload = 100_000 * (4096 + 27) + 4

    public static func encode(sequence: Int64, packets: [SpooledPacket]) -> [UInt8] {
        var payload: [UInt8] = []
        payload.reserveCapacity(4 + packets.reduce(0) { $0 + 27 + $1.datagram.count })
        append(UInt32(packets.count), to: &payload)
        for packet in packets {
            append(UInt64(bitPattern: packet.tenantID), to: &payload)
            append(UInt64(bitPattern: packet.nasID), to: &payload)
            append(UInt64(bitPattern: packet.receivedAt), to: &payload)
            payload.append(packet.keepRaw ? 1 : 0)
            append(UInt16(packet.datagram.count), to: &payload)
            payload += packet.datagram
        }
        var sequenceBytes: [UInt8] = []
        append(UInt64(bitPattern: sequence), to: &sequenceBytes)
        let crc = CRC32C.checksum(payload, continuing: CRC32C.checksum(sequenceBytes))
        var record = magic
        record.reserveCapacity(headerLength + payload.count)
        append(UInt32(payload.count), to: &record)
        record += sequenceBytes
        append(crc, to: &record)
        record += payload
        return record
    }

    /// The header that starts a segment.
    public static func encodeSegmentHeader(_ header: SegmentHeader) -> [UInt8] {
        var body: [UInt8] = [1]
        body += uuidBytes(header.spoolID)
        body += uuidBytes(header.database.installationID)
        append(UInt64(bitPattern: header.database.systemIdentifier), to: &body)
        let name = Array(header.database.databaseName.utf8.prefix(255))
        body.append(UInt8(name.count))
        body += name
        var bytes = segmentMagic
        append(UInt32(body.count), to: &bytes)
        append(CRC32C.checksum(body), to: &bytes)
        return bytes + body
    }

    /// What the first octets of a segment say about it.
    public enum SegmentStart: Equatable, Sendable {
        /// A segment header of `length` octets; records follow it.
        case header(SegmentHeader, length: Int)
        /// A record right at the start: a segment from before identities were recorded.
        case legacy
        /// Nothing at all (a crash between creating the file and writing its header).
        case empty
        /// Neither a header nor a record, or a damaged header: whose records follow is unknown.
        case unreadable(String)
    }

    /// Reads the start of a segment (`bytes`: its first `maximumSegmentHeader` octets or all of it).
    public static func decodeSegmentStart(_ bytes: [UInt8]) -> SegmentStart {
        if bytes.isEmpty { return .empty }
        if bytes.count >= 4, Array(bytes[0..<4]) == magic { return .legacy }
        guard bytes.count >= 12, Array(bytes[0..<4]) == segmentMagic else {
            return .unreadable(
                bytes.count < 12 && segmentMagic.starts(with: bytes.prefix(4)) ? "segment header cut short" : "no segment header (magic)")
        }
        return bytes.withUnsafeBytes { raw -> SegmentStart in
            let length = Int(read32(raw, 4))
            guard length >= 42, 12 + length <= bytes.count else { return .unreadable("segment header length \(length) out of range or cut short") }
            let body = UnsafeRawBufferPointer(rebasing: raw[12..<(12 + length)])
            guard CRC32C.checksum(body) == read32(raw, 8) else { return .unreadable("segment header checksum mismatch") }
            guard body[0] == 1 else { return .unreadable("segment header version \(body[0]) is newer than this build: upgrade tollgate") }
            let nameLength = Int(body[41])
            guard 42 + nameLength == length else { return .unreadable("segment header name length \(nameLength) does not fit") }
            guard let name = String(validating: Array(body[42..<length]), as: UTF8.self) else {
                return .unreadable("segment header database name is not UTF-8")
            }
            let database = DatabaseIdentity(
                installationID: uuid(body, 17), systemIdentifier: Int64(bitPattern: read64(body, 33)),
                databaseName: name)
            return .header(SegmentHeader(spoolID: uuid(body, 1), database: database), length: 12 + length)
        }
    }

    private static func uuidBytes(_ id: UUID) -> [UInt8] {
        withUnsafeBytes(of: id.uuid) { Array($0) }
    }

    private static func uuid(_ b: UnsafeRawBufferPointer, _ at: Int) -> UUID {
        var value = UUID().uuid
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: b[at..<(at + 16)])) }
        return UUID(uuid: value)
    }

    /// What a reader finds at an offset of a segment.
    public enum Decoded: Equatable, Sendable {
        /// A whole, intact record of `length` octets.
        case record(sequence: Int64, packets: [SpooledPacket], length: Int)
        /// Fewer octets than a header, or than the header's payload length, remain.
        case incomplete
        /// The header is not a record header: nothing after it can be framed.
        case unframed(String)
        /// A framed record whose checksum or contents are wrong; `length` octets to skip.
        case corrupt(String, length: Int)
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Decoded {
        guard bytes.count >= headerLength else { return .incomplete }
        guard bytes[0] == magic[0], bytes[1] == magic[1], bytes[2] == magic[2], bytes[3] == magic[3] else {
            return .unframed("no record header (magic)")
        }
        let length = Int(read32(bytes, 4))
        guard length >= 4, length <= maximumPayload else { return .unframed("payload length \(length) out of range") }
        guard bytes.count >= headerLength + length else { return .incomplete }
        let sequence = Int64(bitPattern: read64(bytes, 8))
        let stored = read32(bytes, 16)
        let computed = CRC32C.checksum(
            UnsafeRawBufferPointer(rebasing: bytes[headerLength..<(headerLength + length)]),
            continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[8..<16])))
        let total = headerLength + length
        guard stored == computed else { return .corrupt("checksum mismatch in record \(sequence)", length: total) }
        var offset = headerLength
        let end = total
        let count = Int(read32(bytes, offset))
        offset += 4
        var packets: [SpooledPacket] = []
        packets.reserveCapacity(min(count, 100_000))
        for _ in 0..<count {
            guard offset + 27 <= end else { return .corrupt("record \(sequence) ends inside a packet header", length: total) }
            let tenantID = Int64(bitPattern: read64(bytes, offset))
            let nasID = Int64(bitPattern: read64(bytes, offset + 8))
            let receivedAt = Int64(bitPattern: read64(bytes, offset + 16))
            let flags = bytes[offset + 24]
            let datagramLength = Int(read16(bytes, offset + 25))
            offset += 27
            guard offset + datagramLength <= end else { return .corrupt("record \(sequence) ends inside a datagram", length: total) }
            packets.append(
                SpooledPacket(
                    tenantID: tenantID, nasID: nasID, receivedAt: receivedAt, keepRaw: flags & 1 != 0,
                    datagram: Array(bytes[offset..<(offset + datagramLength)])))
            offset += datagramLength
        }
        guard offset == end else { return .corrupt("record \(sequence) has \(end - offset) octets after its packets", length: total) }
        return .record(sequence: sequence, packets: packets, length: total)
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes += $0 }
    }

    private static func read16(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt16 { UInt16(b[at]) << 8 | UInt16(b[at + 1]) }
    private static func read32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }
    private static func read64(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
        UInt64(read32(b, at)) << 32 | UInt64(read32(b, at + 4))
    }
}
