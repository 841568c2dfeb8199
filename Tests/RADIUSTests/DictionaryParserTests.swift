import RADIUS
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Writes files into a fresh temporary folder and returns its path.
func temporaryDictionaryTree(_ files: [String: String]) -> String {
    var template = Array("/tmp/tollgate-dict-XXXXXX".utf8CString)
    let directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    for (name, text) in files {
        let path = directory + "/" + name
        let file = fopen(path, "w")!
        fputs(text, file)
        fclose(file)
    }
    return directory
}

func dictionaryError(_ text: String) -> DictionaryError? {
    do {
        _ = try RADIUSDictionary(parsing: text, fileName: "test.dict")
        return nil
    } catch {
        return error
    }
}

@Suite("Dictionary loader")
struct DictionaryParserTests {
    @Test("Attributes, values, vendors and their lookups")
    func basics() throws {
        let d = testDictionary
        #expect(d.attribute(named: "user-name")?.number == 1)
        #expect(d.attribute(number: 44)?.name == "Acct-Session-Id")
        #expect(d.attribute(number: 200) == nil)
        #expect(d.vendor(named: "Acme")?.number == 99999)
        #expect(d.vendor(number: 88888)?.format == VendorFormat(typeWidth: 2, lengthWidth: 2))
        #expect(d.attribute(named: "Acme-Label")?.oid == "26.99999.2")
        #expect(d.attribute(named: "Example-TLV-Text")?.oid == "241.26.1.5.3")
        #expect(d.attribute(named: "Ext-TLV-C-B")?.oid == "241.2.3.2")
        #expect(d.attribute(named: "Tunnel-Type")?.flags.hasTag == true)
        #expect(d.attribute(named: "User-Password")?.flags.encrypt == 1)
        #expect(d.attribute(named: "EAP-Message")?.flags.concat == true)
        #expect(d.attribute(named: "DNS-Servers")?.flags.array == true)
        let status = try #require(d.attributeIndex(named: "Acct-Status-Type"))
        #expect(d.valueNumber(named: "interim-update", forAttributeAt: status) == 3)
        #expect(d.valueName(2, forAttributeAt: status) == "Stop")
        #expect(d.valueNameCount(forAttributeAt: status) == 3)
    }

    @Test("$INCLUDE follows relative paths; $INCLUDE- tolerates a missing file")
    func includes() throws {
        let dir = temporaryDictionaryTree([
            "dictionary": "$INCLUDE sub.dict\n$INCLUDE- not-there.dict\nATTRIBUTE Top 2 integer\n",
            "sub.dict": "ATTRIBUTE Inner 1 string\nVALUE Top Yes 1\n",
        ])
        let d = try RADIUSDictionary(contentsOf: dir + "/dictionary")
        #expect(d.attribute(named: "Inner")?.number == 1)
        // A VALUE before its ATTRIBUTE is resolved at the end.
        let top = try #require(d.attributeIndex(named: "Top"))
        #expect(d.valueName(1, forAttributeAt: top) == "Yes")

        let missing = temporaryDictionaryTree(["dictionary": "ATTRIBUTE A 1 string\n$INCLUDE gone.dict\n"])
        do {
            _ = try RADIUSDictionary(contentsOf: missing + "/dictionary")
            Issue.record("missing include accepted")
        } catch {
            #expect(error.location == SourceLocation(file: missing + "/dictionary", line: 2))
            #expect(error.message.contains("gone.dict"))
        }

        let loop = temporaryDictionaryTree(["a": "$INCLUDE b\n", "b": "$INCLUDE a\n"])
        #expect(throws: DictionaryError.self) { try RADIUSDictionary(contentsOf: loop + "/a") }
    }

    @Test("BEGIN-TLV blocks and old-style vendor names")
    func tlvBlocksAndOldStyle() throws {
        let d = try RADIUSDictionary(
            parsing: """
                VENDOR Old 4242
                ATTRIBUTE Old-Thing 3 integer Old
                ATTRIBUTE Old-Group 4 tlv Old
                BEGIN-TLV Old-Group
                ATTRIBUTE Old-Group-Member 1 ipaddr
                END-TLV Old-Group
                """)
        #expect(d.attribute(named: "Old-Thing")?.oid == "26.4242.3")
        #expect(d.attribute(named: "Old-Group-Member")?.oid == "26.4242.4.1")
    }

