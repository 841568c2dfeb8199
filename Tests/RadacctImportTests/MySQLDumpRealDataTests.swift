import TestSupport
import Testing

@testable import RadacctImport

/// Every row of a reader, with its columns.
func readAll(_ reader: inout some RadacctTableReader) throws(RadacctSourceError) -> [[String?]] {
    var rows: [[String?]] = []
    while let row = try reader.next() { rows.append(row) }
    return rows
}

/// The sum of a numeric column over rows, NULL counting as nothing.
func sum(_ rows: [[String?]], _ column: String, in columns: [String]) -> Int {
    let index = columns.firstIndex { $0.lowercased() == column }!
    return rows.reduce(0) { $0 + ($1[index].flatMap { Int($0) } ?? 0) }
}

/// The five FreeRADIUS radacct dumps from real installations in ../shared/realdata/radacct,
/// with figures counted independently from the files.
@Suite struct MySQLDumpRealDataTests {
    struct Dump: Sendable, CustomStringConvertible {
        var file: String
        var rows: Int
        var columnCount: Int
        var inputOctets: Int
        var outputOctets: Int
        var nulls: Int
        var description: String { file }
    }

    static let dumps = [
        Dump(file: "daloradius-2007-sample-radacct.mysql.sql", rows: 20, columnCount: 24, inputOctets: 209_319, outputOctets: 339_701_951, nulls: 0),
        Dump(file: "easyhotspot-2009-chilli-radacct.mysql.sql", rows: 3, columnCount: 26, inputOctets: 182_459, outputOctets: 837_519, nulls: 0),
        Dump(
            file: "yfi-coovachilli-2009-2012-radacct.mysql.sql", rows: 31, columnCount: 26, inputOctets: 107_602_369, outputOctets: 32_459_573,
            nulls: 0),
        Dump(
            file: "mikrotik-hotspot-2017-2021-radacct.mysql.sql", rows: 9, columnCount: 25, inputOctets: 189_215_072, outputOctets: 947_438_247,
            nulls: 0),
        Dump(file: "pppoe-2025-fr32-radacct.mysql.sql", rows: 8, columnCount: 30, inputOctets: 627_412, outputOctets: 1_158_198, nulls: 17),
    ]

    @Test(arguments: dumps)
    func rowsColumnsAndOctetSums(_ dump: Dump) throws {
        var reader = try MySQLDumpReader(path: try RealData.path("radacct/" + dump.file))
        let rows = try readAll(&reader)
        #expect(rows.count == dump.rows)
        #expect(reader.columns.count == dump.columnCount)
        #expect(rows.allSatisfy { $0.count == dump.columnCount })
        #expect(sum(rows, "acctinputoctets", in: reader.columns) == dump.inputOctets)
        #expect(sum(rows, "acctoutputoctets", in: reader.columns) == dump.outputOctets)
        #expect(rows.joined().filter { $0 == nil }.count == dump.nulls)
    }

    @Test(arguments: dumps)
    func tinyChunksReadTheSameRows(_ dump: Dump) throws {
        let bytes = try RealData.file("radacct/" + dump.file)
        var whole = MySQLDumpReader(bytes: bytes)
        var chunked = MySQLDumpReader(bytes: bytes, chunkSize: 7)
        var single = MySQLDumpReader(bytes: bytes, chunkSize: 1)
        let expected = try readAll(&whole)
        #expect(expected.count == dump.rows)
        #expect(try readAll(&chunked) == expected)
        #expect(try readAll(&single) == expected)
        #expect(chunked.columns == whole.columns)
    }

    @Test func freeRADIUS1CamelCaseColumnsAndTheZeroStopTime() throws {
        var reader = try MySQLDumpReader(path: try RealData.path("radacct/daloradius-2007-sample-radacct.mysql.sql"))
        let rows = try readAll(&reader)
        #expect(
            reader.columns == [
                "RadAcctId", "AcctSessionId", "AcctUniqueId", "UserName", "Realm", "NASIPAddress", "NASPortId", "NASPortType",
                "AcctStartTime", "AcctStopTime", "AcctSessionTime", "AcctAuthentic", "ConnectInfo_start", "ConnectInfo_stop",
                "AcctInputOctets", "AcctOutputOctets", "CalledStationId", "CallingStationId", "AcctTerminateCause", "ServiceType",
                "FramedProtocol", "FramedIPAddress", "AcctStartDelay", "AcctStopDelay",
            ])
        let row20 = rows[19]
        #expect(row20[0] == "20")
        #expect(row20[1] == "00000010463F496A")
        #expect(row20[3] == "liran")
        #expect(row20[8] == "2007-05-07 11:44:42")
        #expect(row20[9] == "0000-00-00 00:00:00")
        #expect(row20[21] == "10.10.10.3")
        #expect(rows[0][1] == "450D4F23287600" && rows[0][14] == "769" && rows[0][15] == "33")
    }

    @Test func freeRADIUS32ColumnsAndTheOpenSession() throws {
        var reader = try MySQLDumpReader(path: try RealData.path("radacct/pppoe-2025-fr32-radacct.mysql.sql"))
        let rows = try readAll(&reader)
        #expect(
            reader.columns == [
                "radacctid", "acctsessionid", "acctuniqueid", "username", "groupname", "realm", "nasipaddress", "nasportid",
                "nasporttype", "acctstarttime", "acctupdatetime", "acctstoptime", "acctinterval", "acctsessiontime",
                "acctauthentic", "connectinfo_start", "connectinfo_stop", "acctinputoctets", "acctoutputoctets",
                "calledstationid", "callingstationid", "acctterminatecause", "servicetype", "framedprotocol",
                "framedipaddress", "framedipv6address", "framedipv6prefix", "framedinterfaceid", "delegatedipv6prefix", "class",
            ])
        let row7 = rows[6]
        #expect(row7[0] == "7")
        #expect(row7[11] == nil)
        #expect(row7[13] == "0")
        #expect(row7[21] == "")
        #expect(rows[0][12] == nil && rows[0][29] == nil && rows[0][25] == "")
        #expect(rows.map { $0[19] } == ["PPPoE_Server", "PPPoE_Server", "PPPoE_Server"] + Array(repeating: "PPPoe_server", count: 5))
    }

    @Test func mikrotikRowsOneALine() throws {
        var reader = try MySQLDumpReader(path: try RealData.path("radacct/mikrotik-hotspot-2017-2021-radacct.mysql.sql"))
        let rows = try readAll(&reader)
        let column = reader.columns.firstIndex(of: "acctoutputoctets")!
        #expect(rows[0][column] == "570386619")
        #expect(rows[0][0] == "18375113" && rows[0][3] == "parham.alvani" && rows[0][20] == "6C:3B:6B:F0:0A:17")
        #expect(rows.map { $0[0]! }.max { Int($0)! < Int($1)! } == "18379211")
    }

    @Test func yfiTestRowHasEmptyPortFields() throws {
        var reader = try MySQLDumpReader(path: try RealData.path("radacct/yfi-coovachilli-2009-2012-radacct.mysql.sql"))
        let rows = try readAll(&reader)
        let row93 = try #require(rows.first { $0[0] == "93" })
        #expect(row93[1] == "1254161271_test")
        #expect(row93[6] == "127.0.0.1")
        #expect(row93[7] == "" && row93[8] == "")
        #expect(rows.first?[0] == "70" && rows.last?[0] == "107")
    }
}
