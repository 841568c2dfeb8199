import Foundation
import RADIUS
import TestSupport
import Testing

@testable import Enforcement

@Suite("Vendor profiles")
struct VendorProfileTests {
    let identity4 = ["User-Name=alice", "Acct-Session-Id=s1", "NAS-IP-Address=192.0.2.1"]

    func attributes(
        _ profile: String, _ action: EnforcementAction, rate: String? = nil, planRate: String? = nil,
        session: SessionIdentity = aliceSession
    ) throws -> (DynamicAuthorizationMessage.Kind, [String]) {
        let message = try #require(shippedProfiles.profile(profile)).request(for: action, session: session, rate: rate, planRate: planRate)
        return (message.kind, message.attributes.map(\.description))
    }

    @Test("The five shipped profiles load")
    func shipped() throws {
        #expect(shippedProfiles.names == ["cisco", "generic", "huawei", "juniper", "mikrotik"])
        // Found the way the server finds it: the dictionary beside the source tree.
        #expect(try VendorProfiles.load(directory: RealData.repositoryRoot + "/Config/vendors").names.count == 5)
    }

    @Test("generic: Filter-Id")
    func generic() throws {
        let id = identity4 + ["NAS-Identifier=bras-1"]
        #expect(try attributes("generic", .throttle, rate: "slow") == (.coa, id + ["Filter-Id=slow"]))
        #expect(try attributes("generic", .block) == (.coa, id + ["Filter-Id=tollgate-blocked"]))
        #expect(try attributes("generic", .restore, planRate: "gold") == (.coa, id + ["Filter-Id=gold"]))
        #expect(try attributes("generic", .disconnect) == (.disconnect, id))
    }

