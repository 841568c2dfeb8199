/// One subscriber session as a NAS reports it: its identity and the accounting events it sends.
///
/// Events go out in array order; unless the session is `pipelined`, each waits for the
/// previous one to be answered (or given up), as a NAS does. To make a collector see events
/// out of order, write them out of order: the expected totals use the highest counters of the
/// script, which is what a collector keeping cumulative counters must end up with.
public struct SimulatedSession: Hashable, Sendable {
    /// User-Name (1).
    public var userName: String
    /// Acct-Session-Id (44).
    public var sessionID: String
    /// NAS-Port (5); absent when nil.
    public var nasPort: UInt32?
    /// NAS-Port-Id (87); absent when nil.
    public var nasPortID: String?
    /// NAS-Port-Type (61); default 15 (Ethernet); absent when nil.
    public var nasPortType: UInt32? = 15
    /// Framed-IP-Address (8); absent when nil.
    public var framedIPAddress: UInt32?
    /// Calling-Station-Id (31), usually the subscriber's MAC address; absent when nil.
    public var callingStationID: String?
    /// Acct-Multi-Session-Id (50); absent when nil.
    public var multiSessionID: String?
    /// Class (25), as returned in the Access-Accept; absent when nil.
    public var classValue: [UInt8]?
    /// Encoded attributes appended to every packet of the session (vendor attributes and the like).
    public var additionalAttributes: [UInt8] = []
    /// How counters above 2^32 are encoded; default `.always` (Gigawords in every Interim and Stop).
    public var gigawords: GigawordsMode = .always
    /// Sends every event without waiting for the previous one's answer (to provoke in-flight
    /// reordering and concurrent updates of one session); default false.
    public var pipelined = false
    /// The script: sent in this order.
    public var events: [SessionEvent]

    public init(
        userName: String, sessionID: String, nasPort: UInt32? = nil, nasPortID: String? = nil,
        framedIPAddress: UInt32? = nil, callingStationID: String? = nil, events: [SessionEvent] = []
    ) {
        self.userName = userName
        self.sessionID = sessionID
        self.nasPort = nasPort
        self.nasPortID = nasPortID
        self.framedIPAddress = framedIPAddress
        self.callingStationID = callingStationID
        self.events = events
    }

    /// A session with a regular script: Start, `interims` Interim-Updates every
    /// `interimInterval` seconds, and a Stop one interval after the last interim, with the
    /// counters growing by `uploadPerInterval` / `downloadPerInterval` each interval.
    ///
    /// With `startTime` (Unix seconds) every event carries an explicit Event-Timestamp of
    /// `startTime + k * interimInterval`; without, each carries the time it is first sent.
    public static func regular(
        userName: String, sessionID: String, nasPort: UInt32? = nil, nasPortID: String? = nil,
        framedIPAddress: UInt32? = nil, startTime: UInt32? = nil, interimInterval: UInt32 = 300,
        interims: Int, uploadPerInterval: UInt64, downloadPerInterval: UInt64,
        terminateCause: UInt32 = TerminateCause.userRequest
    ) -> SimulatedSession {
        func time(_ k: Int) -> EventTimestamp {
            guard let startTime else { return .now }
            return .at(startTime &+ UInt32(truncatingIfNeeded: k) &* interimInterval)
        }
        var events: [SessionEvent] = [.start(at: time(0))]
        events.reserveCapacity(interims + 2)
        for k in 1...(interims + 1) {
            let upload = uploadPerInterval * UInt64(k)
            let download = downloadPerInterval * UInt64(k)
            let sessionTime = UInt32(truncatingIfNeeded: k) &* interimInterval
            if k <= interims {
                events.append(.interim(upload: upload, download: download, sessionTime: sessionTime, at: time(k)))
            } else {
                events.append(.stop(upload: upload, download: download, sessionTime: sessionTime, cause: terminateCause, at: time(k)))
            }
        }
        return SimulatedSession(
            userName: userName, sessionID: sessionID, nasPort: nasPort, nasPortID: nasPortID,
            framedIPAddress: framedIPAddress, events: events)
    }

    /// The highest upload and download counters of the script: what a collector must hold
    /// for this session once every event arrived, whatever their order. Zero when no event
    /// carries counters.
    public var finalCounters: (upload: UInt64, download: UInt64) {
        var upload: UInt64 = 0
        var download: UInt64 = 0
        for event in events {
            if let u = event.upload { upload = max(upload, u) }
            if let d = event.download { download = max(download, d) }
        }
        return (upload, download)
    }
}

/// How a NAS encodes octet counters that exceed 32 bits.
public enum GigawordsMode: Hashable, Sendable {
    /// Acct-Input/Output-Gigawords in every packet that carries counters, zero included.
    case always
    /// Gigawords only when the counter is 2^32 or more.
    case whenNeeded
    /// No Gigawords: the octet counters wrap at 2^32, like an old 32-bit NAS.
    case never
}

