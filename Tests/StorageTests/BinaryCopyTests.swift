import Foundation
import Storage
import TestSupport
import Testing

/// One row of the test table, as written and as it must read back.
private struct Row {
    var n: Int32
    var big: Int64?
    var int: Int32?
    var flag: Bool?
    var text: String?
    var bytes: [UInt8]?
    /// Microseconds since 1970 UTC.
    var time: Int64?
}

private let allOctets = (0...255).map { UInt8($0) }
private let hostileText = "ü ✓ 'single' \"double\" back\\slash\ttab\nnewline\r\\N \\x00 ;--"

private let rows: [Row] = [
    Row(n: 1, big: -1, int: Int32.min, flag: true, text: "plain", bytes: allOctets, time: 0),
    Row(n: 2, big: Int64.max, int: Int32.max, flag: false, text: hostileText, bytes: [], time: 946_684_799_999_999),
    Row(n: 3, big: Int64.min, int: -1, flag: true, text: "", bytes: [0], time: -1_000_001),
    Row(n: 4, big: 0, int: 0, flag: false, text: "日本語", bytes: Array(allOctets.reversed()), time: 1_795_546_800_123_456),
    Row(n: 5, big: nil, int: nil, flag: nil, text: nil, bytes: nil, time: nil),
]

/// The binary COPY data of `rows` (column order n, big, int, flag, text, bytes, time).
private func copyData(_ rows: [Row]) -> [UInt8] {
    var data = BinaryCopyRows()
    for row in rows {
        data.startRow(columns: 7)
        data.append(row.n)
        data.append(row.big)
        if let int = row.int { data.append(int) } else { data.appendNull() }
        if let flag = row.flag { data.append(flag) } else { data.appendNull() }
        data.append(row.text)
        data.appendBytes(row.bytes)
        if let time = row.time { data.appendTimestamp(microseconds: time) } else { data.appendTimestamp(seconds: nil) }
    }
    return data.finish()
}

private let copySQL = "COPY copied (n, big, int, flag, txt, bytes, time) FROM STDIN (FORMAT binary)"

private func setUp() throws -> PostgresConnection {
    let (_, connection) = try TestDatabase.fresh()
    try connection.execute(
        """
        CREATE TABLE copied (n integer PRIMARY KEY, big bigint, int integer, flag boolean, txt text, bytes bytea, time timestamptz)
        """)
    return connection
}

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

@Suite("Binary COPY (real PostgreSQL)", .enabled(if: TestDatabase.available))
struct BinaryCopyTests {
    @Test("Every type BinaryCopyRows writes reads back exactly, as text and in binary")
    func roundTrip() throws {
        let connection = try setUp()
        var builder = BinaryCopyRows()
        #expect(builder.rowCount == 0)
        let data = copyData(rows)
        #expect(try connection.copyIn(copySQL, data) == 5)

        let text = try connection.query(
            """
            SELECT n::text, big::text, int::text, flag::text, txt, encode(bytes, 'hex'),
                   (extract(epoch FROM time) * 1000000)::bigint::text, to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')
            FROM copied ORDER BY n
            """)
        #expect(
            text.rows == [
                ["1", "-1", "-2147483648", "true", "plain", hex(allOctets), "0", "1970-01-01 00:00:00.000000"],
                ["2", "9223372036854775807", "2147483647", "false", hostileText, "", "946684799999999", "1999-12-31 23:59:59.999999"],
                ["3", "-9223372036854775808", "-1", "true", "", "00", "-1000001", "1969-12-31 23:59:58.999999"],
                ["4", "0", "0", "false", "日本語", hex(allOctets.reversed()), "1795546800123456", "2026-11-24 19:00:00.123456"],
                ["5", nil, nil, nil, nil, nil, nil, nil],
            ])
        #expect(try count(connection, "SELECT count(*) FROM copied WHERE bytes = ''::bytea") == 1)
        #expect(try count(connection, "SELECT octet_length(bytes) FROM copied WHERE n = 1") == 256)