    @Test("mikrotik: Mikrotik-Rate-Limit rx/tx and Mikrotik-Address-List, on the wire as vendor 14988")
    func mikrotik() throws {
        let id = identity4 + ["Framed-IP-Address=10.0.0.5"]
        #expect(try attributes("mikrotik", .throttle, rate: "1M/2M") == (.coa, id + ["Mikrotik-Rate-Limit=1M/2M"]))
        #expect(try attributes("mikrotik", .block) == (.coa, id + ["Mikrotik-Address-List=tollgate-blocked"]))
        #expect(
            try attributes("mikrotik", .restore, planRate: "10M/20M")
                == (.coa, id + ["Mikrotik-Rate-Limit=10M/20M", "Mikrotik-Address-List=tollgate-active"]))
        #expect(try attributes("mikrotik", .disconnect) == (.disconnect, id))
        let message = try #require(shippedProfiles.profile("mikrotik")).request(for: .throttle, session: aliceSession, rate: "1M/2M", planRate: nil)
        #expect(hexString(message.attributes.last!.encoded) == "1a0d00003a8c0807" + hexString(Array("1M/2M".utf8)))
        #expect(message.summary == "CoA Mikrotik-Rate-Limit=1M/2M")
    }

    @Test("cisco: Cisco-AVPair QoS policies and ISG service activation")
    func cisco() throws {
        #expect(
            try attributes("cisco", .throttle, rate: "SLOW-IN/SLOW-OUT") == (
                .coa,
                identity4 + [
                    "Cisco-AVPair=subscriber:sub-qos-policy-in=SLOW-IN", "Cisco-AVPair=subscriber:sub-qos-policy-out=SLOW-OUT",
                ]
            ))
        #expect(
            try attributes("cisco", .block) == (
                .coa,
                identity4 + [
                    "Cisco-AVPair=subscriber:command=activate-service", "Cisco-AVPair=subscriber:service-name=tollgate-blocked",
                ]
            ))
        #expect(
            try attributes("cisco", .restore, planRate: "PLAN-IN/PLAN-OUT") == (
                .coa,
                identity4 + [
                    "Cisco-AVPair=subscriber:command=deactivate-service", "Cisco-AVPair=subscriber:service-name=tollgate-blocked",
                    "Cisco-AVPair=subscriber:sub-qos-policy-in=PLAN-IN", "Cisco-AVPair=subscriber:sub-qos-policy-out=PLAN-OUT",
                ]
            ))
        #expect(try attributes("cisco", .disconnect) == (.disconnect, identity4))
        let message = try #require(shippedProfiles.profile("cisco")).request(for: .block, session: aliceSession, rate: nil, planRate: nil)
        let text = Array("subscriber:command=activate-service".utf8)
        #expect(message.attributes[3].encoded == [26, UInt8(text.count + 8), 0, 0, 0, 9, 1, UInt8(text.count + 2)] + text)
    }

    @Test("juniper: tagged ERX-Service-Activate with rates in bit/s, ERX-Service-Deactivate")
    func juniper() throws {
        #expect(
            try attributes("juniper", .throttle, rate: "1M/2M")
                == (.coa, identity4 + ["ERX-Service-Activate:1=tollgate-rate(1000000,2000000)"]))
        #expect(try attributes("juniper", .block) == (.coa, identity4 + ["ERX-Service-Activate:2=tollgate-blocked"]))
        #expect(
            try attributes("juniper", .restore, planRate: "10M/20M") == (
                .coa,
                identity4 + [
                    "ERX-Service-Deactivate=tollgate-blocked", "ERX-Service-Activate:1=tollgate-rate(10000000,20000000)",
                ]
            ))
        #expect(try attributes("juniper", .disconnect) == (.disconnect, identity4))
        let message = try #require(shippedProfiles.profile("juniper")).request(for: .block, session: aliceSession, rate: nil, planRate: nil)
        let text = Array("tollgate-blocked".utf8)
        // Vendor 4874, type 65, then the tag octet 2 before the text (RFC 2868).
        #expect(message.attributes[3].encoded == [26, UInt8(text.count + 9), 0, 0, 0x13, 0x0a, 65, UInt8(text.count + 3), 2] + text)
    }

    @Test("huawei: CIR in bit/s and HW-Subscriber-QoS-Profile")
    func huawei() throws {
        let id = identity4 + ["Framed-IP-Address=10.0.0.5"]
        #expect(
            try attributes("huawei", .throttle, rate: "512k/1.5M") == (
                .coa,
                id + [
                    "HW-Input-Committed-Information-Rate=512000", "HW-Output-Committed-Information-Rate=1500000",
                ]
            ))
        #expect(try attributes("huawei", .block) == (.coa, id + ["HW-Subscriber-QoS-Profile=tollgate-blocked"]))
        #expect(
            try attributes("huawei", .restore, planRate: "10M/20M") == (
                .coa,
                id + [
                    "HW-Subscriber-QoS-Profile=tollgate-default", "HW-Input-Committed-Information-Rate=10000000",
                    "HW-Output-Committed-Information-Rate=20000000",
                ]
            ))
        #expect(try attributes("huawei", .disconnect) == (.disconnect, id))
        let message = try #require(shippedProfiles.profile("huawei")).request(for: .throttle, session: aliceSession, rate: "1M/2M", planRate: nil)
        #expect(hexString(message.attributes[4].encoded) == "1a0c000007db0206000f4240")
    }

    @Test("Identity: missing fields are left out, IPv6 addresses use the IPv6 attributes")
    func identityVariants() throws {
        let session = SessionIdentity(userName: "", acctSessionID: "s9", nasIPAddress: "2001:db8::1", framedIPAddress: "2001:db8:1::5")
        let (_, attrs) = try attributes("mikrotik", .disconnect, session: session)
        #expect(attrs == ["Acct-Session-Id=s9", "NAS-IPv6-Address=2001:db8::1", "Framed-IPv6-Address=2001:db8:1::5"])
        let message = try #require(shippedProfiles.profile("mikrotik")).request(for: .disconnect, session: session, rate: nil, planRate: nil)
        #expect(message.attributes[1].encoded == [95, 18] + IPv6Address("2001:db8::1")!.bytes)
        #expect(message.summary == "Disconnect Acct-Session-Id=s9, NAS-IPv6-Address=2001:db8::1, Framed-IPv6-Address=2001:db8:1::5")
    }

    @Test("Requests that cannot be built fail, naming the profile and action")
    func requestErrors() throws {
        let mikrotik = try #require(shippedProfiles.profile("mikrotik"))
        let huawei = try #require(shippedProfiles.profile("huawei"))
        #expect(throws: VendorProfileError(file: "mikrotik", key: "[throttle]", "{rate} needs the policy's rate, and none was given")) {
            try mikrotik.request(for: .throttle, session: aliceSession, rate: nil, planRate: nil)
        }
        #expect(throws: VendorProfileError(file: "mikrotik", key: "[restore]", "{plan_rate} needs the plan's rate, and none was given")) {
            try mikrotik.request(for: .restore, session: aliceSession, rate: "1M/1M", planRate: nil)
        }
        #expect(throws: VendorProfileError.self) { try huawei.request(for: .throttle, session: aliceSession, rate: "fast/slow", planRate: nil) }
        #expect(throws: VendorProfileError.self) { try huawei.request(for: .throttle, session: aliceSession, rate: "5G/5G", planRate: nil) }
        #expect(throws: VendorProfileError.self) { try mikrotik.request(for: .throttle, session: aliceSession, rate: "1M//2M", planRate: nil) }
        var bad = aliceSession
        bad.nasIPAddress = "not-an-address"
        #expect(throws: VendorProfileError.self) { try mikrotik.request(for: .block, session: bad, rate: nil, planRate: nil) }
    }

    @Test("Rates: parts and bits per second")
    func rates() {
        let burst = RateText("1M/2M 2M/4M 1M/2M 10/10")
        #expect(burst?.upload == "1M")
        #expect(burst?.download == "2M")
        #expect(RateText("128k")?.download == "128k")
        #expect(RateText("") == nil)
        #expect(RateText("1M/") == nil)
        #expect(RateText("1M/2M/3M") == nil)
        #expect(RateText.bitsPerSecond("512k") == 512_000)
        #expect(RateText.bitsPerSecond("1.5M") == 1_500_000)
        #expect(RateText.bitsPerSecond("2G") == 2_000_000_000)
        #expect(RateText.bitsPerSecond("64000") == 64_000)
        #expect(RateText.bitsPerSecond("1.0000001k") == nil)
        #expect(RateText.bitsPerSecond("M") == nil)
        #expect(RateText.bitsPerSecond("1.M") == nil)
        #expect(RateText.bitsPerSecond("-1M") == nil)
    }
}

