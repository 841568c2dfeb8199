import Storage
import TestSupport
import Testing

@Suite("PostgreSQL connection (private test cluster)", .enabled(if: TestDatabase.available))
struct PostgresConnectionTests {
    @Test("Connects through libpq and runs a query with parameters")
    func query() throws {
        let connection = try TestDatabase.connect()
        #expect(connection.isConnected)
        #expect(connection.serverVersion >= 150000)
        let result = try connection.query("SELECT $1::int + $2::int AS sum, $3::text AS label, NULL::text AS nothing", ["40", "2", "it's"])
        #expect(result.rowCount == 1)
        #expect(result.columnName(0) == "sum")
        #expect(result.value(row: 0, column: 0) == "42")
        #expect(result.value(row: 0, column: 1) == "it's")
        #expect(result.value(row: 0, column: 2) == nil)
    }

    @Test("Parameters carry SQL metacharacters as data, never as SQL")
    func parametersAreData() throws {
        let connection = try TestDatabase.connect()
        try connection.execute("CREATE TEMPORARY TABLE probe (v text)")
        let hostile = "'); DROP TABLE probe; --"
        try connection.query("INSERT INTO probe VALUES ($1)", [hostile])
        let result = try connection.query("SELECT v FROM probe")
        #expect(result.rows == [[hostile]])
    }

    @Test("Server errors carry their SQLSTATE; the connection stays usable")
    func errors() throws {
        let connection = try TestDatabase.connect()
        do {
            try connection.query("SELECT * FROM no_such_table")
            Issue.record("query succeeded")
        } catch let error as PostgresError {
            #expect(error.kind == .statement)
            #expect(error.sqlState == "42P01")
            #expect(error.message.contains("no_such_table"))
        }
        #expect(try connection.query("SELECT 1").value(row: 0, column: 0) == "1")
    }

    @Test("A bad URL fails with a connection error")
    func badURL() {
        #expect(throws: PostgresError.self) { try PostgresConnection(url: "postgresql:///nonexistent?host=/nonexistent-socket-dir") }
    }
}

@Suite("COPY text format")
struct CopyBufferTests {
    @Test("Timestamps are written as PostgreSQL reads them, to the microsecond")
    func timestamps() {
        var buffer = CopyBuffer()
        buffer.appendTimestamp(seconds: 0)
        buffer.appendTimestamp(microseconds: 1_795_548_069_000_042)
        buffer.appendTimestamp(microseconds: -1)
        buffer.appendTimestamp(seconds: 951_782_400)
        buffer.endRow()
        #expect(String(decoding: buffer.bytes, as: UTF8.self)
                == "1970-01-01 00:00:00+00\t2026-11-24 19:21:09.000042+00\t1969-12-31 23:59:59.999999+00\t2000-02-29 00:00:00+00\n")
        #expect(Timestamps.utcText(seconds: 1_795_548_069, microseconds: 5) == "2026-11-24 19:21:09.000005+00")
    }

    @Test("Text is escaped, NUL replaced, invalid UTF-8 repaired; bytea as hex")
    func text() {
        var buffer = CopyBuffer()
        buffer.append("a\tb\nc\\d\r")
        buffer.append("nul\u{0}")
        buffer.appendText([0x41, 0xff])
        buffer.appendBytea([0x00, 0xab, 0xff])
        buffer.append(nil as String?)
        buffer.endRow()
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "a\\tb\\nc\\\\d\\r\tnul\u{FFFD}\tA\u{FFFD}\t\\\\x00abff\t\\N\n")
    }
}
