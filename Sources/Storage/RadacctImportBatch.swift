import Accounting
import Foundation
import RadacctImport

/// Imported rows staged for one transaction: the sessions and their hourly usage, in
/// PostgreSQL's binary COPY format.
public struct RadacctImportBatch: Sendable {
    public private(set) var sessions = BinaryCopyRows(reservingCapacity: 1 << 20)
    public private(set) var usage = BinaryCopyRows(reservingCapacity: 1 << 20)
    /// The quirks of each staged row, by its position in the batch.
    public private(set) var quirks: [[RadacctQuirk]] = []
    public init() {}

    public var count: Int { quirks.count }

    /// Stages `record` (read at source position `position`) as a session of NAS `nasID`, with its hourly usage.
    public mutating func append(_ record: RadacctRecord, nasID: Int64, tenantID: Int64, position: Int64) {
        let ord = Int32(quirks.count)
        quirks.append(record.quirks)
        sessions.startRow(columns: 19)
        sessions.append(ord)
        sessions.append(position)
        sessions.append(Self.text(record.key))
        sessions.append(nasID)
        sessions.append(Self.text(record.sessionID))
        sessions.append(Self.text(record.userName))
        sessions.append(Self.text(record.nasPort))
        sessions.appendTimestamp(seconds: record.start)
        sessions.appendTimestamp(seconds: record.end)
        sessions.appendTimestamp(seconds: record.stop)
        sessions.append(Int64(clamping: record.upload))
        sessions.append(Int64(clamping: record.download))
        sessions.append(Int64(clamping: record.sessionSeconds))
        sessions.append(record.terminateCause.map(Int64.init))
        sessions.append(record.interimInterval.map(Int64.init))
        // Only a real address reaches the inet cast.
        sessions.append(record.framedAddress.flatMap { RadacctNASMap.octets($0) == nil ? nil : $0 })
        sessions.append(record.callingStation.map(Self.text))
        sessions.append(record.calledStation.map(Self.text))
        sessions.appendBytes(record.classValue.map(Self.classOctets))
        for delta in record.usage(tenantID: tenantID) where delta.uploadBytes > 0 || delta.downloadBytes > 0 || delta.sessionSeconds > 0 {
            usage.startRow(columns: 5)
            usage.append(ord)
            usage.appendTimestamp(seconds: delta.hour)
            usage.append(Int64(clamping: delta.uploadBytes))
            usage.append(Int64(clamping: delta.downloadBytes))
            usage.append(Int64(clamping: delta.sessionSeconds))
        }
    }

    /// Both COPY streams, with their trailers.
    mutating func finished() -> (sessions: [UInt8], usage: [UInt8]) {
        (sessions.finish(), usage.finish())
    }

    /// Text PostgreSQL accepts (no NUL, valid UTF-8).
    private static func text(_ value: String) -> String {
        value.utf8.contains(0) ? String(TextRepair.sanitized(Array(value.utf8))) : value
    }

    /// FreeRADIUS writes Class as `0x` and hex: its octets; anything else as written.
    private static func classOctets(_ text: String) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 4, utf8.count % 2 == 0, utf8[0] == 0x30, utf8[1] == 0x78 || utf8[1] == 0x58 else { return utf8 }
        var octets: [UInt8] = []
        octets.reserveCapacity(utf8.count / 2 - 1)
        var index = 2
        while index < utf8.count {
            guard let high = hex(utf8[index]), let low = hex(utf8[index + 1]) else { return utf8 }
            octets.append(high << 4 | low)
            index += 2
        }
        return octets
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}
