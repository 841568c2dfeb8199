import Accounting
import Foundation

/// Reads radacct times: `YYYY-MM-DD HH:MM:SS`, optionally with fractions and a UTC offset
/// (`+00`, `+05:30`, as PostgreSQL writes timestamptz), into seconds since 1970 UTC.
///
/// Times without an offset are local times of `timeZone`: MySQL's `datetime` and
/// PostgreSQL's `timestamp` keep the wall clock FreeRADIUS wrote, which is the server's
/// local time. Offsets are looked up once per local hour.
public struct RadacctTimeReader {
    public enum Reading: Equatable, Sendable {
        /// No time: NULL or empty.
        case none
        /// `0000-00-00 00:00:00`, MySQL's zero date.
        case zero
        case time(Int64)
    }

    public let timeZone: TimeZone
    private var offsets: [Int64: Int64] = [:]

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The time `text` names; nil when it is not a time.
    public mutating func read(_ text: String?) -> Reading? {
        guard var text, !text.isEmpty else { return Reading.none }
        return text.withUTF8 { parse($0) }
    }

    private mutating func parse(_ b: UnsafeBufferPointer<UInt8>) -> Reading? {
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= b.count else { return nil }
            var value = 0
            for _ in 0..<count {
                let d = Int(b[i]) - 48
                guard d >= 0 && d <= 9 else { return nil }
                value = value * 10 + d
                i += 1
            }
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard i < b.count, b[i] == byte else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2) else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        if i < b.count {
            guard b[i] == 0x20 || b[i] == 0x54 else { return nil }
            i += 1
            guard let h = digits(2), expect(0x3A), let m = digits(2), expect(0x3A), let s = digits(2) else { return nil }
            (hour, minute, second) = (h, m, s)
            if i < b.count, b[i] == 0x2E {
                i += 1
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            }
        }
        if year == 0 && month == 0 && day == 0 && hour == 0 && minute == 0 && second == 0 && i == b.count { return .zero }
        guard hour < 24, minute < 60, second < 61, let date = CivilDate(year: year, month: month, day: day) else { return nil }
        let naive = date.dayNumber * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        if i == b.count { return .time(naive - offset(localSeconds: naive)) }
        // An explicit offset: +HH, +HHMM, +HH:MM, or Z.
        if b[i] == 0x5A, i + 1 == b.count { return .time(naive) }
        guard b[i] == 0x2B || b[i] == 0x2D else { return nil }
        let sign: Int64 = b[i] == 0x2B ? 1 : -1
        i += 1
        guard let oh = digits(2) else { return nil }
        var om = 0
        if i < b.count {
            _ = expect(0x3A)
            guard let m = digits(2) else { return nil }
            om = m
        }
        guard i == b.count else { return nil }
        return .time(naive - sign * Int64(oh * 3600 + om * 60))
    }

    /// The zone's offset from UTC at local time `localSeconds` (the later one in a repeated hour).
    private mutating func offset(localSeconds: Int64) -> Int64 {
        if timeZone.identifier == "UTC" || timeZone.identifier == "GMT" { return 0 }
        let hour = localSeconds - ((localSeconds % 3600) + 3600) % 3600
        if let known = offsets[hour] { return known }
        // The UTC instant whose local time is `hour`: the offset at the guess, then at the result.
        var offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(hour))))
        offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(hour - offset))))
        if offsets.count > 100_000 { offsets.removeAll(keepingCapacity: true) }
        offsets[hour] = offset
        return offset
    }
}
