import Benchmark
import Collector
import Storage

/// `count` NAS on one listener: exact addresses (/32), or /30 networks of the same /16
/// (prefix registrations), one in ten told apart by NAS-Identifier.
private func registry(_ count: Int, prefixLength: Int) -> NASRegistry {
    let devices = (0..<count).map { i -> RegisteredNAS in
        let host = UInt32(i) * (prefixLength == 32 ? 1 : 4)
        let address = "10.\(10 + (host >> 16) & 255).\((host >> 8) & 255).\(host & 255)/\(prefixLength)"
        return RegisteredNAS(
            device: NASDevice(
                id: Int64(i + 1), tenantID: Int64(i % 500 + 1), name: "nas\(i)", listener: "default",
                address: address, identifier: i % 10 == 0 ? "nas-\(i)" : nil),
            secret: Array("secret-\(i)".utf8))
    }
    return NASRegistry(version: 1, devices: devices, listeners: [])
}

/// Sources spread over the registered NAS, the last one included (the end of any scan).
private func sources(_ count: Int, prefixLength: Int) -> [IPAddress] {
    (0..<1000).map { k in
        let i = k == 0 ? count - 1 : (k * 7919) % count
        let host = UInt32(i) * (prefixLength == 32 ? 1 : 4) + (prefixLength == 32 ? 0 : 1)
        return IPAddress("10.\(10 + (host >> 16) & 255).\((host >> 8) & 255).\(host & 255)")!
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        // Each sample looks up 1,000 packets' sources; `--scale` reports per lookup.
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )
    // The per-packet registry lookup, by the number of NAS: constant for exact addresses and
    // for prefixes (one hash probe per distinct prefix length).
    for (count, length) in [(10, 32), (5000, 32), (10, 30), (5000, 30)] {
        let nas = registry(count, prefixLength: length)
        let addresses = sources(count, prefixLength: length)
        Benchmark("NAS lookup, \(count) NAS registered by /\(length)") { benchmark in
            for i in benchmark.scaledIterations {
                blackHole(nas.lookup(listener: "default", source: addresses[i % addresses.count], identifier: nil))
            }
        }
    }
}
