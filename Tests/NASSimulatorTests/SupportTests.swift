import Testing

@testable import NASSimulator

@Suite("Report, addresses and queues")
struct SupportTests {
    @Test("Latency percentiles are exact nearest-rank values of the samples")
    func percentiles() {
        let samples = (1...1000).reversed().map { UInt64($0) * 1000 } // 1 µs ... 1 ms, unsorted
        let summary = LatencySummary(nanoseconds: Array(samples))
        #expect(summary.count == 1000)
        #expect(summary.p50 == .microseconds(500))
        #expect(summary.p90 == .microseconds(900))
        #expect(summary.p99 == .microseconds(990))
        #expect(summary.max == .microseconds(1000))
        #expect(summary.mean == .nanoseconds(500_500))
        let one = LatencySummary(nanoseconds: [7])
        #expect(one.p50 == .nanoseconds(7) && one.p99 == .nanoseconds(7))
        #expect(LatencySummary(nanoseconds: []).count == 0)
    }

    @Test("Durations print as milliseconds with microseconds")
    func durations() {
        #expect(formatDuration(.microseconds(1234)) == "1.234 ms")
        #expect(formatDuration(.microseconds(5)) == "0.005 ms")
        #expect(formatDuration(.seconds(2)) == "2000.000 ms")
        #expect(Duration.microseconds(1500).milliseconds == 1.5)
    }

    @Test("Addresses parse as HOST:PORT, IPv6 in brackets; names and bad ports are refused")
    func addresses() throws {
        let v4 = try #require(UDPAddress(parsing: "127.0.0.1:1813"))
        #expect(v4.port == 1813 && v4.addressBytes == [127, 0, 0, 1] && v4.isLoopback)
        #expect(v4.description == "127.0.0.1:1813")
        let v6 = try #require(UDPAddress(parsing: "[::1]:1813"))
        #expect(v6.port == 1813 && v6.isLoopback && v6.description == "[::1]:1813")
        #expect(UDPAddress(parsing: "localhost:1813") == nil)
        #expect(UDPAddress(parsing: "127.0.0.1") == nil)
        #expect(UDPAddress(parsing: "127.0.0.1:70000") == nil)
        #expect(UDPAddress(parsing: "::1:1813") == nil)
        #expect(UDPAddress(host: "10.0.0.1", port: 1)?.isLoopback == false)
        #expect(UDPAddress(host: "127.0.1.9", port: 0)?.ipv4 == 0x7f00_0109)
    }

    @Test("The ring buffer keeps order at both ends while it grows")
    func ringBuffer() {
        var ring = RingBuffer<Int>(capacity: 2)
        for i in 0..<10 { ring.pushBack(i) }
        ring.pushFront(-1)
        #expect(ring.count == 11)
        var out: [Int] = []
        while let x = ring.popFront() { out.append(x) }
        #expect(out == Array(-1..<10))
        #expect(ring.isEmpty && ring.first == nil)
    }

    @Test("Identifiers come back oldest-freed first, all 256 of them")
    func identifiers() {
        var pool = IdentifierPool()
        var taken: [UInt8] = []
        while let id = pool.take() { taken.append(id) }
        #expect(taken == (0...255).map { UInt8($0) })
        pool.release(9)
        pool.release(3)
        #expect(pool.available == 2)
        #expect(pool.take() == 9)
        #expect(pool.take() == 3)
        #expect(pool.take() == nil)
    }

    @Test("Merging reports adds counts and per-user totals")
    func merge() {
        var a = Report()
        a.acknowledged = 2
        a.expected = UsageTotals(sessions: 1, upload: 10, download: 20)
        a.expectedPerUser = ["x": UsageTotals(sessions: 1, upload: 10, download: 20)]
        var b = Report()
        b.acknowledged = 3
        b.stoppedEarly = true
        b.expected = UsageTotals(sessions: 2, upload: 1, download: 2)
        b.expectedPerUser = ["x": UsageTotals(sessions: 2, upload: 1, download: 2)]
        a.merge(b)
        #expect(a.acknowledged == 5 && a.stoppedEarly)
        #expect(a.expected == UsageTotals(sessions: 3, upload: 11, download: 22))
        #expect(a.expectedPerUser["x"] == UsageTotals(sessions: 3, upload: 11, download: 22))
    }
}
