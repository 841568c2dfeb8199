import Accounting
import Foundation

/// One radacct row as a session: its key, NAS, times, counters, and what was odd about it.
public struct RadacctRecord: Sendable, Equatable {
    /// What makes the row the same row when imported again: AcctUniqueId, or `radacctid:N`
    /// when it has none, or its session attributes and start when it has neither.
    public var key: String
    public var radacctID: Int64?
    public var sessionID: String
    public var userName: String
    /// NASIPAddress as written (may be `0.0.0.0`).
    public var nasAddress: String
    public var nasIdentifier: String?
    /// NAS-Port-Id (FreeRADIUS writes NAS-Port-Id, else NAS-Port, into it, as Tollgate keys sessions).
    public var nasPort: String
    /// Seconds since 1970 UTC.
    public var start: Int64
    /// The end of the span usage is spread over: stop, or the last update of an open session.
    public var end: Int64
    /// Nil for a session still open in radacct.
    public var stop: Int64?
    public var sessionSeconds: UInt64
    /// Octets (Gigawords folded in): upload is Acct-Input, download Acct-Output.
    public var upload: UInt64
    public var download: UInt64
    public var terminateCause: UInt32?
    public var interimInterval: UInt32?
    public var framedAddress: String?
    public var callingStation: String?
    public var calledStation: String?
    public var classValue: String?
    public var quirks: [RadacctQuirk]

    /// The hourly usage of the session: its octets and seconds spread uniformly over
    /// start to end, split at hour boundaries with live accounting's cumulative floors.
    public func usage(tenantID: Int64) -> [UsageDelta] {
        SessionAccounting.spread(
            tenantID: tenantID, subscriber: userName, from: start, to: end,
            upload: upload, download: download, seconds: sessionSeconds)
    }
}

/// Turns radacct rows into records, one at a time.
public struct RadacctRecordReader {
    public let layout: RadacctLayout
    private var times: RadacctTimeReader

    /// Session time may fall this far short of stop - start before the row is reported.
    static let sessionTimeSlack: Int64 = 300

    /// Seconds since 1970 at the import: later times are refused.
    private let now: Int64

    /// Limits past which a row's values are refused as implausible.
    static let maximumOctets: UInt64 = 1 << 50
    static let maximumSessionTime: Int64 = 10 * 366 * 86_400
    static let earliestTime: Int64 = 315_532_800 // 1980-01-01
    static let maximumKeyFieldOctets = 253

    public init(layout: RadacctLayout, times: RadacctTimeReader, now: Int64 = Int64(Date().timeIntervalSince1970)) {
        self.layout = layout
        self.times = times
        self.now = now
    }

