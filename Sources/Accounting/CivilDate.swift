import CivilCalendar

/// A calendar date without a time zone (proleptic Gregorian), counted in days since
/// 1970-01-01 so that date arithmetic is integer arithmetic.
public struct CivilDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public var dayNumber: Int64

    public init(dayNumber: Int64) {
        self.dayNumber = dayNumber
    }

    /// The date `year`-`month`-`day`; nil when there is no such date (e.g. 2026-02-30).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        let number = Self.dayNumber(year: year, month: month, day: day)
        guard Self.components(dayNumber: number) == (year, month, day) else { return nil }
        dayNumber = number
    }

    /// Parses `YYYY-MM-DD` exactly (four-digit year, two-digit month and day).
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for b in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) else { return nil }
                value = value * 10 + Int(b - UInt8(ascii: "0"))
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var year: Int { Self.components(dayNumber: dayNumber).year }
    public var month: Int { Self.components(dayNumber: dayNumber).month }
    public var day: Int { Self.components(dayNumber: dayNumber).day }

    /// 0 = Monday ... 6 = Sunday (ISO 8601 order).
    public var weekday: Int { Int(((dayNumber + 3) % 7 + 7) % 7) }

    public func adding(days: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + Int64(days)) }

    /// The same day of the month `months` later; nil when that month has no such day.
    public func adding(months: Int) -> CivilDate? {
        let (y, m, d) = Self.components(dayNumber: dayNumber)
        let total = y * 12 + (m - 1) + months
        let year = total >= 0 ? total / 12 : (total - 11) / 12
        return CivilDate(year: year, month: total - year * 12 + 1, day: d)
    }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(to other: CivilDate) -> Int { Int(other.dayNumber - dayNumber) }

    /// `YYYY-MM-DD`
    public var description: String {
        let (y, m, d) = Self.components(dayNumber: dayNumber)
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.dayNumber < b.dayNumber }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CivilDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a date (YYYY-MM-DD)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Gregorian date of a day count since 1970-01-01.
    @inlinable
    public static func components(dayNumber: Int64) -> (year: Int, month: Int, day: Int) {
        GregorianDays.date(dayNumber: dayNumber)
    }

    /// Days since 1970-01-01 of a Gregorian date (not checked; see `init?(year:month:day:)`).
    @inlinable
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int64 {
        GregorianDays.dayNumber(year: year, month: month, day: day)
    }
}