@Suite("Vendor profile validation at load")
struct VendorProfileLoadTests {
    static let valid = """
        description = "test"
        [identity]
        attributes = ["User-Name", "Acct-Session-Id"]
        [throttle]
        request = "coa"
        attributes = ["Filter-Id = {rate}"]
        [block]
        request = "coa"
        attributes = ["Filter-Id = blocked"]
        [restore]
        request = "coa"
        attributes = ["Filter-Id = {plan_rate}"]
        [disconnect]
        request = "disconnect"
        attributes = []
        """

    func loadError(_ text: String) throws -> VendorProfileError {
        let directory = try temporaryProfiles(["bad.toml": text])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            _ = try VendorProfiles.load(directory: directory, dictionary: projectDictionary)
        } catch let error as VendorProfileError {
            #expect(error.file == directory + "/bad.toml")
            return error
        }
        Issue.record("loaded without error")
        return VendorProfileError(file: "", key: "", "")
    }

    @Test("A valid custom profile loads under its file name and builds its requests")
    func valid() throws {
        let directory = try temporaryProfiles(["my-nas.toml": Self.valid, "README.md": "not a profile"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let profiles = try VendorProfiles.load(directory: directory, dictionary: projectDictionary)
        #expect(profiles.names == ["my-nas"])
        let message = try #require(profiles.profile("my-nas")).request(for: .throttle, session: aliceSession, rate: "slow", planRate: nil)
        #expect(message.attributes.map(\.description) == ["User-Name=alice", "Acct-Session-Id=s1", "Filter-Id=slow"])
    }

    @Test(
        "A profile file a NAS's vendor could never name is refused",
        arguments: ["MyVendor.toml", "_x.toml", "-x.toml", "a b.toml", String(repeating: "v", count: 41) + ".toml"])
    func unusableFileName(_ file: String) throws {
        let directory = try temporaryProfiles([file: Self.valid])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: VendorProfileError.self) { try VendorProfiles.load(directory: directory, dictionary: projectDictionary) }
    }

    static let mistakeCases: [(String, String, String, String)] = {
        let valid = VendorProfileLoadTests.valid
        var cases: [(String, String, String, String)] = []
        cases.append(
            (
                "unknown attribute", valid.replacingOccurrences(of: "Filter-Id = blocked", with: "Filter-Idd = blocked"), "block.attributes[0]",
                "unknown attribute Filter-Idd"
            ))
        cases.append(
            (
                "unknown placeholder", valid.replacingOccurrences(of: "{rate}", with: "{speed}"), "throttle.attributes[0]",
                "unknown placeholder {speed}"
            ))
        cases.append(
            (
                "missing section", valid.replacingOccurrences(of: "[block]\nrequest = \"coa\"\nattributes = [\"Filter-Id = blocked\"]\n", with: ""),
                "[block]", "missing section"
            ))
        cases.append(
            (
                "missing identity", valid.replacingOccurrences(of: "[identity]\nattributes = [\"User-Name\", \"Acct-Session-Id\"]\n", with: ""),
                "[identity]", "missing section"
            ))
        cases.append(
            (
                "disconnect with attributes", valid.replacingOccurrences(of: "attributes = []", with: "attributes = [\"Filter-Id = x\"]"),
                "disconnect.attributes", "only the [identity] attributes"
            ))
        cases.append(
            ("empty CoA", valid.replacingOccurrences(of: "[\"Filter-Id = blocked\"]", with: "[]"), "block.attributes", "at least one attribute"))
        cases.append(
            (
                "bad request", valid.replacingOccurrences(of: "request = \"disconnect\"", with: "request = \"kick\""), "disconnect.request",
                "\"coa\" or \"disconnect\""
            ))
        cases.append(("unknown key", valid.replacingOccurrences(of: "[block]\n", with: "[block]\nretries = 3\n"), "block.retries", "unknown key"))
        cases.append(("unknown table", valid + "\n[throttel]\nrequest = \"coa\"\n", "throttel", "unknown key"))
        cases.append(
            (
                "identity not allowed",
                valid.replacingOccurrences(of: "\"User-Name\", \"Acct-Session-Id\"", with: "\"User-Name\", \"Calling-Station-Id\""),
                "identity.attributes[1]", "not an identity attribute"
            ))
        cases.append(
            (
                "identity without session", valid.replacingOccurrences(of: "\"User-Name\", \"Acct-Session-Id\"", with: "\"NAS-Identifier\""),
                "identity.attributes", "Acct-Session-Id or User-Name"
            ))
        cases.append(
            (
                "identity in a section", valid.replacingOccurrences(of: "Filter-Id = blocked", with: "User-Name = bob"), "block.attributes[0]",
                "list it in [identity]"
            ))
        cases.append(
            (
                "integer literal", valid.replacingOccurrences(of: "Filter-Id = blocked", with: "Session-Timeout = soon"), "block.attributes[0]",
                "takes a number"
            ))
        cases.append(
            (
                "integer from a text rate", valid.replacingOccurrences(of: "Filter-Id = {rate}", with: "Session-Timeout = {rate}"),
                "throttle.attributes[0]", "takes a number"
            ))
        cases.append(
            (
                "bad tag", valid.replacingOccurrences(of: "Filter-Id = blocked", with: "ERX-Service-Activate:40 = x"), "block.attributes[0]",
                "outside 1...31"
            ))
        cases.append(
            (
                "tag on an untagged attribute", valid.replacingOccurrences(of: "Filter-Id = blocked", with: "Filter-Id:1 = x"), "block.attributes[0]",
                "takes no tag"
            ))
        cases.append(("no description", valid.replacingOccurrences(of: "description = \"test\"\n", with: ""), "description", "missing"))
        cases.append(
            (
                "TOML syntax", valid.replacingOccurrences(of: "request = \"coa\"", with: "request = coa"), "line 5, column 11",
                "could not determine value type (strings need quotes)"
            ))
        return cases
    }()

    @Test("Each mistake is reported with the file and the key", arguments: mistakeCases)
    func mistakes(_ name: String, text: String, key: String, message: String) throws {
        let error = try loadError(text)
        #expect(error.key == key, "\(name): \(error)")
        #expect(error.message.contains(message), "\(name): \(error)")
    }

    @Test("A folder without profiles is an error")
    func empty() throws {
        let directory = try temporaryProfiles(["README.md": "x"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: VendorProfileError(file: directory, key: "", "no vendor profiles (*.toml) in the folder")) {
            try VendorProfiles.load(directory: directory, dictionary: projectDictionary)
        }
    }
}
