import Accounting

/// UTC timestamps as PostgreSQL reads and writes them.
public enum Timestamps {
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]+00` appended digit by digit (this runs for every row).
    public static func write(seconds: Int64, microseconds: Int, into bytes: inout [UInt8]) {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondsOfDay = Int(seconds - days * 86400)
        let (y, m, d) = civil(days: days)
        if y < 0 || y > 9999 {
            bytes.append(contentsOf: utcText(seconds: seconds, microseconds: microseconds).utf8)
            return
        }
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var v = value
            while divisor > 0 {
                bytes.append(0x30 + UInt8(v / divisor))
                v %= divisor
                divisor /= 10
            }
        }
        digits(y, 4)
        bytes.append(0x2d)
        digits(m, 2)
        bytes.append(0x2d)
        digits(d, 2)
        bytes.append(0x20)
        digits(secondsOfDay / 3600, 2)
        bytes.append(0x3a)
        digits(secondsOfDay / 60 % 60, 2)
        bytes.append(0x3a)
        digits(secondsOfDay % 60, 2)
        if microseconds > 0 {
            bytes.append(0x2e)
            digits(microseconds, 6)
        }
        bytes.append(contentsOf: [0x2b, 0x30, 0x30]) // +00
    }

    /// `YYYY-MM-DD HH:MM:SS[.ffffff]+00`
    public static func utcText(seconds: Int64, microseconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondsOfDay = Int(seconds - days * 86400)
        let (y, m, d) = civil(days: days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        var text = "\(y)-\(two(m))-\(two(d)) \(two(secondsOfDay / 3600)):\(two(secondsOfDay / 60 % 60)):\(two(secondsOfDay % 60))"
        if microseconds > 0 {
            var fraction = String(microseconds)
            while fraction.count < 6 { fraction = "0" + fraction }
            text += "." + fraction
        }
        return text + "+00"
    }

    static func civil(days: Int64) -> (Int, Int, Int) {
        let c = CivilDate.components(dayNumber: days)
        return (c.year, c.month, c.day)
    }

    /// Days since 1970-01-01 of a Gregorian date.
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        CivilDate.dayNumber(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS]` (with an optional trailing `Z`) as UTC seconds.
    public static func parseUTC(_ text: String) -> Int64? {
        let trimmed = text.hasSuffix("Z") ? String(text.dropLast()) : text
        let parts = trimmed.split(whereSeparator: { $0 == "T" || $0 == " " })
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-")
        guard date.count == 3, date[0].count == 4, let y = Int(date[0]), let m = Int(date[1]), let d = Int(date[2]),
            (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        var seconds = days(year: y, month: m, day: d) * 86400
        guard civil(days: days(year: y, month: m, day: d)) == (y, m, d) else { return nil }
        if parts.count == 2 {
            let time = parts[1].split(separator: ":")
            guard time.count == 2 || time.count == 3, let h = Int(time[0]), let mi = Int(time[1]),
                (0...23).contains(h), (0...59).contains(mi)
            else { return nil }
            let s = time.count == 3 ? Int(time[2]) : 0
            guard let s, (0...59).contains(s) else { return nil }
            seconds += Int64(h * 3600 + mi * 60 + s)
        }
        return seconds
    }
}
