import Benchmark
import RADIUS
import Thresholds

/// A typical BNG Interim-Update: 17 attributes, as a PPPoE session on a BRAS sends them.
func typicalInterimUpdate(secret: [UInt8]) -> [UInt8] {
    var builder = RADIUSPacketBuilder(code: .accountingRequest, identifier: 77)
    try! builder.append(type: 1, text: "subscriber-000123@isp.example") // User-Name
    builder.append(type: 4, uint32: 0x0a00_0001) // NAS-IP-Address
    builder.append(type: 5, uint32: 1_073_741_855) // NAS-Port
    builder.append(type: 61, uint32: 33) // NAS-Port-Type PPPoEoVLAN
    try! builder.append(type: 32, text: "bras-vie-01") // NAS-Identifier
    try! builder.append(type: 87, text: "ge-0/0/1.100:100-200") // NAS-Port-Id
    builder.append(type: 8, uint32: 0x6440_0a0b) // Framed-IP-Address
    builder.append(type: 40, uint32: 3) // Acct-Status-Type Interim-Update
    try! builder.append(type: 44, text: "81A2C3D4-00001F2E") // Acct-Session-Id
    builder.append(type: 42, uint32: 1_234_567_890) // Acct-Input-Octets
    builder.append(type: 43, uint32: 3_987_654_321) // Acct-Output-Octets
    builder.append(type: 52, uint32: 0) // Acct-Input-Gigawords
    builder.append(type: 53, uint32: 12) // Acct-Output-Gigawords
    builder.append(type: 46, uint32: 86_400) // Acct-Session-Time
    builder.append(type: 55, uint32: 1_795_548_069) // Event-Timestamp
    builder.append(type: 41, uint32: 0) // Acct-Delay-Time
    try! builder.append(type: 31, text: "00:11:22:33:44:55") // Calling-Station-Id
    var packet = try! builder.build()
    try! packet.sign(secret: secret, crypto: RADIUSCrypto())
    return packet.bytes
}

let benchmarks: @Sendable () -> Void = {
    let secret = Array("a-typical-shared-secret".utf8)
    let datagram = typicalInterimUpdate(secret: secret)
    let dictionary = try! RADIUSDictionary(contentsOf: dictionaryPath())

    let measured: [BenchmarkMetric] = [.throughput, .wallClock, .mallocCountTotal]
    Benchmark.defaultConfiguration = .init(
        metrics: measured,
        // Each sample runs 1,000 packets so per-sample overhead of the harness is amortised;
        // the figures are reported per packet.
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 100_000,
        thresholds: Thresholds.checked(measured)
    )

    // Calibration: what the harness itself costs per iteration.
    Benchmark("EmptyLoop") { benchmark in
        for i in benchmark.scaledIterations { blackHole(i) }
    }

    // The collector's hot path: validate, verify the Request Authenticator, read the
    // accounting fields in place.
    Benchmark("InterimUpdate.decodeAndVerify") { benchmark in
        let crypto = RADIUSCrypto()
        benchmark.startMeasurement()
        datagram.withUnsafeBytes { raw in
            for _ in benchmark.scaledIterations {
                let packet = try! RADIUSPacket(decoding: raw)
                precondition(packet.verifyRequestAuthenticator(secret: secret, crypto: crypto))
                let fields = AccountingFields(packet)
                blackHole(fields.downloadOctets)
                blackHole(fields.sessionID)
            }
        }
    }

    // Every attribute decoded by name through the dictionary (what `tollgate decode` does).
    Benchmark("InterimUpdate.decodeWithDictionary") { benchmark in
        let packet = try! RADIUSPacket(decoding: datagram)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(packet.decodeAttributes(dictionary: dictionary))
        }
    }

    Benchmark("AccountingResponse.buildAndSign") { benchmark in
        let crypto = RADIUSCrypto()
        let request = try! RADIUSPacket(decoding: datagram)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(request.accountingResponse(secret: secret, crypto: crypto))
        }
    }
}

/// The repository's dictionary tree, found from this file's location.
func dictionaryPath() -> String {
    var path = #filePath
    for _ in 0..<4 { path = String(path[..<path.lastIndex(of: "/")!]) }
    return path + "/Dictionaries/dictionary"
}