/// What a simulated packet says of when its event happened: its Event-Timestamp (55), or none.
public enum EventTimestamp: Hashable, Sendable {
    /// Event-Timestamp is the wall-clock time the packet is first sent.
    case now
    /// Event-Timestamp is this Unix time (seconds).
    case at(UInt32)
    /// No Event-Timestamp; the packet carries Acct-Delay-Time (0 unless the event sets one),
    /// so the collector derives the time from receipt.
    case absent
}

/// One accounting event of a session.
public struct SessionEvent: Hashable, Sendable {
    /// The Acct-Status-Type of a session event.
    public enum Kind: UInt32, Hashable, Sendable {
        case start = 1
        case stop = 2
        case interimUpdate = 3
    }

    public var kind: Kind
    /// Cumulative octets the subscriber sent (Acct-Input-Octets/-Gigawords); absent when nil.
    public var upload: UInt64?
    /// Cumulative octets the subscriber received (Acct-Output-Octets/-Gigawords); absent when nil.
    public var download: UInt64?
    /// Acct-Input-Packets (47); absent when nil.
    public var inputPackets: UInt32?
    /// Acct-Output-Packets (48); absent when nil.
    public var outputPackets: UInt32?
    /// Acct-Session-Time (46); absent when nil.
    public var sessionTime: UInt32?
    /// Acct-Terminate-Cause (49); absent when nil (meaningful on Stop).
    public var terminateCause: UInt32?
    /// Event-Timestamp (55).
    public var time: EventTimestamp
    /// Acct-Delay-Time (41); absent when nil, except that `.absent` time sends 0.
    public var delayTime: UInt32?
    /// Extra copies to send, for testing duplicate detection.
    public var duplicates: [Duplicate] = []
    /// Encoded attributes appended to this event's packet.
    public var additionalAttributes: [UInt8] = []

    public init(
        kind: Kind, upload: UInt64? = nil, download: UInt64? = nil, sessionTime: UInt32? = nil,
        terminateCause: UInt32? = nil, time: EventTimestamp = .now, delayTime: UInt32? = nil,
        duplicates: [Duplicate] = []
    ) {
        self.kind = kind
        self.upload = upload
        self.download = download
        self.sessionTime = sessionTime
        self.terminateCause = terminateCause
        self.time = time
        self.delayTime = delayTime
        self.duplicates = duplicates
    }

    public static func start(at time: EventTimestamp = .now, delayTime: UInt32? = nil) -> SessionEvent {
        SessionEvent(kind: .start, sessionTime: 0, time: time, delayTime: delayTime)
    }

    public static func interim(
        upload: UInt64, download: UInt64, sessionTime: UInt32? = nil, at time: EventTimestamp = .now, delayTime: UInt32? = nil
    ) -> SessionEvent {
        SessionEvent(kind: .interimUpdate, upload: upload, download: download, sessionTime: sessionTime, time: time, delayTime: delayTime)
    }

    /// A Stop; pass nil counters for a Stop without counters.
    public static func stop(
        upload: UInt64?, download: UInt64?, sessionTime: UInt32? = nil,
        cause: UInt32 = TerminateCause.userRequest, at time: EventTimestamp = .now, delayTime: UInt32? = nil
    ) -> SessionEvent {
        SessionEvent(
            kind: .stop, upload: upload, download: download, sessionTime: sessionTime,
            terminateCause: cause, time: time, delayTime: delayTime)
    }

    /// This event with an extra copy sent as `duplicate` describes.
    public func duplicated(_ duplicate: Duplicate) -> SessionEvent {
        var copy = self
        copy.duplicates.append(duplicate)
        return copy
    }

    /// This event with Acct-Input-Packets and Acct-Output-Packets.
    public func with(inputPackets: UInt32, outputPackets: UInt32) -> SessionEvent {
        var copy = self
        copy.inputPackets = inputPackets
        copy.outputPackets = outputPackets
        return copy
    }

    /// Copies of an event a test asks for, beyond what retransmission sends.
    public enum Duplicate: Hashable, Sendable {
        /// The identical datagram (same Identifier and authenticator) sent again right after
        /// the original, before any answer.
        case identical
        /// The same event as a new request: new Identifier, the same Event-Timestamp, and
        /// Acct-Delay-Time increased by `addedDelay` seconds, as a NAS does when it gives up
        /// on an answer and re-queues the record. Sent after the original is answered, or
        /// right after the original when `immediately` is set.
        case newIdentifier(addedDelay: UInt32 = 5, immediately: Bool = false)
    }
}

/// Acct-Terminate-Cause values (RFC 2866 section 5.10).
public enum TerminateCause {
    public static let userRequest: UInt32 = 1
    public static let lostCarrier: UInt32 = 2
    public static let lostService: UInt32 = 3
    public static let idleTimeout: UInt32 = 4
    public static let sessionTimeout: UInt32 = 5
    public static let adminReset: UInt32 = 6
    public static let adminReboot: UInt32 = 7
    public static let portError: UInt32 = 8
    public static let nasError: UInt32 = 9
    public static let nasRequest: UInt32 = 10
    public static let nasReboot: UInt32 = 11
}
