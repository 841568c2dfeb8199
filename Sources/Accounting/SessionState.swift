/// How a session ended.
public enum CloseReason: String, Hashable, Sendable {
    /// An Accounting-Request Stop.
    case stop
    /// Accounting-On or Accounting-Off from its NAS (cause NAS-Reboot).
    case nasReboot = "nas-reboot"
    /// No update for longer than the stale timeout.
    case stale
    /// The NAS began the same session key anew (a Start later than every event of this
    /// open session) without sending a Stop: closed at its last event.
    case superseded
}

/// A session as stored: cumulative counters (the highest seen) and its times.
public struct SessionState: Hashable, Sendable {
    /// False for a session the database has just created for this batch.
    public var hasEvents: Bool
    /// A Start of this session has been seen (it may have been created by an Interim-Update).
    public var sawStart: Bool
    public var uploadBytes: UInt64
    public var downloadBytes: UInt64
    public var sessionSeconds: UInt64
    /// Event time of the Start, or of the first packet seen when there was no Start.
    public var startedAt: Int64?
    /// Event time of the latest packet that moved the counters forward or opened the session.
    public var lastEventAt: Int64?
    public var stoppedAt: Int64?
    public var closeReason: CloseReason?
    public var terminateCause: UInt32?
    public var interimInterval: UInt32?
    public var multiSessionID: String?
    public var classValue: [UInt8]?
    public var framedIPAddress: String?
    public var callingStationID: String?
    public var calledStationID: String?

    public init(
        hasEvents: Bool = false, sawStart: Bool = false, uploadBytes: UInt64 = 0, downloadBytes: UInt64 = 0, sessionSeconds: UInt64 = 0,
        startedAt: Int64? = nil, lastEventAt: Int64? = nil, stoppedAt: Int64? = nil, closeReason: CloseReason? = nil,
        terminateCause: UInt32? = nil, interimInterval: UInt32? = nil
    ) {
        self.hasEvents = hasEvents
        self.sawStart = sawStart
        self.uploadBytes = uploadBytes
        self.downloadBytes = downloadBytes
        self.sessionSeconds = sessionSeconds
        self.startedAt = startedAt
        self.lastEventAt = lastEventAt
        self.stoppedAt = stoppedAt
        self.closeReason = closeReason
        self.terminateCause = terminateCause
        self.interimInterval = interimInterval
    }

    public var isOpen: Bool { stoppedAt == nil }
}

/// Usage to add to one hourly bucket of one subscriber.
public struct UsageDelta: Hashable, Sendable {
    public var tenantID: Int64
    public var subscriber: String
    /// Start of the hour, seconds since 1970 UTC (a multiple of 3600).
    public var hour: Int64
    public var uploadBytes: UInt64
    public var downloadBytes: UInt64
    public var sessionSeconds: UInt64

    public init(tenantID: Int64, subscriber: String, hour: Int64, uploadBytes: UInt64, downloadBytes: UInt64, sessionSeconds: UInt64) {
        self.tenantID = tenantID
        self.subscriber = subscriber
        self.hour = hour
        self.uploadBytes = uploadBytes
        self.downloadBytes = downloadBytes
        self.sessionSeconds = sessionSeconds
    }
}
