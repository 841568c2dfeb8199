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
