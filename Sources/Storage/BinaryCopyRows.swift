/// Rows in PostgreSQL's binary COPY format, built in memory for `PostgresConnection.copyIn`.
///
/// Binary COPY skips the text parsing of every value (array literals, timestamps, hex
/// bytea) that makes wide batches expensive on the server. Values must be appended in
/// the column order the COPY statement names, each row starting with `startRow`.
public struct BinaryCopyRows: Sendable {
    public private(set) var bytes: [UInt8]
    public private(set) var rowCount = 0
    private var finished = false

    /// Microseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC).
    static let postgresEpochMicroseconds: Int64 = 946_684_800_000_000

    public init(reservingCapacity capacity: Int = 4096) {
        bytes = []
        bytes.reserveCapacity(capacity + 21)
        // Signature, flags (no OIDs), header extension length.
        bytes += Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]
        appendBigEndian(Int32(0))
        appendBigEndian(Int32(0))
    }

    /// Begins a row of `columns` values.
    public mutating func startRow(columns: Int) {
        precondition(!finished, "rows appended after the trailer")
        appendBigEndian(Int16(columns))
        rowCount += 1
    }

    public mutating func appendNull() { appendBigEndian(Int32(-1)) }

    /// A `bigint`.
    public mutating func append(_ value: Int64) {
        appendBigEndian(Int32(8))
        appendBigEndian(value)
    }

    /// A `bigint` or NULL.
    public mutating func append(_ value: Int64?) {
        if let value { append(value) } else { appendNull() }
    }

    /// An `integer`.
    public mutating func append(_ value: Int32) {
        appendBigEndian(Int32(4))
        appendBigEndian(value)
    }

    /// A `boolean`.
    public mutating func append(_ value: Bool) {
        appendBigEndian(Int32(1))
        bytes.append(value ? 1 : 0)
    }

    /// A `text` value (UTF-8) or NULL. NUL characters, which PostgreSQL text cannot hold,
    /// must have been removed by the caller (`TextRepair`).
    public mutating func append(_ value: String?) {
        guard var value else { return appendNull() }
        value.withUTF8 { appendField($0) }
    }

    /// A `bytea` value or NULL.
    public mutating func appendBytes(_ value: [UInt8]?) {
        guard let value else { return appendNull() }
        value.withUnsafeBufferPointer { appendField($0) }
    }

    /// A `bytea` value from a buffer.
    public mutating func appendBytes(_ value: UnsafeBufferPointer<UInt8>) { appendField(value) }

    /// A `timestamptz` given in microseconds since the Unix epoch.
    public mutating func appendTimestamp(microseconds: Int64) {
        append(microseconds - Self.postgresEpochMicroseconds)
    }

    /// A `timestamptz` given in whole seconds since the Unix epoch, or NULL.
    public mutating func appendTimestamp(seconds: Int64?) {
        guard let seconds else { return appendNull() }
        appendTimestamp(microseconds: seconds * 1_000_000)
    }

    /// The rows and the trailer: what COPY reads.
    public mutating func finish() -> [UInt8] {
        if !finished {
            appendBigEndian(Int16(-1))
            finished = true
        }
        return bytes
    }

    private mutating func appendField(_ value: UnsafeBufferPointer<UInt8>) {
        appendBigEndian(Int32(value.count))
        bytes.append(contentsOf: value)
    }

    private mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
