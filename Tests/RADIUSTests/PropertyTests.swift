import PropertyBased
import RADIUS
import Testing

/// A deterministic generator for the fuzz loops (SplitMix64), so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// One attribute of a generated packet: which kind, and raw material for its value.
struct GeneratedAttribute: Sendable, CustomStringConvertible {
    var kind: Int
    var material: [UInt8]
    var number: UInt32

    var description: String { "kind \(kind) number \(number) material \(material)" }

    /// The typed value this attribute should decode to, and how to encode it.
    func expected() -> (name: String, value: AttributeValue, encode: (inout RADIUSPacketBuilder) throws -> Void) {
        func word(_ b: [UInt8]) -> UInt32 { b.prefix(4).reduce(0) { $0 << 8 | UInt32($1) } }
        let text = String(decoding: material.map { 0x61 + $0 % 26 }, as: UTF8.self)
        switch kind {
        case 0:
            return ("User-Name", .text(text), { try $0.append(type: 1, text: text) })
        case 1:
            let v = word(material + [0, 0, 0, 0])
            return ("Acct-Input-Octets", .integer(v), { $0.append(type: 42, uint32: v) })
        case 2:
            let a = IPv4Address(word(material + [0, 0, 0, 0]))
            return ("Framed-IP-Address", .ipv4(a), { try $0.append(type: 8, value: a.bytes) })
        case 3:
            let octets = Array(material.prefix(253))
            return ("Class", .octets(octets), { try $0.append(type: 25, value: octets) })
        case 4:
            let v = word(material + [0, 0, 0, 0])
            return ("Acme-Rate", .integer(v), { try $0.appendVendorSpecific(vendor: 99999, type: 1, value: AttributeValue.integer(v).encoded) })
        case 5:
            let v = material.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return (
                "Wide-Counter", .integer64(v),
                {
                    try $0.appendVendorSpecific(
                        vendor: 88888, type: 300, value: AttributeValue.integer64(v).encoded, format: VendorFormat(typeWidth: 2, lengthWidth: 2))
                }
            )
        case 6:
            return ("Ext-Text", .text(text), { try $0.appendExtended(type: 241, extendedType: 1, value: Array(text.utf8)) })
        case 7:
            // Long values exercise fragmentation.
            let long = [UInt8](repeating: 0, count: Int(number % 600)) + material
            return ("Long-Octets", .octets(long), { try $0.appendLongExtended(type: 245, extendedType: 4, value: long) })
        default:
            let v = UInt32(truncatingIfNeeded: number)
            return ("Event-Timestamp", .date(v), { $0.append(type: 55, uint32: v) })
        }
    }
}

let attributeGenerator = Gen.int(in: 0...8).array(of: 1...12)

