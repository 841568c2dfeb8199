import Foundation
import TestSupport
import Testing

@testable import RadacctImport

/// The rows of `csv` read whole and in 1- and 7-byte chunks, which must agree.
func csvRows(_ csv: [UInt8], delimiter: Character = ",") throws -> (columns: [String], rows: [[String?]]) {
    var reader = try CSVTableReader(bytes: csv, delimiter: delimiter)
    let rows = try readAll(&reader)
    for chunkSize in [1, 7] {
        var chunked = try CSVTableReader(bytes: csv, delimiter: delimiter, chunkSize: chunkSize)
        #expect(try readAll(&chunked) == rows, "chunk size \(chunkSize)")
        #expect(chunked.columns == reader.columns)
    }
    return (reader.columns, rows)
}

func csvRows(_ csv: String, delimiter: Character = ",") throws -> (columns: [String], rows: [[String?]]) {
    try csvRows(Array(csv.utf8), delimiter: delimiter)
}

func csvError(_ csv: String) -> RadacctSourceError? {
    do {
        var reader = try CSVTableReader(string: csv)
        _ = try readAll(&reader)
        return nil
    } catch {
        return error
    }
}

@Suite struct CSVTableReaderTests {
    @Test func psqlExportWithNullsAndQuotedEmptyStrings() throws {
        let csv = """
            radacctid,username,acctstoptime,acctterminatecause,acctinputoctets
            1,alice,2025-03-19 10:42:53+00,User-Request,6004
            2,bob,,"",0

            """
        let (columns, rows) = try csvRows(csv)
        #expect(columns == ["radacctid", "username", "acctstoptime", "acctterminatecause", "acctinputoctets"])
        #expect(
            rows == [
                ["1", "alice", "2025-03-19 10:42:53+00", "User-Request", "6004"],
                ["2", "bob", nil, "", "0"],
            ])
    }

    @Test func bomCRLFQuotedNewlinesAndMySQLNulls() throws {
        let csv =
            [0xEF, 0xBB, 0xBF]
            + Array(
                "\"RadAcctId\",\"UserName\",\"ConnectInfo_start\",\"AcctStopTime\"\r\n1,\"a, \"\"quoted\"\"\r\nname\",\\N,NULL\r\n2,b,\"\\N\",\"NULL\"\r\n"
                    .utf8)
        let (columns, rows) = try csvRows(csv)
        #expect(columns == ["RadAcctId", "UserName", "ConnectInfo_start", "AcctStopTime"])
        #expect(
            rows == [
                ["1", "a, \"quoted\"\r\nname", nil, nil],
                ["2", "b", "\\N", "NULL"],
            ])
    }

    @Test func hostileTextComesThroughExactly() throws {
        let csv = "id,name,note\n1,\"=HYPERLINK(\"\"http://evil/\"\",\"\"x\"\")\",\"'); DROP TABLE radacct; --\"\n2,@SUM(A1),-- /* ; \\'\n"
        let (_, rows) = try csvRows(csv)
        #expect(
            rows == [
                ["1", "=HYPERLINK(\"http://evil/\",\"x\")", "'); DROP TABLE radacct; --"],
                ["2", "@SUM(A1)", "-- /* ; \\'"],
            ])
    }

    @Test func semicolonAndTabDelimitersAndNoFinalNewline() throws {
        let (_, semicolons) = try csvRows("a;b\n\"x;y\";1,5", delimiter: ";")
        #expect(semicolons == [["x;y", "1,5"]])
        let (columns, tabs) = try csvRows("a\tb\tc\n1\t\t3", delimiter: "\t")
        #expect(columns == ["a", "b", "c"])
        #expect(tabs == [["1", nil, "3"]])
    }

    @Test func latin1BytesAreRepaired() throws {
        let (_, rows) = try csvRows(Array("a,b\n1,Jos".utf8) + [0xE9] + Array("\n".utf8))
        #expect(rows == [["1", "José"]])
    }

    @Test func headerOnlyIsZeroRows() throws {
        let (columns, rows) = try csvRows("a,b\r\n")
        #expect(columns == ["a", "b"])
        #expect(rows.isEmpty)
    }

    @Test func wrongFieldCountIsAnErrorWithTheLine() {
        #expect(
            csvError("a,b,c\n1,2,3\n\"multi\nline\",2,3\n4,5\n")
                == RadacctSourceError(
                    line: 5, "this record has 2 fields but the header names 3 columns"))
        #expect(csvError("a,b\n1,2,3\n")?.line == 2)
    }

    @Test func unterminatedQuoteIsAnError() {
        #expect(
            csvError("a,b\n1,2\n3,\"open\n\n")
                == RadacctSourceError(
                    line: 3, "the quoted field starting at line 3 is not closed before the end of the file"))
        #expect(csvError("a,b\n1,\"x\"y\n")?.line == 2)
    }

    @Test func emptyFileIsAnError() {
        #expect(csvError("") == RadacctSourceError(line: 1, "the CSV file is empty; it needs a header row naming the columns"))
        #expect(csvError("a,,c\n")?.message == "column 2 of the CSV header has no name")
        #expect(throws: RadacctSourceError.self) { try CSVTableReader(string: "a\"b", delimiter: "\"") }
    }

    @Test func largeFileInConstantMemory() throws {
        let path = temporaryPath("radacct", suffix: ".csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var text = "radacctid,username,acctinputoctets,acctoutputoctets\n"
        for id in 1...100_000 { text += "\(id),\"user \(id % 7)\",\(id),\(id % 2 == 0 ? "" : "9")\n" }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        var reader = try CSVTableReader(path: path)
        var rows = 0
        var input = 0
        var nulls = 0
        while let row = try reader.next() {
            rows += 1
            input += Int(row[2]!)!
            if row[3] == nil { nulls += 1 }
        }
        #expect(rows == 100_000)
        #expect(input == 5_000_050_000)
        #expect(nulls == 50_000)
        #expect(reader.inputBufferCapacity == 65_536)
    }
}
