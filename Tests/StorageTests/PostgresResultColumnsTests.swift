import Storage
import TestSupport
import Testing

@Suite("Reading result columns by name (real PostgreSQL)", .enabled(if: TestDatabase.available))
struct PostgresResultColumnsTests {
    @Test("Columns found by name read the exact values of every row, whatever their position")
    func readsByName() throws {
        let (_, connection) = try TestDatabase.fresh()
        let result = try connection.query(
            """
            SELECT g::text || '-' || $1 AS label, g * -1000000000000 AS "Amount", NULL::text AS note, g AS n
            FROM generate_series(1, 3) g ORDER BY g
            """, ["x"])
        #expect(result.columnNames == ["label", "Amount", "note", "n"])
        let n = try result.column("n")
        let amount = try result.column("Amount")
        let label = try result.column("label")
        #expect([n, amount, label] == [3, 1, 0])
        #expect(try result.columns("note", "n", "label") == [2, 3, 0])
        let note = try result.column("note")
        let read = (0..<result.rowCount).map { row in
            [
                String(result.int64(row: row, column: n)), String(result.int64(row: row, column: amount)),
                result.value(row: row, column: label) ?? "NULL", result.value(row: row, column: note) ?? "NULL",
            ]
        }
        #expect(
            read == [
                ["1", "-1000000000000", "1-x", "NULL"],
                ["2", "-2000000000000", "2-x", "NULL"],
                ["3", "-3000000000000", "3-x", "NULL"],
            ])
    }

    @Test("A name is matched exactly: case, quotes and spaces are part of it, never folded")
    func exactNames() throws {
        let (_, connection) = try TestDatabase.fresh()
        let result = try connection.query("SELECT 1 AS id, 2 AS \"ID\", 3 AS \"say \"\"hi\"\"\", 4 AS \"two words\"")
        #expect(try result.columns("id", "ID", "say \"hi\"", "two words") == [0, 1, 2, 3])
        #expect(result.value(row: 0, column: try result.column("ID")) == "2")
        #expect(result.value(row: 0, column: try result.column("say \"hi\"")) == "3")
    }

    @Test("A column the result does not have is a PostgresError (an internal error, not the caller's) that names it and the columns there are")
    func missingColumn() throws {
        let (_, connection) = try TestDatabase.fresh()
        let result = try connection.query("SELECT 1 AS id, 'a' AS name")
        #expect(throws: PostgresError(.result, message: "the result has no column 'nas' (it has id, name): the statement and its reader disagree")) {
            try result.column("nas")
        }
        // Upper case is another name, not a folded spelling of `id`.
        #expect(throws: PostgresError(.result, message: "the result has no column 'Id' (it has id, name): the statement and its reader disagree")) {
            try result.columns("name", "Id")
        }
        // Hostile names are looked up as names, never as SQL.
        #expect(
            throws: PostgresError(
                .result, message: "the result has no column 'id\"; DROP TABLE x; --' (it has id, name): the statement and its reader disagree")
        ) {
            try result.column("id\"; DROP TABLE x; --")
        }
        #expect(throws: PostgresError(.result, message: "the result has no column '' (it has id, name): the statement and its reader disagree")) {
            try result.column("")
        }
    }

    @Test("A binary result's columns are found by name as well")
    func binaryByName() throws {
        let (_, connection) = try TestDatabase.fresh()
        let result = try connection.queryBinary("SELECT '\\x00ff'::bytea AS packet, 9007199254740993::bigint AS seq")
        let seq = try result.column("seq")
        let packet = try result.column("packet")
        #expect(result.binaryInt64(row: 0, column: seq) == 9_007_199_254_740_993)
        #expect(result.binaryBytes(row: 0, column: packet) == [0x00, 0xff])
    }
}
