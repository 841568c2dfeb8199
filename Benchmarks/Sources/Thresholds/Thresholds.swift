import Benchmark

/// The tolerances `Benchmarks/run --check` allows against the p90 figures committed in
/// `Benchmarks/Thresholds/`, for the benchmarks that guard the hot paths (decode, rating, the
/// merge).
public enum Thresholds {
    /// Allocations are the same from run to run, so any new one is a regression. Time on a
    /// shared 2-core machine varies by up to about a fifth between runs of the same build, so a
    /// regression in time is what goes beyond 30%.
    public static var checked: [BenchmarkMetric: BenchmarkThresholds] {
        [
            .mallocCountTotal: .init(relative: [.p90: 0], absolute: [.p90: 0]),
            .wallClock: .init(relative: [.p90: 30]),
            .throughput: .init(relative: [.p90: 30]),
            .cpuTotal: .init(relative: [.p90: 30]),
        ]
    }
}
