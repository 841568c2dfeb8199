import RADIUS
import Testing

/// Builds an Accounting-Request holding `attributes` (already encoded) and decodes it.
func decodeAttributes(_ encoded: [UInt8], dictionary: RADIUSDictionary = testDictionary) throws -> [DecodedAttribute] {
    var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: 1)
    builder.appendEncodedAttributes(encoded)
    let packet = try RADIUSPacket(decoding: try builder.build().bytes)
    return packet.decodeAttributes(dictionary: dictionary)
}

@Suite("RFC 6929 extended attributes")
struct ExtendedAttributeTests {
    @Test("9.1 Extended-Type: text, TLVs, nested TLVs, Extended-Vendor-Specific")
    func extendedType() throws {
        let text = try decodeAttributes(hex("f10601626f62"))
        #expect(
            text == [
                DecodedAttribute(
                    name: "Ext-Text", oid: "241.1", number: 1, value: .text("bob"), definitionIndex: testDictionary.attributeIndex(named: "Ext-Text"))
            ])

        let oneTLV = try decodeAttributes(hex("f1070201042345"))
        guard case .tlv(let children) = oneTLV.first?.value else {
            Issue.record("not a TLV")
            return
        }
        #expect(children.map(\.name) == ["Ext-TLV-A"])
        #expect(children.first?.value == .octets([0x23, 0x45]))

        let nested = try decodeAttributes(hex("f1120201042345030b0104abcd0205666f6f"))
        guard case .tlv(let outer) = nested.first?.value, outer.count == 2, case .tlv(let inner) = outer[1].value else {
            Issue.record("nested TLV not decoded: \(nested)")
            return
        }
        #expect(outer[1].name == "Ext-TLV-C")
        #expect(inner.map(\.value) == [.octets([0xab, 0xcd]), .text("foo")])
        #expect(inner.map(\.oid) == ["241.2.3.1", "241.2.3.2"])

        let evs = try decodeAttributes(hex("f10c1a000000010474657374"))
        #expect(evs.first?.name == "Example-Text")
        #expect(evs.first?.vendor == 1)
        #expect(evs.first?.value == .text("test"))

        let evsTLV = try decodeAttributes(hex("f10e1a0000000105030674657374"))
        guard case .tlv(let evsChildren) = evsTLV.first?.value else {
            Issue.record("EVS TLV not decoded")
            return
        }
        #expect(evsChildren.first?.name == "Example-TLV-Text")
        #expect(evsChildren.first?.value == .text("test"))
    }

    @Test("Deeply nested TLVs of unknown children decode as octets, never crash")
    func deepNesting() throws {
        let decoded = try decodeAttributes(hex("f10f01010c020a030804060504cdef"))
        // 241.1 is text in the test dictionary: the nested bytes are its (valid UTF-8) value.
        #expect(decoded.count == 1)
        #expect(decoded.first?.oid == "241.1")
    }

    @Test("9.2 Long-Extended-Type: single attributes and fragments reassembled")
    func longExtended() throws {
        #expect(try decodeAttributes(hex("f5070100626f62")).first?.value == .text("bob"))
        let tlv = try decodeAttributes(hex("f508020001042345"))
        guard case .tlv(let children) = tlv.first?.value else {
            Issue.record("not a TLV")
            return
        }
        #expect(children.first?.value == .octets([0x23, 0x45]))

        // 266 octets in two fragments: M set on the first, clear on the last.
        let value = [UInt8](repeating: 0xaa, count: 125) + [0xab] + [UInt8](repeating: 0xbb, count: 125) + [UInt8](repeating: 0xcc, count: 15)
        var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: 1)
        try builder.appendLongExtended(type: 245, extendedType: 4, value: value)
        let packet = try builder.build()
        #expect(Array(packet.bytes[20...]) == hex("f5ff0480") + value.prefix(251) + hex("f5130400") + value.suffix(15))
        let decoded = try RADIUSPacket(decoding: packet.bytes).decodeAttributes(dictionary: testDictionary)
        #expect(decoded.count == 1)
        #expect(decoded.first?.name == "Long-Octets")
        #expect(decoded.first?.value == .octets(value))

        // An Extended-Vendor-Specific value split over two fragments.
        let evsValue =
            [UInt8](repeating: 0xaa, count: 125) + [0xab] + [UInt8](repeating: 0xbb, count: 125) + [UInt8](repeating: 0xcc, count: 10)
            + hex("13456789")
        let evs = try decodeAttributes(hex("f5ff1a800000000106") + evsValue.prefix(246) + hex("f5171a00") + evsValue.suffix(from: 246))
        #expect(evs.count == 1)
        #expect(evs.first?.oid == "245.26.1.6")
        #expect(evs.first?.value == .octets(evsValue))
    }

    @Test("Fragment abuse: More set on the last fragment, or a different Extended-Type next")
    func fragmentAbuse() throws {
        let dangling = try decodeAttributes(hex("f5070480626f62"))
        guard case .invalid(_, let reason)? = dangling.first?.value else {
            Issue.record("dangling fragment accepted")
            return
        }
        #expect(reason.contains("More"))
        let mismatched = try decodeAttributes(hex("f5070480626f62") + hex("f5070500626f62"))
        #expect(mismatched.contains { if case .invalid = $0.value { return true } else { return false } })
        let empty = try decodeAttributes(hex("f502"))
        guard case .invalid? = empty.first?.value else {
            Issue.record("empty long-extended accepted")
            return
        }
    }
}

