import RADIUS

func hex(_ text: String) -> [UInt8] {
    guard let bytes = parseHex(text) else { fatalError("bad hex in test: \(text)") }
    return bytes
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The repository root, found from this file's path.
let repositoryRoot: String = {
    var path = #filePath
    for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
    return path
}()

/// The project's own dictionary tree.
let projectDictionaryPath = repositoryRoot + "/Dictionaries/dictionary"

/// Loaded once: the project's dictionary.
let projectDictionary: RADIUSDictionary = {
    do { return try RADIUSDictionary(contentsOf: projectDictionaryPath) } catch { fatalError("\(error)") }
}()

/// A small dictionary for tests that must not depend on the shipped files.
let testDictionaryText = """
    ATTRIBUTE   User-Name           1   string
    ATTRIBUTE   User-Password       2   string  encrypt=1
    ATTRIBUTE   NAS-IP-Address      4   ipaddr
    ATTRIBUTE   NAS-Port            5   integer
    ATTRIBUTE   Service-Type        6   integer
    ATTRIBUTE   Framed-IP-Address   8   ipaddr
    ATTRIBUTE   Class               25  octets
    ATTRIBUTE   Vendor-Specific     26  vsa
    ATTRIBUTE   Acct-Status-Type    40  integer
    ATTRIBUTE   Acct-Delay-Time     41  integer
    ATTRIBUTE   Acct-Input-Octets   42  integer
    ATTRIBUTE   Acct-Output-Octets  43  integer
    ATTRIBUTE   Acct-Session-Id     44  string
    ATTRIBUTE   Acct-Session-Time   46  integer
    ATTRIBUTE   Acct-Input-Gigawords 52 integer
    ATTRIBUTE   Event-Timestamp     55  date
    ATTRIBUTE   Tunnel-Type         64  integer has_tag
    ATTRIBUTE   Tunnel-Client-Endpoint 66 string has_tag
    ATTRIBUTE   EAP-Message         79  octets  concat
    ATTRIBUTE   Message-Authenticator 80 octets
    ATTRIBUTE   NAS-Port-Id         87  string
    ATTRIBUTE   Framed-IPv6-Prefix  97  ipv6prefix
    ATTRIBUTE   Delegated-IPv6-Prefix 123 ipv6prefix
    ATTRIBUTE   Framed-IPv6-Address 168 ipv6addr
    ATTRIBUTE   DNS-Servers         169 ipaddr array
    VALUE Acct-Status-Type Start 1
    VALUE Acct-Status-Type Stop 2
    VALUE Acct-Status-Type Interim-Update 3
    VALUE Tunnel-Type L2TP 3

    ATTRIBUTE   Extended-Attribute-1 241 extended
    ATTRIBUTE   Extended-Attribute-5 245 long-extended
    ATTRIBUTE   Extended-Vendor-Specific-1 241.26 evs
    ATTRIBUTE   Extended-Vendor-Specific-5 245.26 evs
    ATTRIBUTE   Ext-Text            241.1   string
    ATTRIBUTE   Ext-TLV             241.2   tlv
    ATTRIBUTE   Ext-TLV-A           241.2.1 octets
    ATTRIBUTE   Ext-TLV-B           241.2.2 octets
    ATTRIBUTE   Ext-TLV-C           241.2.3 tlv
    ATTRIBUTE   Ext-TLV-C-A         241.2.3.1 octets
    ATTRIBUTE   Ext-TLV-C-B         241.2.3.2 string
    ATTRIBUTE   Long-Text           245.1   string
    ATTRIBUTE   Long-TLV            245.2   tlv
    ATTRIBUTE   Long-TLV-A          245.2.1 octets
    ATTRIBUTE   Long-Octets         245.4   octets

    VENDOR      Example             1
    BEGIN-VENDOR Example format=Extended-Vendor-Specific-1
    ATTRIBUTE   Example-Text        4   string
    ATTRIBUTE   Example-TLV         5   tlv
    ATTRIBUTE   Example-TLV-Text    5.3 string
    END-VENDOR  Example

    VENDOR      Acme                99999
    BEGIN-VENDOR Acme
    ATTRIBUTE   Acme-Rate           1   integer
    ATTRIBUTE   Acme-Label          2   string
    END-VENDOR  Acme

    VENDOR      Wide                88888   format=2,2
    BEGIN-VENDOR Wide
    ATTRIBUTE   Wide-Counter        300 integer64
    END-VENDOR  Wide

    VENDOR      Chained             77777   format=1,1,c
    BEGIN-VENDOR Chained
    ATTRIBUTE   Chained-Blob        7   octets
    END-VENDOR  Chained

    VENDOR      Bare                66666   format=4,0
    BEGIN-VENDOR Bare
    ATTRIBUTE   Bare-Value          70000 integer
    END-VENDOR  Bare
    """

let testDictionary: RADIUSDictionary = {
    do { return try RADIUSDictionary(parsing: testDictionaryText) } catch { fatalError("\(error)") }
}()