    @Test(
        "Errors name file and line",
        arguments: [
            ("ATTRIBUTE A 1", 1, "ATTRIBUTE takes"),
            ("\n\nATTRIBUTE A 1 float", 3, "unknown data type"),
            ("ATTRIBUTE A 1 integer bogus_flag", 1, "unknown attribute flag"),
            ("ATTRIBUTE A x integer", 1, "not a number"),
            ("ATTRIBUTE A 1.1 integer", 1, "no parent attribute"),
            ("ATTRIBUTE A 1 integer\nATTRIBUTE B 1.1 integer", 2, "not a container"),
            ("ATTRIBUTE A 0 integer", 1, "number 0"),
            ("ATTRIBUTE A 250 extended", 1, "must be numbered"),
            ("VALUE Nope X 1", 1, "unknown attribute Nope"),
            ("ATTRIBUTE A 1 byte\nVALUE A Big 256", 2, "does not fit"),
            ("ATTRIBUTE A 1 string\nVALUE A X 1", 2, "string attribute"),
            ("VENDOR V 1 format=3,1", 1, "type width"),
            ("VENDOR V 1 format=1,1,c,x", 1, "type width"),
            ("VENDOR V 1\nVENDOR V 2", 2, "already defined"),
            ("BEGIN-VENDOR Nobody", 1, "no VENDOR"),
            ("VENDOR V 1\nBEGIN-VENDOR V\nATTRIBUTE V-A 1 string", 2, "no END-VENDOR"),
            ("VENDOR V 1\nBEGIN-VENDOR V\nEND-VENDOR W", 3, "does not close"),
            ("VENDOR V 1\nBEGIN-VENDOR V\nATTRIBUTE V-A 256 string\nEND-VENDOR V", 3, "does not fit"),
            ("FROB x", 1, "unknown keyword"),
            ("ATTRIBUTE Bad;Name 1 string", 1, "invalid character"),
            ("ATTRIBUTE A 1 octets[300]", 1, "fixed-size"),
            ("BEGIN-TLV Missing", 1, "BEGIN-TLV"),
        ] as [(String, Int, String)])
    func errors(text: String, line: Int, message: String) {
        let error = dictionaryError(text)
        #expect(error?.location.line == line, "\(text)")
        #expect(error?.location.file == "test.dict")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("test.dict:\(line): ") == true)
    }

    @Test("Redefinitions are warnings; the latest definition of a number decodes")
    func redefinitions() throws {
        let d = try RADIUSDictionary(
            parsing: """
                ATTRIBUTE Legacy-Thing 241 integer
                ATTRIBUTE Extended-Attribute-1 241 extended
                ATTRIBUTE Ext-A 241.1 string
                ATTRIBUTE Same 5 integer
                ATTRIBUTE Same 5 integer
                """)
        #expect(d.attribute(number: 241)?.name == "Extended-Attribute-1")
        #expect(d.attribute(named: "Legacy-Thing") != nil)
        #expect(d.warnings.count == 1)
    }

    @Test("Comments, blank lines, tabs, hex numbers, fixed-size octets and type aliases")
    func syntaxDetails() throws {
        let d = try RADIUSDictionary(
            parsing: "# header\n\n\tATTRIBUTE\tHexy\t0x10\tuint32\t# trailing\nATTRIBUTE Fixed 17 octets[16]\nATTRIBUTE Caps 18 String\n")
        #expect(d.attribute(named: "Hexy")?.number == 16)
        #expect(d.attribute(named: "Hexy")?.type == .integer)
        #expect(d.attribute(named: "Fixed")?.requiredLength == 16)
        #expect(d.attribute(named: "Caps")?.type == .string)
    }

    @Test("The project's dictionaries load without error or warning")
    func projectDictionaries() throws {
        let d = try RADIUSDictionary(contentsOf: projectDictionaryPath)
        #expect(d.warnings.isEmpty, "\(d.warnings)")
        for name in [
            "User-Name", "Acct-Status-Type", "Acct-Input-Octets", "Acct-Output-Octets", "Acct-Input-Gigawords",
            "Acct-Output-Gigawords", "Acct-Session-Id", "Acct-Multi-Session-Id", "Acct-Terminate-Cause",
            "Event-Timestamp", "Acct-Delay-Time", "NAS-Identifier", "NAS-Port-Id", "Class", "Message-Authenticator",
            "Framed-IPv6-Prefix", "Delegated-IPv6-Prefix", "Framed-IPv6-Address", "Frag-Status",
        ] {
            #expect(d.attribute(named: name) != nil, "\(name) missing")
        }
        for vendor in [9, 2011, 2352, 2636, 4874, 6527, 14122, 14559, 14988] as [UInt32] {
            #expect(d.vendor(number: vendor) != nil, "vendor \(vendor) missing")
        }
        #expect(d.attribute(named: "Extended-Attribute-1")?.type == .extended)
        #expect(d.attribute(named: "Extended-Attribute-5")?.type == .longExtended)
    }

    @Test("The complete FreeRADIUS 3.2 dictionary tree loads")
    func freeRADIUSTree() throws {
        let path = environment("TOLLGATE_TEST_FREERADIUS_DICTIONARY") ?? "/usr/share/freeradius/dictionary"
        try #require(access(path, R_OK) == 0, "FreeRADIUS dictionaries not installed at \(path) (scripts/test installs freeradius-common)")
        let d = try RADIUSDictionary(contentsOf: path)
        #expect(d.vendors.count > 150)
        #expect(d.attributes.count > 5000)
        #expect(d.valueCount > 5000)
        #expect(d.attribute(named: "WiMAX-Release")?.oid == "26.24757.1.1")
        #expect(d.attribute(named: "Extended-Vendor-Specific-5")?.type == .evs)
        #expect(d.vendor(named: "USR")?.format == VendorFormat(typeWidth: 4, lengthWidth: 0))
        #expect(d.vendor(named: "WiMAX")?.format.hasContinuation == true)
    }
}

func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}
