import Accounting
import Benchmark
import Thresholds

// The merge's own arithmetic, without the database: each logged packet routed to its session
// generation and applied (`SessionGenerations.apply`), its usage summed into hourly buckets by
// subscriber, as the merger does for each batch before it writes the rows.

/// 1,000 sessions on 2 NAS of one tenant, each a Start, eleven Interim-Updates 10 minutes
/// apart (two hour boundaries crossed) and a Stop, in arrival order: 13,000 packets.
private func packets() -> [AccountingRecord] {
    let start: Int64 = 1_764_000_000 // 2025-11-24 16:00 UTC, on the hour
    var records: [AccountingRecord] = []
    records.reserveCapacity(13_000)
    for step in 0...12 {
        for session in 0..<1000 {
            let status: AccountingStatus = step == 0 ? .start : step == 12 ? .stop : .interimUpdate
            let seconds = UInt32(step * 600)
            var record = AccountingRecord(
                tenantID: 1, nasID: Int64(1 + session % 2), status: status,
                sessionID: "s\(session)", userName: "user\(session)@example.net", nasPort: "\(session)",
                eventTime: start + Int64(session) + Int64(seconds), receivedAt: 0)
            record.receivedAt = record.eventTime * 1_000_000
            record.eventTimeFromNAS = true
            record.sessionTime = seconds
            record.upload = CounterReading(octets: UInt32(step) * 1_500_000 &+ UInt32(session), gigawords: 0)
            record.download = CounterReading(octets: UInt32(step) * 9_000_000 &+ UInt32(session), gigawords: 0)
            records.append(record)
        }
    }
    return records
}

private struct BucketKey: Hashable {
    var tenantID: Int64
    var subscriber: String
    var hour: Int64
}

/// Applies the batch to new sessions; returns the octets summed over all buckets.
private func merge(_ batch: [AccountingRecord]) -> UInt64 {
    var sessions: [SessionKey: SessionGenerations] = [:]
    sessions.reserveCapacity(1000)
    var buckets: [BucketKey: (up: UInt64, down: UInt64, seconds: UInt64)] = [:]
    for record in batch {
        let key = record.sessionKey
        var generations = sessions[key] ?? SessionGenerations([.init(number: 1, state: SessionState())])
        let applied = generations.apply(record)
        sessions[key] = generations
        for delta in applied.usage {
            let bucket = BucketKey(tenantID: delta.tenantID, subscriber: delta.subscriber, hour: delta.hour)
            let sum = buckets[bucket] ?? (0, 0, 0)
            buckets[bucket] = (sum.up + delta.uploadBytes, sum.down + delta.downloadBytes, sum.seconds + delta.sessionSeconds)
        }
    }
    return buckets.values.reduce(0) { $0 + $1.up + $1.down }
}

let benchmarks: @Sendable () -> Void = {
    let batch = packets()
    // Each session's counters end at 12 x 1.5 MB up and 12 x 9 MB down, plus its index in each.
    var expected: UInt64 = 0
    for session in 0..<UInt64(1000) {
        let perSession: UInt64 = 12 * 1_500_000 + 12 * 9_000_000
        expected += perSession + 2 * session
    }
    precondition(merge(batch) == expected, "the merge's arithmetic lost or invented octets")

    let measured: [BenchmarkMetric] = [.throughput, .wallClock, .mallocCountTotal]
    Benchmark.defaultConfiguration = .init(
        metrics: measured,
        maxDuration: .seconds(3),
        maxIterations: 1000,
        thresholds: Thresholds.checked(measured)
    )
    Benchmark("Merge.packetsIntoHourlyUsage") { _ in
        blackHole(merge(batch))
    }
}