    /// The record of `row`, or why it cannot become one (with a message for `unreadable`).
    public mutating func read(_ row: [String?]) -> Result<RadacctRecord, RadacctRowRefusal> {
        let layout = self.layout
        let value = { (field: RadacctLayout.Field) in layout.value(field, in: row) }
        var quirks: [RadacctQuirk] = []

        func integer(_ field: RadacctLayout.Field) -> Result<Int64?, RadacctRowRefusal> {
            guard let text = value(field), !text.isEmpty else { return .success(nil) }
            if let number = Int64(text) { return .success(number) }
            // MySQL may write decimals for bigint columns computed by queries: accept whole ones.
            if let decimal = Double(text), decimal == decimal.rounded(), abs(decimal) < 9e15 { return .success(Int64(decimal)) }
            return .failure(RadacctRowRefusal(.unreadable, "\(field.rawValue) \(text.debugDescription) is not a number"))
        }

        // Counters: NULL is 0 (reported); negative values make no usage.
        let input: Int64?
        let output: Int64?
        let inputWraps: Int64?
        let outputWraps: Int64?
        let sessionTime: Int64?
        let interval: Int64?
        do {
            input = try integer(.inputOctets).get()
            output = try integer(.outputOctets).get()
            inputWraps = try integer(.inputGigawords).get()
            outputWraps = try integer(.outputGigawords).get()
            sessionTime = try integer(.sessionTime).get()
            interval = try integer(.interval).get()
        } catch {
            return .failure(error)
        }
        if input == nil || output == nil { quirks.append(.nullCounters) }
        for number in [input, output, inputWraps, outputWraps, sessionTime] where (number ?? 0) < 0 {
            return .failure(RadacctRowRefusal(.negativeValues, "a negative counter or session time"))
        }
        if let sessionTime, sessionTime > Self.maximumSessionTime {
            return .failure(RadacctRowRefusal(.implausibleValues, "a session time of \(sessionTime) s"))
        }
        var upload = UInt64(input ?? 0)
        var download = UInt64(output ?? 0)
        // Older layouts kept Gigawords apart; 3.x folds them into the octets already.
        let wraps = (up: UInt64(inputWraps ?? 0), down: UInt64(outputWraps ?? 0))
        if wraps.up > 0 || wraps.down > 0 {
            guard wraps.up < 1 << 31, wraps.down < 1 << 31 else {
                return .failure(RadacctRowRefusal(.unreadable, "Gigawords out of range"))
            }
            if wraps.up > 0 && upload < 1 << 32 { upload += wraps.up << 32 }
            if wraps.down > 0 && download < 1 << 32 { download += wraps.down << 32 }
            quirks.append(.gigawordsFolded)
        }
        guard upload <= Self.maximumOctets, download <= Self.maximumOctets else {
            return .failure(RadacctRowRefusal(.implausibleValues, "more than 2^50 octets"))
        }

        // Times.
        guard let startReading = times.read(value(.startTime)) else {
            return .failure(RadacctRowRefusal(.unreadable, "acctstarttime \(value(.startTime)!.debugDescription) is not a time"))
        }
        guard let stopReading = times.read(value(.stopTime)) else {
            return .failure(RadacctRowRefusal(.unreadable, "acctstoptime \(value(.stopTime)!.debugDescription) is not a time"))
        }
        guard let updateReading = times.read(value(.updateTime)) else {
            return .failure(RadacctRowRefusal(.unreadable, "acctupdatetime \(value(.updateTime)!.debugDescription) is not a time"))
        }
        var stop: Int64?
        switch stopReading {
        case .none: quirks.append(.open)
        case .zero: quirks.append(.zeroStopTime)
        case .time(let t): stop = t
        }
        var start: Int64
        if case .time(let t) = startReading {
            start = t
        } else if let stop, let sessionTime {
            start = stop - sessionTime
            quirks.append(.startDerived)
        } else {
            return .failure(RadacctRowRefusal(.noStartTime, "neither a start time nor a stop time with a session time"))
        }
        let end: Int64
        if let stopTime = stop {
            if stopTime < start {
                quirks.append(.stopBeforeStart)
                end = start + (sessionTime ?? 0)
                stop = end
            } else {
                end = stopTime
                if let sessionTime, (stopTime - start) - sessionTime > Self.sessionTimeSlack { quirks.append(.sessionTimeShort) }
            }
        } else if case .time(let update) = updateReading, update >= start {
            end = update
        } else {
            end = start + (sessionTime ?? 0)
        }
        guard start >= Self.earliestTime, end <= now + 86_400 else {
            return .failure(RadacctRowRefusal(.implausibleValues, "a time before 1980 or after the import"))
        }
        if end - start > SessionAccounting.maximumSpread { quirks.append(.spreadCapped) }

        let nasAddress = value(.nasAddress) ?? ""
        if nasAddress.isEmpty || nasAddress == "0.0.0.0" { quirks.append(.unspecifiedNAS) }
        let nasPort = value(.nasPortID) ?? ""
        if nasPort.isEmpty { quirks.append(.emptyPort) }
        let userName = value(.userName) ?? ""
        if userName.isEmpty { quirks.append(.emptyUserName) }
        let sessionID = value(.sessionID) ?? ""
        for (name, text) in [("acctsessionid", sessionID), ("username", userName), ("nasportid", nasPort), ("acctuniqueid", value(.uniqueID) ?? "")]
        where text.utf8.count > Self.maximumKeyFieldOctets {
            return .failure(RadacctRowRefusal(.implausibleValues, "\(name) longer than \(Self.maximumKeyFieldOctets) octets"))
        }
        let radacctID = value(.radacctID).flatMap { Int64($0) }
        let key: String
        if let unique = value(.uniqueID), !unique.isEmpty {
            key = unique
        } else if let radacctID {
            key = "radacctid:\(radacctID)"
        } else {
            key = "session:\(nasAddress)|\(sessionID)|\(userName)|\(nasPort)|\(start)"
        }
        let cause = value(.terminateCause).flatMap { $0.isEmpty ? nil : TerminateCause.code($0) }
        let nonEmpty = { (field: RadacctLayout.Field) -> String? in
            guard let text = value(field), !text.isEmpty else { return nil }
            return text
        }
        return .success(
            RadacctRecord(
                key: key, radacctID: radacctID, sessionID: sessionID, userName: userName, nasAddress: nasAddress,
                nasIdentifier: nonEmpty(.nasIdentifier), nasPort: nasPort, start: start, end: end, stop: stop,
                sessionSeconds: UInt64(max(0, sessionTime ?? (end - start))), upload: upload, download: download,
                terminateCause: cause, interimInterval: interval.flatMap { $0 > 0 && $0 <= Int64(UInt32.max) ? UInt32($0) : nil },
                framedAddress: nonEmpty(.framedAddress), callingStation: nonEmpty(.callingStation),
                calledStation: nonEmpty(.calledStation), classValue: nonEmpty(.class), quirks: quirks))
    }
}

/// A row that cannot be imported, and why.
public struct RadacctRowRefusal: Error, Equatable, Sendable {
    public var reason: RadacctSkip
    public var message: String

    public init(_ reason: RadacctSkip, _ message: String) {
        self.reason = reason
        self.message = message
    }
}
