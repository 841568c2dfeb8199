/// Acct-Status-Type (RFC 2866 5.1, RFC 2867).
public enum AccountingStatus: Hashable, Sendable {
    case start
    case stop
    case interimUpdate
    case accountingOn
    case accountingOff
    /// Any other value (tunnel events, Failed): recorded, carries no usage.
    case other(UInt32)

    public init(rawValue: UInt32) {
        switch rawValue {
        case 1: self = .start
        case 2: self = .stop
        case 3: self = .interimUpdate
        case 7: self = .accountingOn
        case 8: self = .accountingOff
        default: self = .other(rawValue)
        }
    }

    public var rawValue: UInt32 {
        switch self {
        case .start: return 1
        case .stop: return 2
        case .interimUpdate: return 3
        case .accountingOn: return 7
        case .accountingOff: return 8
        case .other(let value): return value
        }
    }

    /// Whether the packet belongs to one subscriber session (as opposed to the whole NAS).
    public var isSessionEvent: Bool {
        switch self {
        case .start, .stop, .interimUpdate: return true
        default: return false
        }
    }
}

/// One octet counter as a NAS reported it: the 32-bit Octets attribute and, when the NAS
/// sent it, the Gigawords attribute (RFC 2869 5.1, 5.2).
public struct CounterReading: Hashable, Sendable {
    public var octets: UInt32
    public var gigawords: UInt32?

    public init(octets: UInt32, gigawords: UInt32?) {
        self.octets = octets
        self.gigawords = gigawords
    }
}

/// Which session a packet belongs to: the NAS, Acct-Session-Id, User-Name and NAS port, as
/// FreeRADIUS's acct_unique does, so a NAS reusing session ids after a reboot does not merge
/// two sessions.
public struct SessionKey: Hashable, Sendable, Comparable {
    public var tenantID: Int64
    public var nasID: Int64
    public var sessionID: String
    public var userName: String
    /// NAS-Port-Id when sent, else NAS-Port as decimal text, else empty.
    public var nasPort: String

    public init(tenantID: Int64, nasID: Int64, sessionID: String, userName: String, nasPort: String) {
        self.tenantID = tenantID
        self.nasID = nasID
        self.sessionID = sessionID
        self.userName = userName
        self.nasPort = nasPort
    }

    public static func < (a: SessionKey, b: SessionKey) -> Bool {
        (a.tenantID, a.nasID, a.sessionID, a.userName, a.nasPort) < (b.tenantID, b.nasID, b.sessionID, b.userName, b.nasPort)
    }
}

/// An accounting packet reduced to what accounting needs, with owned values.
public struct AccountingRecord: Hashable, Sendable {
    public var tenantID: Int64
    public var nasID: Int64
    public var status: AccountingStatus
    public var sessionID: String
    public var userName: String
    public var nasPort: String
    public var multiSessionID: String?
    public var classValue: [UInt8]?
    public var framedIPAddress: String?
    public var callingStationID: String?
    public var calledStationID: String?
    /// What the subscriber sent: Acct-Input-Octets/Gigawords.
    public var upload: CounterReading?
    /// What the subscriber received: Acct-Output-Octets/Gigawords.
    public var download: CounterReading?
    public var sessionTime: UInt32?
    public var terminateCause: UInt32?
    public var interimInterval: UInt32?
    /// When the event happened, seconds since 1970 UTC (see `EventTime`).
    public var eventTime: Int64
    /// `eventTime` is the NAS's own Event-Timestamp (else it was derived from the receipt time,
    /// which queueing on the way can move by any amount).
    public var eventTimeFromNAS = false
    /// When Tollgate received the packet, microseconds since 1970 UTC.
    public var receivedAt: Int64

    public init(
        tenantID: Int64, nasID: Int64, status: AccountingStatus, sessionID: String = "", userName: String = "",
        nasPort: String = "", eventTime: Int64, receivedAt: Int64
    ) {
        self.tenantID = tenantID
        self.nasID = nasID
        self.status = status
        self.sessionID = sessionID
        self.userName = userName
        self.nasPort = nasPort
        self.eventTime = eventTime
        self.receivedAt = receivedAt
    }

    public var sessionKey: SessionKey {
        SessionKey(tenantID: tenantID, nasID: nasID, sessionID: sessionID, userName: userName, nasPort: nasPort)
    }
}

/// Chooses a packet's event time.
public enum EventTime {
    /// How far in the future an Event-Timestamp may be before it is distrusted.
    public static let maximumClockAhead: Int64 = 300
    /// How far in the past an Event-Timestamp may be before it is distrusted.
    public static let maximumAge: Int64 = 30 * 86_400

    /// Event-Timestamp when present and sane (within 30 days before and 5 minutes after
    /// receipt), otherwise receipt time minus Acct-Delay-Time.
    public static func resolve(eventTimestamp: UInt32?, delay: UInt32?, receivedAtSeconds: Int64) -> Int64 {
        if let stamp = trusted(eventTimestamp: eventTimestamp, receivedAtSeconds: receivedAtSeconds) { return stamp }
        let delay = Int64(min(delay ?? 0, UInt32(maximumAge)))
        return receivedAtSeconds - delay
    }

    /// The Event-Timestamp, when present and sane.
    public static func trusted(eventTimestamp: UInt32?, receivedAtSeconds: Int64) -> Int64? {
        guard let stamp = eventTimestamp.map(Int64.init),
            stamp <= receivedAtSeconds + maximumClockAhead, stamp >= receivedAtSeconds - maximumAge
        else { return nil }
        return stamp
    }
}
