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

    @Test("Every session asks the server for TCP keepalives and a user timeout, unless the client or the server chose its own")
    func networkDefaults() throws {
        let sql = "SELECT name || '=' || source FROM pg_settings WHERE name IN ('tcp_keepalives_idle', 'tcp_user_timeout') ORDER BY name"
        let connection = try TestDatabase.connect()
        #expect(try connection.query(sql).rows == [["tcp_keepalives_idle=session"], ["tcp_user_timeout=session"]])
        // A URL's own options win over the defaults.
        let base = try #require(TestDatabase.url)
        let url = base + (base.contains("?") ? "&" : "?") + "options=-c%20tcp_keepalives_idle%3D9"
        let chosen = try PostgresConnection(url: url)
        #expect(try chosen.query(sql).rows == [["tcp_keepalives_idle=client"], ["tcp_user_timeout=session"]])
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

@Suite("Array parameters and timestamps")
struct ArrayParameterTests {
    @Test("Timestamps are written as PostgreSQL reads them, to the microsecond")
    func timestamps() {
        var bytes: [UInt8] = []
        Timestamps.write(seconds: 0, microseconds: 0, into: &bytes)
        bytes.append(0x7c)
        Timestamps.write(seconds: 1_795_548_069, microseconds: 42, into: &bytes)
        bytes.append(0x7c)
        Timestamps.write(seconds: -1, microseconds: 999_999, into: &bytes)
        bytes.append(0x7c)
        Timestamps.write(seconds: 951_782_400, microseconds: 0, into: &bytes)
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == "1970-01-01 00:00:00+00|2026-11-24 19:21:09.000042+00|1969-12-31 23:59:59.999999+00|2000-02-29 00:00:00+00")
        #expect(Timestamps.utcText(seconds: 1_795_548_069, microseconds: 5) == "2026-11-24 19:21:09.000005+00")
        #expect(Timestamps.parseUTC("2026-11-24T19:21") == 1_795_548_060)
        #expect(Timestamps.parseUTC("2026-02-30") == nil)
    }

    @Test("Array literals quote text, replace NUL, keep NULL and hex bytea")
    func literals() {
        var text = ArrayParameter()
        text.append("a\"b\\c,{}")
        text.append("nul\u{0}")
        text.append(nil as String?)
        #expect(text.literal == "{\"a\\\"b\\\\c,{}\",\"nul\u{FFFD}\",NULL}")
        var numbers = ArrayParameter()
        numbers.append(Int64(-42))
        numbers.append(Int64.min)
        numbers.append(nil as Int64?)
        #expect(numbers.literal == "{-42,-9223372036854775808,NULL}")
        var octets = ArrayParameter()
        octets.appendBytea([0x00, 0xab, 0xff])
        octets.appendBytea(nil)
        #expect(octets.literal == "{\"\\\\x00abff\",NULL}")
    }

    @Test("PostgreSQL reads the literals back exactly", .enabled(if: TestDatabase.available))
    func roundTrip() throws {
        let connection = try TestDatabase.connect()
        var text = ArrayParameter()
        for value in ["plain", "quote \" and \\ backslash", "{braces},commas", "tab\tnewline\n", "ü✓", ""] { text.append(value) }
        var times = ArrayParameter()
        times.appendTimestamp(microseconds: 1_795_548_069_000_042)
        let result = try connection.query(
            "SELECT array_length($1::text[], 1), ($1::text[])[2], ($1::text[])[4], ($2::timestamptz[])[1] = '2026-11-24 19:21:09.000042+00'::timestamptz",
            [text.literal, times.literal])
        #expect(result.rows == [["6", "quote \" and \\ backslash", "tab\tnewline\n", "t"]])
    }
}
