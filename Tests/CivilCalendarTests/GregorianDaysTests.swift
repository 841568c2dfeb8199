import CivilCalendar
import Testing

/// The day-number arithmetic checked against known dates and, day by day, against a calendar
/// walked with the leap-year rule alone.
@Suite("Days since 1970 and Gregorian dates")
struct GregorianDaysTests {
    /// Day numbers of dates on both sides of 1970 and of the century leap rules, as Python's
    /// `datetime.date` counts them from 1970-01-01.
    static let known: [(year: Int, month: Int, day: Int, dayNumber: Int64)] = [
        (1970, 1, 1, 0), (1969, 12, 31, -1), (1900, 1, 1, -25_567), (1900, 2, 28, -25_509), (1900, 3, 1, -25_508),
        (1600, 2, 29, -135_081), (2000, 2, 29, 11_016), (2000, 3, 1, 11_017), (2024, 2, 29, 19_782), (2100, 3, 1, 47_541),
        (2200, 12, 31, 84_370), (1, 1, 1, -719_162), (9999, 12, 31, 2_932_896),
    ]

    @Test("Known dates have their known day numbers, and those day numbers give the dates back")
    func knownDates() {
        for date in Self.known {
            #expect(GregorianDays.dayNumber(year: date.year, month: date.month, day: date.day) == date.dayNumber, "\(date)")
            let back = GregorianDays.date(dayNumber: date.dayNumber)
            #expect([back.year, back.month, back.day] == [date.year, date.month, date.day], "\(date)")
        }
    }

    @Test("Every day from 1900-01-01 to 2200-12-31 (109,938 days) is the day after the one before, both ways")
    func everyDay() {
        func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }
        func length(_ year: Int, _ month: Int) -> Int {
            switch month {
            case 2: isLeap(year) ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }
        var (year, month, day) = (1900, 1, 1)
        var dayNumber: Int64 = -25_567
        var mismatches: [String] = []
        var days = 0
        while year <= 2200 {
            let date = GregorianDays.date(dayNumber: dayNumber)
            if [date.year, date.month, date.day] != [year, month, day] || GregorianDays.dayNumber(year: year, month: month, day: day) != dayNumber {
                mismatches.append("\(year)-\(month)-\(day) (\(dayNumber))")
            }
            days += 1
            dayNumber += 1
            day += 1
            if day > length(year, month) {
                day = 1
                month += 1
            }
            if month > 12 {
                month = 1
                year += 1
            }
        }
        #expect(days == 109_938)
        #expect(dayNumber == 84_371, "2201-01-01")
        #expect(mismatches.isEmpty, "\(mismatches.count) days differ, e.g. \(mismatches.prefix(3))")
    }

    @Test("A day past the end of its month counts on into the next; a day number far before 1970 still round-trips")
    func uncheckedAndNegative() {
        #expect(GregorianDays.dayNumber(year: 2026, month: 2, day: 30) == GregorianDays.dayNumber(year: 2026, month: 3, day: 2))
        #expect(GregorianDays.dayNumber(year: 2024, month: 12, day: 32) == GregorianDays.dayNumber(year: 2025, month: 1, day: 1))
        let early = GregorianDays.date(dayNumber: -1_000_000)
        #expect(GregorianDays.dayNumber(year: early.year, month: early.month, day: early.day) == -1_000_000)
    }
}
