/// Rows in PostgreSQL's COPY text format, built without intermediate strings.
///
/// Text is repaired to valid UTF-8 and NUL characters are replaced, because PostgreSQL
/// rejects both and one bad User-Name must never fail a whole batch.
public struct CopyBuffer: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var columnsInRow = 0

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { bytes.isEmpty }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        columnsInRow = 0
    }

    private mutating func separator() {
        if columnsInRow > 0 { bytes.append(0x09) }
        columnsInRow += 1
    }

    public mutating func endRow() {
        bytes.append(0x0a)
        columnsInRow = 0
    }

    public mutating func appendNull() {
        separator()
        bytes.append(contentsOf: [0x5c, 0x4e]) // \N
    }

    public mutating func append(_ value: Int64) {
        separator()
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func append(_ value: Int64?) {
        if let value { append(value) } else { appendNull() }
    }

    public mutating func append(_ value: UInt64) {
        separator()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Text from a Swift string (already valid UTF-8; NUL characters are replaced).
    public mutating func append(_ value: String?) {
        guard let value else { return appendNull() }
        separator()
        if value.utf8.contains(0) {
            appendEscaped(CopyBuffer.sanitized(value.utf8))
        } else {
            appendEscaped(value.utf8)
        }
    }

    /// Text from raw octets (e.g. a User-Name straight from a packet), repaired as needed.
    public mutating func appendText(_ octets: some Collection<UInt8>) {
        separator()
        appendEscaped(Self.sanitized(octets))
    }

    /// A `bytea` value in hex form.
    public mutating func appendBytea(_ octets: some Collection<UInt8>) {
        separator()
        bytes.append(contentsOf: [0x5c, 0x5c, 0x78]) // \\x
        bytes.reserveCapacity(bytes.count + 2 * octets.count + 16)
        for b in octets {
            bytes.append(Self.hexDigit(b >> 4))
            bytes.append(Self.hexDigit(b & 0xf))
        }
    }

    public mutating func appendBytea(_ octets: [UInt8]?) {
        if let octets { appendBytea(octets) } else { appendNull() }
    }

    /// A timestamptz from seconds since 1970 UTC.
    public mutating func appendTimestamp(seconds: Int64) {
        separator()
        writeTimestamp(seconds: seconds, microseconds: 0)
    }

    public mutating func appendTimestamp(seconds: Int64?) {
        if let seconds { appendTimestamp(seconds: seconds) } else { appendNull() }
    }

    /// A timestamptz from microseconds since 1970 UTC.
    public mutating func appendTimestamp(microseconds: Int64) {
        separator()
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        writeTimestamp(seconds: seconds, microseconds: Int(microseconds - seconds * 1_000_000))
    }

    private mutating func writeTimestamp(seconds: Int64, microseconds: Int) {
        Timestamps.write(seconds: seconds, microseconds: microseconds, into: &bytes)
    }

    private mutating func appendEscaped(_ utf8: some Sequence<UInt8>) {
        for b in utf8 {
            switch b {
            case 0x5c: bytes.append(contentsOf: [0x5c, 0x5c])
            case 0x09: bytes.append(contentsOf: [0x5c, 0x74])
            case 0x0a: bytes.append(contentsOf: [0x5c, 0x6e])
            case 0x0d: bytes.append(contentsOf: [0x5c, 0x72])
            default: bytes.append(b)
            }
        }
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }

    /// Valid UTF-8 without NUL: invalid sequences and NULs become U+FFFD.
    public static func sanitized(_ octets: some Collection<UInt8>) -> String.UTF8View {
        var text = String(decoding: octets, as: UTF8.self)
        if text.utf8.contains(0) {
            text = String(text.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : Character($0) })
        }
        return text.utf8
    }
}

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
        digits(y, 4); bytes.append(0x2d); digits(m, 2); bytes.append(0x2d); digits(d, 2); bytes.append(0x20)
        digits(secondsOfDay / 3600, 2); bytes.append(0x3a); digits(secondsOfDay / 60 % 60, 2); bytes.append(0x3a)
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
        let z = Int(days) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Days since 1970-01-01 of a Gregorian date.
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int64(era * 146_097 + doe - 719_468)
    }

    /// Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS]` (with an optional trailing `Z`) as UTC seconds.
    public static func parseUTC(_ text: String) -> Int64? {
        let trimmed = text.hasSuffix("Z") ? String(text.dropLast()) : text
        let parts = trimmed.split(whereSeparator: { $0 == "T" || $0 == " " })
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-")
        guard date.count == 3, date[0].count == 4, let y = Int(date[0]), let m = Int(date[1]), let d = Int(date[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        var seconds = days(year: y, month: m, day: d) * 86400
        guard civil(days: days(year: y, month: m, day: d)) == (y, m, d) else { return nil }
        if parts.count == 2 {
            let time = parts[1].split(separator: ":")
            guard time.count == 2 || time.count == 3, let h = Int(time[0]), let mi = Int(time[1]),
                  (0...23).contains(h), (0...59).contains(mi) else { return nil }
            let s = time.count == 3 ? Int(time[2]) : 0
            guard let s, (0...59).contains(s) else { return nil }
            seconds += Int64(h * 3600 + mi * 60 + s)
        }
        return seconds
    }
}