@Suite("Attribute decoding")
struct AttributeDecodingTests {
    @Test("Vendor-Specific in the standard format, several vendor attributes in one VSA")
    func vendorSpecific() throws {
        var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: 9)
        try builder.appendVendorSpecific(vendor: 99999, type: 1, value: [0, 0, 1, 0])
        try builder.appendVendorSpecific(vendor: 99999, type: 2, value: bytes("gold"))
        let decoded = try RADIUSPacket(decoding: try builder.build().bytes).decodeAttributes(dictionary: testDictionary)
        #expect(decoded.map(\.name) == ["Acme-Rate", "Acme-Label"])
        #expect(decoded.map(\.value) == [.integer(256), .text("gold")])
        #expect(decoded.map(\.oid) == ["26.99999.1", "26.99999.2"])

        // Two vendor attributes packed in one Vendor-Specific.
        let packed = try decodeAttributes(hex("1a12") + hex("0001869f") + hex("010600000005") + hex("0206") + bytes("abcd"))
        #expect(packed.map(\.name) == ["Acme-Rate", "Acme-Label"])
    }

    @Test("Vendor formats 2,2 and 4,0 and 1,1,c (continuation joined)")
    func vendorFormats() throws {
        var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: 9)
        try builder.appendVendorSpecific(vendor: 88888, type: 300, value: hex("0000000100000002"), format: VendorFormat(typeWidth: 2, lengthWidth: 2))
        try builder.appendVendorSpecific(vendor: 66666, type: 70000, value: hex("0000002a"), format: VendorFormat(typeWidth: 4, lengthWidth: 0))
        let decoded = try RADIUSPacket(decoding: try builder.build().bytes).decodeAttributes(dictionary: testDictionary)
        #expect(decoded.map(\.name) == ["Wide-Counter", "Bare-Value"])
        #expect(decoded.map(\.value) == [.integer64(0x1_0000_0002), .integer(42)])

        // Continuation: the first sub-attribute has the More bit, the second completes it.
        let first = hex("00012fd1") + hex("07058001") + [0x02]
        let second = hex("00012fd1") + hex("0705000304")
        let chained = try decodeAttributes([26, UInt8(first.count + 2)] + first + [26, UInt8(second.count + 2)] + second)
        #expect(chained.map(\.name) == ["Chained-Blob"])
        #expect(chained.first?.value == .octets([0x01, 0x02, 0x03, 0x04]))
    }

    @Test("Malformed Vendor-Specific payloads are reported, not fatal")
    func malformedVendorSpecific() throws {
        let short = try decodeAttributes(hex("1a05000001"))
        guard case .invalid? = short.first?.value else {
            Issue.record("short VSA accepted")
            return
        }
        let overrun = try decodeAttributes(hex("1a0a0001869f01ff0000"))
        guard case .invalid? = overrun.first?.value else {
            Issue.record("overrunning vendor attribute accepted")
            return
        }
    }

    @Test("Unknown attributes decode as octets with an Attr- name")
    func unknownAttributes() throws {
        let decoded = try decodeAttributes(hex("c803ab") + hex("1a0a000004d2010401ff"), dictionary: testDictionary)
        #expect(decoded.map(\.name) == ["Attr-200", "Attr-26.1234.1"])
        #expect(decoded.first?.value == .octets([0xab]))
    }

    @Test("Tagged attributes: integer always tagged, text only when the first octet is a tag")
    func tags() throws {
        let decoded = try decodeAttributes(
            hex("4006010000 03".replacingOccurrences(of: " ", with: "")) + hex("4207") + [0x02] + bytes("host") + hex("4206") + bytes("host"))
        #expect(decoded.map(\.tag) == [1, 2, nil])
        #expect(decoded.map(\.value) == [.integer(3), .text("host"), .text("host")])
    }

    @Test("Wrong value lengths become invalid values with a reason")
    func badValueLengths() throws {
        let decoded = try decodeAttributes(hex("0505000001") + hex("0405010203") + hex("3705000000") + hex("0103ff"))
        for attribute in decoded {
            guard case .invalid(_, let reason) = attribute.value else {
                Issue.record("\(attribute.name) accepted a bad value")
                continue
            }
            #expect(!reason.isEmpty)
        }
        #expect(decoded.count == 4)
    }

    @Test("Arrays split into one value per element; concat joins consecutive attributes")
    func arraysAndConcat() throws {
        let dns = try decodeAttributes(hex("a90a0808080801010101"))
        #expect(dns.map(\.value) == [.ipv4(IPv4Address("8.8.8.8")!), .ipv4(IPv4Address("1.1.1.1")!)])
        let eap = try decodeAttributes(hex("4f050102034f0404054f03ff"))
        #expect(eap.map(\.value) == [.octets([1, 2, 3, 4, 5, 0xff])])
    }

    @Test("IPv6 types: address, prefix with short encoding")
    func ipv6() throws {
        let decoded = try decodeAttributes(hex("a812") + IPv6Address("2001:db8::1")!.bytes + hex("610600102001"))
        #expect(decoded.first?.value == .ipv6(IPv6Address("2001:db8::1")!))
        #expect(decoded.last?.value == .ipv6Prefix(IPv6Address("2001::")!, length: 16))
        let badPrefix = try decodeAttributes(hex("610800812001" + "0000"))
        guard case .invalid? = badPrefix.first?.value else {
            Issue.record("prefix length 129 accepted")
            return
        }
    }

    @Test("Addresses parse and print canonically")
    func addressText() {
        #expect(IPv6Address("2001:db8:0:0:1:0:0:1")!.description == "2001:db8::1:0:0:1")
        #expect(IPv6Address("::")!.description == "::")
        #expect(IPv6Address("::1")!.description == "::1")
        #expect(IPv6Address("fe80::")!.description == "fe80::")
        #expect(IPv6Address("1:2:3:4:5:6:7:8")!.description == "1:2:3:4:5:6:7:8")
        #expect(IPv6Address("1::2::3") == nil)
        #expect(IPv6Address("12345::") == nil)
        #expect(IPv4Address("10.0.0.256") == nil)
        #expect(IPv4Address("10.0.0") == nil)
        #expect(IPv4Address("192.0.2.1")?.description == "192.0.2.1")
    }

    @Test("Values print with VALUE names, dates in UTC")
    func formatting() throws {
        let index = try #require(testDictionary.attributeIndex(named: "Acct-Status-Type"))
        #expect(PacketDescription.format(.integer(3), definitionIndex: index, dictionary: testDictionary) == "Interim-Update (3)")
        #expect(PacketDescription.format(.integer(99), definitionIndex: index, dictionary: testDictionary) == "99")
        #expect(PacketDescription.formatDate(0) == "1970-01-01T00:00:00Z")
        #expect(PacketDescription.formatDate(951_782_400) == "2000-02-29T00:00:00Z")
        #expect(PacketDescription.formatDate(0x6b05_e3a5) == "2026-11-24T19:21:09Z")
        #expect(PacketDescription.format(.text("a\"b\n\u{1}")) == "\"a\\\"b\\n\\x01\"")
        #expect(PacketDescription.format(.ether(0x0011_2233_4455)) == "00:11:22:33:44:55")
    }
}
