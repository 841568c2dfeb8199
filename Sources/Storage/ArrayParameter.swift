/// One column of values as a PostgreSQL array literal (`{"a","b",NULL}`), sent as a single
/// text parameter and expanded with `unnest`: a whole batch in one statement, which (unlike
/// COPY) can run in a pipeline.
///
/// Text is repaired for PostgreSQL: NUL becomes U+FFFD (`TextRepair`).
public struct ArrayParameter: Sendable {
    private var bytes: [UInt8] = [0x7b] // {
    private var count = 0

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public var literal: String {
        var out = bytes
        out.append(0x7d) // }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func separator() {
        if count > 0 { bytes.append(0x2c) }
        count += 1
    }

    public mutating func appendNull() {
        separator()
        bytes.append(contentsOf: [0x4e, 0x55, 0x4c, 0x4c]) // NULL
    }

    public mutating func append(_ value: Int64) {
        separator()
        appendDigits(value)
    }

    public mutating func append(_ value: Int64?) {
        if let value { append(value) } else { appendNull() }
    }

    public mutating func append(_ value: String?) {
        guard let value else { return appendNull() }
        separator()
        bytes.append(0x22)
        if value.utf8.contains(0) {
            appendQuoted(TextRepair.sanitized(value.utf8))
        } else {
            appendQuoted(value.utf8)
        }
        bytes.append(0x22)
    }

    /// A bytea element in hex form.
    public mutating func appendBytea(_ octets: [UInt8]?) {
        guard let octets else { return appendNull() }
        separator()
        bytes.append(contentsOf: [0x22, 0x5c, 0x5c, 0x78]) // "\\x
        bytes.reserveCapacity(bytes.count + 2 * octets.count + 1)
        for b in octets {
            bytes.append(Self.hexDigit(b >> 4))
            bytes.append(Self.hexDigit(b & 0xf))
        }
        bytes.append(0x22)
    }

    public mutating func appendTimestamp(seconds: Int64?) {
        guard let seconds else { return appendNull() }
        appendTimestamp(microseconds: seconds * 1_000_000)
    }

    public mutating func appendTimestamp(microseconds: Int64) {
        separator()
        bytes.append(0x22)
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        Timestamps.write(seconds: seconds, microseconds: Int(microseconds - seconds * 1_000_000), into: &bytes)
        bytes.append(0x22)
    }

    private mutating func appendQuoted(_ utf8: some Sequence<UInt8>) {
        for b in utf8 {
            if b == 0x5c || b == 0x22 { bytes.append(0x5c) }
            bytes.append(b)
        }
    }

    private mutating func appendDigits(_ value: Int64) {
        if value < 0 { bytes.append(0x2d) }
        var magnitude = value.magnitude
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[n] = 0x30 + UInt8(magnitude % 10)
                magnitude /= 10
                n += 1
            } while magnitude > 0
            for i in stride(from: n - 1, through: 0, by: -1) { bytes.append(buffer[i]) }
        }
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }
}
