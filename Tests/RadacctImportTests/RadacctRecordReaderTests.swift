import Accounting
import Foundation
import Testing

@testable import RadacctImport

private let v3Columns = [
    "radacctid", "acctsessionid", "acctuniqueid", "username", "nasipaddress", "nasportid", "acctstarttime",
    "acctupdatetime", "acctstoptime", "acctinterval", "acctsessiontime", "acctinputoctets", "acctoutputoctets",
    "acctterminatecause",
]

private func record(_ values: [String?], columns: [String] = v3Columns, zone: String = "UTC") throws -> Result<RadacctRecord, RadacctRowRefusal> {
    var reader = RadacctRecordReader(layout: try RadacctLayout(columns: columns), times: RadacctTimeReader(timeZone: TimeZone(identifier: zone)!))
    return reader.read(values)
}

@Suite struct RadacctLayoutTests {
    @Test func recognisesEachGeneration() throws {
        let v1 = [
            "RadAcctId", "AcctSessionId", "AcctUniqueId", "UserName", "Realm", "NASIPAddress", "NASPortId", "NASPortType",
            "AcctStartTime", "AcctStopTime", "AcctSessionTime", "AcctAuthentic", "ConnectInfo_start", "ConnectInfo_stop",
            "AcctInputOctets", "AcctOutputOctets", "CalledStationId", "CallingStationId", "AcctTerminateCause", "ServiceType",
            "FramedProtocol", "FramedIPAddress", "AcctStartDelay", "AcctStopDelay",
        ]
        let layout = try RadacctLayout(columns: v1)
        #expect(layout.generation == .v1)
        #expect(layout.indexes[.nasAddress] == 5)
        #expect(layout.indexes[.updateTime] == nil)
        #expect(try RadacctLayout(columns: v1.map { $0.lowercased() }).generation == .v2)
        #expect(try RadacctLayout(columns: v3Columns).generation == .v3)
    }

    @Test func refusesTablesThatAreNotRadacct() {
        #expect(
            throws: RadacctLayoutError(
                message:
                    "not a radacct table: no column acctinputoctets, acctoutputoctets (columns: acctsessionid, username, nasipaddress, acctstarttime, acctstoptime)"
            )
        ) {
            try RadacctLayout(columns: ["acctsessionid", "username", "nasipaddress", "acctstarttime", "acctstoptime"])
        }
        #expect(throws: RadacctLayoutError(message: "column USERNAME is named twice")) {
            try RadacctLayout(columns: v3Columns + ["USERNAME"])
        }
    }
}

@Suite struct RadacctTimeReaderTests {
    @Test func readsLocalTimesAndOffsets() {
        var utc = RadacctTimeReader(timeZone: TimeZone(identifier: "UTC")!)
        #expect(utc.read("2021-08-23 07:57:36") == .time(1_629_705_456))
        #expect(utc.read("2021-08-23 07:57:36+00") == .time(1_629_705_456))
        #expect(utc.read("2021-08-23 09:57:36.25+02") == .time(1_629_705_456))
        #expect(utc.read("2021-08-23T02:27:36-05:30") == .time(1_629_705_456))
        #expect(utc.read("0000-00-00 00:00:00") == .zero)
        #expect(utc.read(nil) == RadacctTimeReader.Reading.none)
        #expect(utc.read("") == RadacctTimeReader.Reading.none)
        #expect(utc.read("2021-02-30 00:00:00") == nil)
        #expect(utc.read("2021-08-23 24:00:00") == nil)
        #expect(utc.read("'; DROP TABLE x") == nil)
        var vienna = RadacctTimeReader(timeZone: TimeZone(identifier: "Europe/Vienna")!)
        // Summer (UTC+2) and winter (UTC+1) wall clocks.
        #expect(vienna.read("2021-08-23 09:57:36") == .time(1_629_705_456))
        #expect(vienna.read("2021-01-10 13:00:00") == .time(1_610_280_000))
        // An offset given wins over the zone.
        #expect(vienna.read("2021-08-23 07:57:36+00") == .time(1_629_705_456))
    }
}

@Suite struct RadacctRecordReaderTests {
    @Test func aClosedSession() throws {
        let r = try record([
            "18375113", "80511491", "f67e9e7a", "parham.alvani", "172.16.0.5", "sfp1", "2021-08-23 07:57:36",
            "2021-08-23 17:03:38", "2021-08-23 17:04:35", "181", "32819", "127083354", "570386619", "Admin-Reset",
        ]).get()
        #expect(r.key == "f67e9e7a")
        #expect(r.start == 1_629_705_456)
        #expect(r.end == 1_629_705_456 + 32819)
        #expect(r.stop == r.end)
        #expect(r.sessionSeconds == 32819)
        #expect(r.upload == 127_083_354)
        #expect(r.download == 570_386_619)
        #expect(r.terminateCause == 6)
        #expect(r.interimInterval == 181)
        #expect(r.quirks.isEmpty)
        // Spread over eleven hours (07:00-17:00), adding up exactly.
        let usage = r.usage(tenantID: 1)
        #expect(usage.count == 11)
        #expect(usage.reduce(0) { $0 + $1.uploadBytes } == 127_083_354)
        #expect(usage.reduce(0) { $0 + $1.downloadBytes } == 570_386_619)
        #expect(usage.reduce(0) { $0 + $1.sessionSeconds } == 32819)
        // 07:57:36-08:00:00 is 144 of 32,819 seconds: floor(570386619 * 144 / 32819).
        #expect(usage[0].downloadBytes == 2_502_686)
    }