        let binary = try connection.queryBinary("SELECT big, time, bytes, txt FROM copied WHERE n = ANY($1::integer[]) ORDER BY n", ["{1,2,3,4,5}"])
        #expect(binary.rowCount == 5)
        for (index, row) in rows.enumerated() {
            #expect(binary.isNull(row: index, column: 0) == (row.big == nil))
            #expect(binary.binaryInt64(row: index, column: 0) == (row.big ?? 0))
            if let time = row.time { #expect(binary.binaryTimestamp(row: index, column: 1) == time) }
            #expect(binary.isNull(row: index, column: 2) == (row.bytes == nil))
            #expect(binary.binaryBytes(row: index, column: 2) == (row.bytes ?? []))
            #expect(binary.binaryBytes(row: index, column: 3) == Array((row.text ?? "").utf8))
        }
        #expect(binary.isNull(row: 4, column: 1))

        // The buffer and whole-second variants write the same values.
        builder.startRow(columns: 7)
        builder.append(Int32(6))
        builder.append(Int64(42) as Int64?)
        builder.append(Int32(7))
        builder.append(true)
        builder.append("x" as String?)
        allOctets.withUnsafeBufferPointer { builder.appendBytes($0) }
        builder.appendTimestamp(seconds: 1_000_000_000)
        #expect(builder.rowCount == 1)
        let data6 = builder.finish()
        #expect(builder.finish() == data6)
        #expect(try connection.copyIn(copySQL, data6) == 1)
        #expect(
            try connection.query("SELECT big, int, flag, txt, encode(bytes, 'hex'), time = to_timestamp(1000000000) FROM copied WHERE n = 6").rows
                == [["42", "7", "t", "x", hex(allOctets), "t"]])
    }

    @Test("COPY into a missing table throws a statement error; the connection stays usable")
    func missingTable() throws {
        let connection = try setUp()
        let error = #expect(throws: PostgresError.self) {
            try connection.copyIn("COPY no_such_table (n) FROM STDIN (FORMAT binary)", copyData(rows))
        }
        #expect(error?.kind == .statement)
        #expect(error?.sqlState == "42P01")
        #expect(WriteFailure(error!) == .other)
        #expect(connection.isConnected && !connection.inTransaction)
        #expect(try connection.copyIn(copySQL, copyData(Array(rows.prefix(2)))) == 2)
        #expect(try count(connection, "SELECT count(*) FROM copied") == 2)
    }

    @Test("COPY with a wrong field count throws; nothing is copied; the connection stays usable")
    func wrongFieldCount() throws {
        let connection = try setUp()
        var data = BinaryCopyRows()
        data.startRow(columns: 7)
        data.append(Int32(1))
        data.append(Int64(1))
        data.append(Int32(1))
        data.append(true)
        data.append("a" as String?)
        data.appendBytes([1])
        data.appendTimestamp(microseconds: 0)
        data.startRow(columns: 3)
        data.append(Int32(2))
        data.append(Int64(2))
        data.append(Int32(2))
        let error = #expect(throws: PostgresError.self) { try connection.copyIn(copySQL, data.finish()) }
        #expect(error?.kind == .statement)
        // 22P04: bad COPY file format, a data exception: the batch is refused, not the database.
        #expect(error?.sqlState == "22P04")
        #expect(WriteFailure(error!) == .dataRefused)
        #expect(connection.isConnected && !connection.inTransaction)
        #expect(try count(connection, "SELECT count(*) FROM copied") == 0)
        #expect(try connection.query("SELECT 1 + 1").rows == [["2"]])
        #expect(try connection.copyIn(copySQL, copyData(rows)) == 5)
    }

    @Test("A statement that is not COPY FROM STDIN is refused without breaking the connection")
    func notACopy() throws {
        let connection = try setUp()
        let error = #expect(throws: PostgresError.self) { try connection.copyIn("SELECT 1", copyData(rows)) }
        #expect(error?.kind == .result)
        #expect(connection.isConnected)
        #expect(try connection.query("SELECT 2").rows == [["2"]])
    }

    @Test("copyIn inside BEGIN/ROLLBACK leaves nothing; inside BEGIN/COMMIT everything")
    func transaction() throws {
        let connection = try setUp()
        try connection.execute("BEGIN")
        #expect(try connection.copyIn(copySQL, copyData(rows)) == 5)
        #expect(connection.inTransaction)
        #expect(try count(connection, "SELECT count(*) FROM copied") == 5)
        try connection.execute("ROLLBACK")
        #expect(try count(connection, "SELECT count(*) FROM copied") == 0)

        try connection.execute("BEGIN")
        #expect(try connection.copyIn(copySQL, copyData(rows)) == 5)
        try connection.execute("COMMIT")
        #expect(try count(connection, "SELECT count(*) FROM copied") == 5)
    }
}
