import Benchmark
import Collector
import CoreMetrics
import Dispatch
import Prometheus

// What the packet path records for each accounting packet: it is pending (+1, later -1),
// answered (+1), its receipt-to-answer latency and its receipt-to-visible delay. Measured with
// the collector's own counters (`CollectorMetrics`), with swift-prometheus's types used
// directly, and through the swift-metrics API backed by swift-prometheus; on one thread, and
// on two at once (the listener and answer threads of a collector record side by side).

/// The same observations for every variant: latencies spread over the buckets.
private let latencies: [Int] = (0..<1024).map { ($0 * 7919) % 2_000_000 }

private let bucketsMicroseconds = [500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000]

private struct HandWritten: Sendable {
    let metrics = CollectorMetrics()

    func packet(_ latency: Int) {
        metrics.pending.add(1, ordering: .relaxed)
        metrics.ackLatency.observe(latency)
        metrics.answered.add(1, ordering: .relaxed)
        metrics.pending.subtract(1, ordering: .relaxed)
        metrics.mergeDelay.observe(latency * 4)
    }
}

private struct PrometheusDirect: Sendable {
    let pending: Prometheus.Gauge
    let answered: Prometheus.Counter
    let ackLatency: DurationHistogram
    let mergeDelay: DurationHistogram

    init() {
        let registry = PrometheusCollectorRegistry()
        pending = registry.makeGauge(name: "tollgate_packets_pending", help: "Packets pending.")
        answered = registry.makeCounter(name: "tollgate_packets_answered_total", help: "Packets answered.")
        let buckets = bucketsMicroseconds.map { Duration.microseconds($0) }
        ackLatency = registry.makeDurationHistogram(name: "tollgate_ack_latency_seconds", buckets: buckets, help: "Receipt to answer.")
        mergeDelay = registry.makeDurationHistogram(name: "tollgate_merge_delay_seconds", buckets: buckets, help: "Receipt to visible.")
    }

    func packet(_ latency: Int) {
        pending.increment()
        ackLatency.record(.microseconds(latency))
        answered.increment()
        pending.decrement()
        mergeDelay.record(.microseconds(latency * 4))
    }
}

private struct MetricsAPI: Sendable {
    let pending: Meter
    let answered: CoreMetrics.Counter
    let ackLatency: CoreMetrics.Timer
    let mergeDelay: CoreMetrics.Timer

    init() {
        var factory = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
        factory.defaultDurationHistogramBuckets = bucketsMicroseconds.map { Duration.microseconds($0) }
        pending = Meter(label: "tollgate_packets_pending", factory: factory)
        answered = CoreMetrics.Counter(label: "tollgate_packets_answered_total", factory: factory)
        ackLatency = CoreMetrics.Timer(label: "tollgate_ack_latency_seconds", factory: factory)
        mergeDelay = CoreMetrics.Timer(label: "tollgate_merge_delay_seconds", factory: factory)
    }

    func packet(_ latency: Int) {
        pending.increment()
        ackLatency.recordMicroseconds(latency)
        answered.increment()
        pending.decrement()
        mergeDelay.recordMicroseconds(latency * 4)
    }
}

/// Records `count` packets, split over `threads` threads running at once.
private func record(_ count: Int, threads: Int, _ packet: @Sendable (Int) -> Void) {
    if threads == 1 {
        for i in 0..<count { packet(latencies[i & 1023]) }
    } else {
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for i in stride(from: thread, to: count, by: threads) { packet(latencies[i & 1023]) }
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        // Each iteration records 100,000 packets.
        maxDuration: .seconds(3),
        maxIterations: 1000
    )
    for threads in [1, 2] {
        let hand = HandWritten()
        Benchmark("Metrics of 100,000 packets, CollectorMetrics, \(threads) thread(s)") { _ in
            record(100_000, threads: threads, hand.packet)
        }
        let direct = PrometheusDirect()
        Benchmark("Metrics of 100,000 packets, swift-prometheus, \(threads) thread(s)") { _ in
            record(100_000, threads: threads, direct.packet)
        }
        let api = MetricsAPI()
        Benchmark("Metrics of 100,000 packets, swift-metrics over swift-prometheus, \(threads) thread(s)") { _ in
            record(100_000, threads: threads, api.packet)
        }
    }
}