    @Test func openSessions() throws {
        // 1.x: the zero date; 3.x: NULL with an update time; no update time: start + session time.
        let zero = try record(["20", "10", "", "liran", "0.0.0.0", "1", "2007-05-07 11:44:42", nil, "0000-00-00 00:00:00", nil, "0", "0", "0", ""])
            .get()
        #expect(zero.stop == nil)
        #expect(zero.end == zero.start)
        #expect(zero.key == "radacctid:20")
        #expect(zero.quirks == [.zeroStopTime, .unspecifiedNAS])
        let updated = try record([
            "7", "81f0000a", "3eb9", "demo_user", "10.2.2.1", "LAN", "2025-04-06 19:15:39", "2025-04-06 19:45:39", nil, nil,
            "1800", "10", "20", "",
        ]).get()
        #expect(updated.stop == nil)
        #expect(updated.end - updated.start == 1800)
        #expect(updated.quirks == [.open])
        let noUpdate = try record(["8", "x", "u8", "a", "10.2.2.1", "LAN", "2025-04-06 19:00:00", nil, nil, nil, "600", "1", "2", ""]).get()
        #expect(noUpdate.end - noUpdate.start == 600)
    }

    @Test func quirksOfRealTables() throws {
        // yfi row 73: stopped (10:27:26) before it started (20:15:36): taken as start + session time.
        let early = try record([
            "73", "4a1adb53", "5d26", "dvdwalt@ri", "10.20.30.2", "1", "2009-05-25 20:15:36", nil, "2009-05-25 10:27:26", nil,
            "7912", "5744974", "1251980", "Admin-Reset",
        ]).get()
        #expect(early.quirks == [.stopBeforeStart])
        #expect(early.end - early.start == 7912)
        // yfi row 89: 3591 s of session time over a ~31 h span: spread over the span, reported.
        let short = try record([
            "89", "x", "u89", "u", "10.20.30.2", "1", "2009-06-01 08:00:00", nil, "2009-06-02 15:00:00", nil,
            "3591", "100", "200", "",
        ]).get()
        #expect(short.quirks == [.sessionTimeShort])
        #expect(short.end - short.start == 31 * 3600)
        #expect(short.sessionSeconds == 3591)
        // yfi row 93: empty ports; NULL counters count as 0.
        let empty = try record(["93", "x", "u93", "", "127.0.0.1", "", "2009-06-01 08:00:00", nil, "2009-06-01 08:10:00", nil, "600", nil, nil, ""])
            .get()
        #expect(empty.quirks == [.nullCounters, .emptyPort, .emptyUserName])
        #expect(empty.upload == 0 && empty.download == 0)
        // Longer than 31 days: the live spread limit, reported.
        let long = try record([
            "94", "x", "u94", "u", "10.0.0.1", "1", "2009-01-01 00:00:00", nil, "2009-03-01 00:00:00", nil, "5097600", "1", "1", "",
        ]).get()
        #expect(long.quirks == [.spreadCapped])
    }

    @Test func gigawordsOfOlderLayoutsAreFolded() throws {
        let columns = v3Columns + ["acctinputgigawords", "acctoutputgigawords"]
        let r = try record(
            [
                "1", "s", "u", "a", "10.0.0.1", "1", "2009-01-01 00:00:00", nil, "2009-01-01 01:00:00", nil, "3600",
                "5", "7", "", "1", "2",
            ], columns: columns
        ).get()
        #expect(r.upload == 1 << 32 | 5)
        #expect(r.download == 2 << 32 | 7)
        #expect(r.quirks == [.gigawordsFolded])
    }

    @Test func refusals() throws {
        let base: [String?] = ["1", "s", "u", "a", "10.0.0.1", "1", "2009-01-01 00:00:00", nil, "2009-01-01 01:00:00", nil, "3600", "5", "7", ""]
        var negative = base
        negative[11] = "-5"
        #expect(try record(negative) == .failure(RadacctRowRefusal(.negativeValues, "a negative counter or session time")))
        var words = base
        words[12] = "12abc"
        #expect(try record(words) == .failure(RadacctRowRefusal(.unreadable, "acctoutputoctets \"12abc\" is not a number")))
        var noStart = base
        noStart[6] = nil
        noStart[8] = nil
        #expect(try record(noStart) == .failure(RadacctRowRefusal(.noStartTime, "neither a start time nor a stop time with a session time")))
    }

