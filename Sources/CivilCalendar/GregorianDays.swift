/// Days since 1970-01-01 to proleptic Gregorian dates and back: the one place this
/// arithmetic lives (Accounting's `CivilDate`, RADIUS's date attributes).
///
/// Integer arithmetic over 400-year eras of 146,097 days, exact for every date an `Int`
/// can count, negative day numbers (before 1970) included. `@inlinable` because date
/// arithmetic runs inside rating and bucketing loops in other modules.
public enum GregorianDays {
    /// The year, month (1-12) and day (1-31) of day `dayNumber` (0 is 1970-01-01).
    @inlinable
    public static func date(dayNumber: Int64) -> (year: Int, month: Int, day: Int) {
        // Counted from 0000-03-01, so that the leap day is the last day of a year.
        let z = Int(dayNumber) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The day number (days since 1970-01-01) of `year`-`month`-`day`. The date is not
    /// checked: a day past the end of its month counts on into the next.
    @inlinable
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * mp + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Int64(era * 146_097 + dayOfEra - 719_468)
    }
}
