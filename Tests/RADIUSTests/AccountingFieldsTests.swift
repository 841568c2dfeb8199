import RADIUS
import Testing

@Suite("Accounting fields read in place")
struct AccountingFieldsTests {
    @Test("The project's vector: counters combined with Gigawords, text as ranges")
    func vector() throws {
        let packet = try RADIUSPacket(
            decoding: hex(
                "04e9004815a7d50dabf30636b289d2e700adf5b20107616c69636504060a0000092c0970797261642d312806000000032a060000007b3406000000022e060000003c37066b05e3a5"
            ))
        let fields = AccountingFields(packet)
        #expect(fields.statusType == 3)
        #expect(fields.userName.map { Array(packet.bytes[$0]) } == bytes("alice"))
        #expect(fields.sessionID.map { Array(packet.bytes[$0]) } == bytes("pyrad-1"))
        #expect(fields.nasIPAddress == IPv4Address("10.0.0.9")!.rawValue)
        #expect(fields.uploadOctets == 2 << 32 + 123)
        #expect(fields.downloadOctets == nil)
        #expect(fields.sessionTime == 60)
        #expect(fields.eventTimestamp == 0x6b05_e3a5)
        #expect(fields.malformedCount == 0)
    }

    @Test("Wrong-length numbers are counted as malformed and left absent; the first occurrence wins")
    func malformed() throws {
        var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: 1)
        try builder.append(type: 42, value: [1, 2, 3])
        builder.append(type: 43, uint32: 7)
        builder.append(type: 43, uint32: 9)
        try builder.append(type: 44, text: "a")
        try builder.append(type: 44, text: "b")
        let packet = try builder.build()
        let fields = AccountingFields(packet)
        #expect(fields.inputOctets == nil)
        #expect(fields.malformedCount == 1)
        #expect(fields.outputOctets == 7)
        #expect(fields.downloadOctets == 7)
        #expect(fields.sessionID.map { Array(packet.bytes[$0]) } == bytes("a"))
    }
}