    @Test func implausibleValuesAreRefusedNotTrusted() throws {
        let base: [String?] = ["1", "s", "u", "a", "10.0.0.1", "1", "2009-01-01 00:00:00", nil, "2009-01-01 01:00:00", nil, "3600", "5", "7", ""]
        let implausible = { (message: String) in Result<RadacctRecord, RadacctRowRefusal>.failure(RadacctRowRefusal(.implausibleValues, message)) }
        // An open row whose session time is Int64.max would overflow its end time.
        var open = base
        open[8] = nil
        open[10] = "9223372036854775807"
        #expect(try record(open) == implausible("a session time of 9223372036854775807 s"))
        var huge = base
        huge[11] = String(Int64(1) << 51)
        #expect(try record(huge) == implausible("more than 2^50 octets"))
        var future = base
        future[8] = "2106-02-07 06:28:15"
        #expect(try record(future) == implausible("a time before 1980 or after the import"))
        var ancient = base
        ancient[6] = "1970-01-01 00:00:00"
        #expect(try record(ancient) == implausible("a time before 1980 or after the import"))
        var long = base
        long[3] = String(repeating: "x", count: 3000)
        #expect(try record(long) == implausible("username longer than 253 octets"))
        var wraps = base
        wraps[11] = String(UInt64.max)
        #expect(try record(wraps) == .failure(RadacctRowRefusal(.unreadable, "acctinputoctets \"18446744073709551615\" is not a number")))
    }

    @Test func localTimesOfTheSourceZone() throws {
        let r = try record(
            ["1", "s", "u", "a", "10.0.0.1", "1", "2021-08-23 09:57:36", nil, "2021-08-23 10:57:36", nil, "3600", "5", "7", ""],
            zone: "Europe/Vienna"
        ).get()
        #expect(r.start == 1_629_705_456)
    }
}

@Suite struct RadacctNASMapTests {
    private let devices = [
        RadacctNASMap.Device(id: 1, name: "core", address: "10.0.0.0", prefixLength: 8, identifier: nil),
        RadacctNASMap.Device(id: 2, name: "bras", address: "10.1.0.1", prefixLength: 32, identifier: "bras-1"),
        RadacctNASMap.Device(id: 3, name: "v6", address: "2001:db8::", prefixLength: 32, identifier: nil),
        RadacctNASMap.Device(id: 4, name: "twin-a", address: "192.0.2.1", prefixLength: 32, identifier: nil),
        RadacctNASMap.Device(id: 5, name: "twin-b", address: "192.0.2.1", prefixLength: 32, identifier: nil),
        // Behind FreeRADIUS at 198.51.100.1: registered by the NAS's own address as identifier.
        RadacctNASMap.Device(id: 6, name: "behind", address: "198.51.100.1", prefixLength: 32, identifier: "10.1.0.1"),
    ]

    @Test func longestPrefixIdentifierAndMap() throws {
        var map = try RadacctNASMap(
            devices: devices,
            entries: [
                RadacctNASMapEntry(source: "0.0.0.0", nasName: "bras", line: 1),
                RadacctNASMapEntry(source: "hotspot7", nasName: "core", line: 2),
            ])
        // 10.1.0.1 is also the identifier of the NAS behind FreeRADIUS: that registration wins.
        #expect(map.nasID(address: "10.1.0.1", identifier: nil) == 6)
        #expect(map.nasID(address: "10.1.0.2", identifier: nil) == 1)
        #expect(map.nasID(address: "2001:db8::7", identifier: nil) == 3)
        #expect(map.nasID(address: "0.0.0.0", identifier: nil) == 2)
        #expect(map.nasID(address: "172.16.0.1", identifier: "bras-1") == 2)
        #expect(map.nasID(address: "10.1.0.1", identifier: "hotspot7") == 1)
        // Two devices equally good: not guessed.
        #expect(map.nasID(address: "192.0.2.1", identifier: nil) == nil)
        #expect(map.nasID(address: "203.0.113.9", identifier: nil) == nil)
        #expect(map.nasID(address: "not an address", identifier: nil) == nil)
        var unmapped = try RadacctNASMap(devices: devices)
        #expect(unmapped.nasID(address: "0.0.0.0", identifier: nil) == nil)
    }

    @Test func mapFiles() throws {
        let entries = try RadacctNASMapEntry.parse("# radacct NAS = Tollgate NAS\n\n0.0.0.0 = bras\n  hotspot 7 =  core  \n")
        #expect(
            entries == [
                RadacctNASMapEntry(source: "0.0.0.0", nasName: "bras", line: 3), RadacctNASMapEntry(source: "hotspot 7", nasName: "core", line: 4),
            ])
        #expect(throws: RadacctNASMapError(line: 2, message: "expected `NASIPAddress-or-NAS-Identifier = NAS name`")) {
            try RadacctNASMapEntry.parse("a = b\nnonsense\n")
        }
        #expect(throws: RadacctNASMapError(line: 2, message: "a is mapped twice")) { try RadacctNASMapEntry.parse("a = b\na = c") }
        #expect(throws: RadacctNASMapError(line: 1, message: "the tenant has no NAS named 'ghost' (see `tollgate nas list`)")) {
            try RadacctNASMap(devices: devices, entries: [RadacctNASMapEntry(source: "a", nasName: "ghost", line: 1)])
        }
    }
}
