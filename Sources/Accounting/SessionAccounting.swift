/// The accounting semantics of one session: applies a packet to the stored state and says
/// what usage it adds. Pure: no I/O, no clock; the same inputs always give the same outputs,
/// which is what makes retransmissions, replays and restarts harmless.
public enum SessionAccounting {
    /// A counter drop larger than this (half the 32-bit range) from a NAS that sends no
    /// Gigawords is a wrap, not an out-of-order packet.
    public static let wrapThreshold: UInt64 = 1 << 31
    /// Usage is never spread over more than this many seconds before its event.
    public static let maximumSpread: Int64 = 31 * 86_400

    /// The result of applying one packet.
    public struct Outcome: Hashable, Sendable {
        public var state: SessionState
        public var usage: [UsageDelta]
    }

    /// Applies `record` (a Start, Interim-Update or Stop) to `state`.
    ///
    /// Counters are cumulative: the stored value only ever grows to the highest seen, and
    /// only the positive difference becomes usage, spread over the hours between the previous
    /// update and this one.
    public static func apply(_ record: AccountingRecord, to state: SessionState) -> Outcome {
        var next = state
        let isLater = state.lastEventAt.map { record.eventTime >= $0 } ?? true

        let upload = record.upload.map { advance(stored: state.uploadBytes, reading: $0, isLater: isLater) } ?? state.uploadBytes
        let download = record.download.map { advance(stored: state.downloadBytes, reading: $0, isLater: isLater) } ?? state.downloadBytes
        let seconds = max(state.sessionSeconds, UInt64(record.sessionTime ?? 0))
        let deltaUp = upload - state.uploadBytes
        let deltaDown = download - state.downloadBytes
        let deltaSeconds = seconds - state.sessionSeconds
        next.uploadBytes = upload
        next.downloadBytes = download
        next.sessionSeconds = seconds

        // Where the usage since the previous update is spread: from that update (or, for the
        // first packet of a session, from its Start or from event time minus session time).
        let sessionStart = record.eventTime - Int64(record.sessionTime ?? 0)
        let spreadFrom = state.lastEventAt ?? state.startedAt ?? sessionStart
        var usage: [UsageDelta] = []
        if deltaUp > 0 || deltaDown > 0 || deltaSeconds > 0 {
            usage = spread(
                tenantID: record.tenantID, subscriber: record.userName, from: spreadFrom, to: record.eventTime,
                upload: deltaUp, download: deltaDown, seconds: deltaSeconds)
        }

        if record.status == .start { next.sawStart = true }
        if !state.hasEvents {
            next.hasEvents = true
            next.startedAt = record.status == .start ? record.eventTime : sessionStart
        } else if record.status == .start, let started = next.startedAt, record.eventTime < started {
            next.startedAt = record.eventTime
        }
        if isLater || state.lastEventAt == nil {
            next.lastEventAt = record.eventTime
        }
        if record.status == .stop {
            if next.isOpen || next.closeReason != .stop {
                next.stoppedAt = max(record.eventTime, next.startedAt ?? record.eventTime)
                next.closeReason = .stop
            }
            if let cause = record.terminateCause { next.terminateCause = cause }
        }
        if let interval = record.interimInterval { next.interimInterval = interval }
        if let value = record.multiSessionID { next.multiSessionID = value }
        if let value = record.classValue { next.classValue = value }
        if let value = record.framedIPAddress { next.framedIPAddress = value }
        if let value = record.callingStationID { next.callingStationID = value }
        if let value = record.calledStationID { next.calledStationID = value }
        return Outcome(state: next, usage: usage)
    }

    /// The new cumulative value of a counter.
    ///
    /// With Gigawords the reading is exact. Without them, a reading below the stored low 32
    /// bits by more than half the range, in a packet not older than the last update, means the
    /// NAS's 32-bit counter wrapped; a smaller drop is an out-of-order packet and is ignored.
    /// An older packet (a late duplicate, a batch applied again) reading far above the stored
    /// low bits after a wrap was counted belongs to the range before that wrap: ignored too.
    public static func advance(stored: UInt64, reading: CounterReading, isLater: Bool) -> UInt64 {
        let candidate: UInt64
        if let gigawords = reading.gigawords {
            candidate = UInt64(gigawords) << 32 | UInt64(reading.octets)
        } else {
            let storedLow = stored & 0xffff_ffff
            let storedHigh = stored >> 32
            let octets = UInt64(reading.octets)
            if octets >= storedLow {
                // Older and far above: from the range before a wrap already counted.
                let beforeWrap = storedHigh > 0 && !isLater && octets - storedLow > wrapThreshold
                candidate = beforeWrap ? stored : storedHigh << 32 | octets
            } else if storedLow - octets > wrapThreshold && isLater {
                candidate = (storedHigh + 1) << 32 | octets
            } else {
                candidate = stored
            }
        }
        return max(stored, candidate)
    }

    /// Splits usage over the hours of [from, to], in proportion to the seconds of each hour,
    /// so that the parts add up exactly to the totals.
    public static func spread(
        tenantID: Int64, subscriber: String, from: Int64, to: Int64,
        upload: UInt64, download: UInt64, seconds: UInt64
    ) -> [UsageDelta] {
        let end = to
        let start = max(min(from, end), end - maximumSpread)
        guard end > start else {
            return [
                UsageDelta(
                    tenantID: tenantID, subscriber: subscriber, hour: floorHour(end),
                    uploadBytes: upload, downloadBytes: download, sessionSeconds: seconds)
            ]
        }
        let total = UInt64(end - start)
        var result: [UsageDelta] = []
        var hour = floorHour(start)
        var covered: UInt64 = 0
        var given = (up: UInt64(0), down: UInt64(0), secs: UInt64(0))
        while hour < end {
            let overlap = UInt64(min(end, hour + 3600) - max(start, hour))
            covered += overlap
            // Cumulative floors: part i = floor(total * covered_i / T) - floor(total * covered_{i-1} / T).
            let up = share(upload, covered, total) - given.up
            let down = share(download, covered, total) - given.down
            let secs = share(seconds, covered, total) - given.secs
            given = (given.up + up, given.down + down, given.secs + secs)
            if up > 0 || down > 0 || secs > 0 {
                result.append(
                    UsageDelta(
                        tenantID: tenantID, subscriber: subscriber, hour: hour,
                        uploadBytes: up, downloadBytes: down, sessionSeconds: secs))
            }
            hour += 3600
        }
        return result
    }

    /// floor(value * part / whole) without overflow.
    @inline(__always)
    static func share(_ value: UInt64, _ part: UInt64, _ whole: UInt64) -> UInt64 {
        if part >= whole { return value }
        let product = value.multipliedFullWidth(by: part)
        return whole.dividingFullWidth(product).quotient
    }

    /// The start of the UTC hour containing `time`.
    @inline(__always)
    public static func floorHour(_ time: Int64) -> Int64 {
        let r = time % 3600
        return r >= 0 ? time - r : time - r - 3600
    }
}