@Suite("Property tests")
struct PropertyTests {
    @Test("Encode then decode gives back every attribute and value, in order")
    func roundTrip() async {
        await propertyCheck(count: 300, input: attributeGenerator, Gen.uint8().array(of: 0...40), Gen.uint32()) { kinds, material, number in
            let attributes = kinds.enumerated().map {
                GeneratedAttribute(kind: $1, material: Array(material.dropFirst($0)), number: number &+ UInt32($0))
            }
            let expectations = attributes.map { $0.expected() }
            var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: UInt8(truncatingIfNeeded: number))
            for e in expectations { try? e.encode(&builder) }
            guard var packet = try? builder.build() else { return } // over 4096 octets: not a packet
            let crypto = RADIUSCrypto()
            try? packet.sign(secret: bytes("prop"), crypto: crypto)
            let decoded: RADIUSPacket
            do {
                decoded = try RADIUSPacket(decoding: packet.bytes)
            } catch {
                Issue.record("encoded packet did not decode: \(error)")
                return
            }
            #expect(decoded == packet)
            #expect(decoded.verifyRequestAuthenticator(secret: bytes("prop"), crypto: crypto))
            let values = decoded.decodeAttributes(dictionary: testDictionary)
            #expect(values.map(\.name) == expectations.map(\.name))
            #expect(values.map(\.value) == expectations.map(\.value))
        }
    }

    @Test("Typed values re-encode to the octets they came from")
    func valueRoundTrip() async {
        let types: [AttributeDataType] = [.integer, .integer64, .date, .byte, .short, .signed, .ipaddr, .ipv6addr, .ifid, .ether, .octets]
        await propertyCheck(count: 500, input: Gen.int(in: 0...(types.count - 1)), Gen.uint8().array(of: 16)) { typeIndex, material in
            let type = types[typeIndex]
            let octets = Array(material.prefix(type.fixedLength ?? 16))
            let value = AttributeValue.decode(octets[...], as: type)
            #expect(value.encoded == octets, "\(type)")
        }
    }

    @Test("Random datagrams never crash the decoder")
    func randomDatagrams() {
        var rng = SplitMix64(state: 0x7011_6a7e)
        let codes: [UInt8] = [1, 2, 3, 4, 5, 11, 12, 13, 40, 41, 42, 43, 44, 45]
        let crypto = RADIUSCrypto()
        var accepted = 0
        for round in 0..<200_000 {
            let size = Int.random(in: 0...300, using: &rng)
            var datagram = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Most rounds get a plausible header so the attribute walk is exercised too.
            if size >= 20 && round % 4 != 0 {
                datagram[0] = codes[Int.random(in: 0..<codes.count, using: &rng)]
                let length = Int.random(in: 20...size, using: &rng)
                datagram[2] = UInt8(length >> 8)
                datagram[3] = UInt8(length & 0xff)
            }
            guard let packet = try? RADIUSPacket(decoding: datagram) else { continue }
            accepted += 1
            _ = packet.decodeAttributes(dictionary: projectDictionary)
            _ = packet.verifyRequestAuthenticator(secret: bytes("x"), crypto: crypto)
            _ = packet.verifyMessageAuthenticator(secret: bytes("x"), requestAuthenticator: .zero, crypto: crypto)
        }
        #expect(accepted > 1000)
    }

    @Test("Mutated valid packets never crash the decoder")
    func mutatedPackets() throws {
        var rng = SplitMix64(state: 0x5eed)
        var seeds: [[UInt8]] = []
        var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: 1)
        try builder.append(type: 1, text: "user@example.net")
        builder.append(type: 40, uint32: 3)
        try builder.appendVendorSpecific(vendor: 14988, type: 1, value: bytes("mikrotik"))
        try builder.appendVendorSpecific(
            vendor: 88888, type: 300, value: [UInt8](repeating: 7, count: 8), format: VendorFormat(typeWidth: 2, lengthWidth: 2))
        try builder.appendExtended(type: 241, extendedType: 2, value: hex("0104234503060104abcd"))
        try builder.appendLongExtended(type: 245, extendedType: 4, value: [UInt8](repeating: 0xaa, count: 300))
        try builder.append(type: 80, value: [UInt8](repeating: 0, count: 16))
        seeds.append(try builder.build().bytes)
        seeds.append(
            hex(
                "04e9004815a7d50dabf30636b289d2e700adf5b20107616c69636504060a0000092c0970797261642d312806000000032a060000007b3406000000022e060000003c37066b05e3a5"
            ))
        seeds.append(hex("f10c1a000000010474657374").withHeader())
        seeds.append(hex("f5ff1a800000000106").withPadding(246, then: hex("f5171a00") + [UInt8](repeating: 0xbb, count: 19)).withHeader())

        var decoded = 0
        for _ in 0..<200_000 {
            var datagram = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                switch Int.random(in: 0...3, using: &rng) {
                case 0: // flip a byte
                    let i = Int.random(in: 0..<datagram.count, using: &rng)
                    datagram[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: // truncate
                    datagram.removeLast(Int.random(in: 0...min(10, datagram.count), using: &rng))
                case 2: // extend
                    datagram.append(contentsOf: (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
                default: // re-fix the length field so the mutation reaches the attributes
                    if datagram.count >= 4 {
                        datagram[2] = UInt8(datagram.count >> 8)
                        datagram[3] = UInt8(datagram.count & 0xff)
                    }
                }
            }
            if let packet = try? RADIUSPacket(decoding: datagram) {
                decoded += 1
                _ = packet.decodeAttributes(dictionary: testDictionary)
                _ = packet.decodeAttributes(dictionary: projectDictionary)
            }
        }
        // The mutations must reach the attribute decoder, not only the header checks.
        #expect(decoded > 20_000, "only \(decoded) mutated packets passed the header")
    }
}

extension Array where Element == UInt8 {
    /// These octets as the attributes of an Accounting-Request.
    func withHeader() -> [UInt8] {
        let length = 20 + count
        return [4, 1, UInt8(length >> 8), UInt8(length & 0xff)] + [UInt8](repeating: 0, count: 16) + self
    }

    func withPadding(_ count: Int, then tail: [UInt8]) -> [UInt8] {
        self + [UInt8](repeating: 0xaa, count: count) + tail
    }
}
