import RADIUS
import Storage

/// A logged accounting packet as the drill-down shows it: its status type, the cumulative
/// counters it reported, when and from which NAS it came, and every attribute decoded.
/// (Names differ from the session's on the same page: Mustache looks a missing value up in
/// the enclosing page, so a packet without counters must not show the session's.)
struct PacketView {
    struct Attribute {
        var name: String
        var value: String
    }

    var index: Int
    var receivedAt: String
    var receivedAtValue: String
    var nas: String
    var statusType: String
    /// Acct-Input-Gigawords x 2^32 + Acct-Input-Octets: what the subscriber sent so far.
    var uploadCounter: String?
    var uploadCounterValue: String?
    /// Acct-Output-Gigawords x 2^32 + Acct-Output-Octets: what the subscriber received so far.
    var downloadCounter: String?
    var downloadCounterValue: String?
    var sessionTime: String?
    var eventTimestamp: String?
    var attributes: [Attribute]
    var attributeCount: Int
    /// NAS-Port-Id when sent, else NAS-Port as decimal text, else empty: the session key's port.
    var nasPort: String

    /// Nil for bytes that are not a RADIUS packet (the log keeps what came; the page says so).
    init?(_ logged: TrailPacket, index: Int, nas: String, dictionary: RADIUSDictionary) {
        guard let packet = try? RADIUSPacket(decoding: logged.packet) else { return nil }
        let fields = AccountingFields(packet)
        self.index = index
        receivedAt = BillingPresentation.instant(microseconds: logged.receivedAt)
        receivedAtValue = String(logged.receivedAt)
        self.nas = nas
        let status = fields.statusType ?? logged.statusType.map { UInt32(truncatingIfNeeded: $0) }
        statusType = status.map { value in Self.statusNames[value].map { "\($0) (\(value))" } ?? String(value) } ?? "none"
        let up = fields.inputOctets.map { UInt64(fields.inputGigawords ?? 0) << 32 | UInt64($0) }
        let down = fields.outputOctets.map { UInt64(fields.outputGigawords ?? 0) << 32 | UInt64($0) }
        uploadCounter = up.map { BillingPresentation.bytes(Int64(clamping: $0)) }
        uploadCounterValue = up.map { String($0) }
        downloadCounter = down.map { BillingPresentation.bytes(Int64(clamping: $0)) }
        downloadCounterValue = down.map { String($0) }
        sessionTime = fields.sessionTime.map { String($0) }
        eventTimestamp = fields.eventTimestamp.map { PacketDescription.formatDate($0) }
        attributes = packet.decodeAttributes(dictionary: dictionary).map {
            Attribute(name: $0.name, value: PacketDescription.format($0.value, definitionIndex: $0.definitionIndex, dictionary: dictionary))
        }
        attributeCount = attributes.count
        // As the collector keys sessions (and the writer cleans the key).
        nasPort = SanitizedKey.clean(
            fields.nasPortID.map { String(decoding: packet.bytes[$0], as: UTF8.self) } ?? fields.nasPort.map { String($0) } ?? "")
    }

    static let statusNames: [UInt32: String] = [1: "Start", 2: "Stop", 3: "Interim-Update", 7: "Accounting-On", 8: "Accounting-Off"]
}
