import Benchmark

/// The tolerances `Benchmarks/run --check` allows against the p90 figures committed in
/// `Benchmarks/Thresholds/`, for the benchmarks that guard the hot paths (decode, rating, the
/// merge).
public enum Thresholds {
    /// Tolerances for `metrics`. Allocations are the same from run to run, so any new one is a
    /// regression. The p90 of time on this 2-core virtual machine, quiet, moved by up to 66%
    /// between runs of the same build, so time catches what doubles it.
    public static func checked(_ metrics: [BenchmarkMetric]) -> [BenchmarkMetric: BenchmarkThresholds] {
        var thresholds: [BenchmarkMetric: BenchmarkThresholds] = [:]
        for metric in metrics {
            switch metric {
            case .mallocCountTotal: thresholds[metric] = .init(relative: [.p90: 0], absolute: [.p90: 0])
            default: thresholds[metric] = .init(relative: [.p90: 100])
            }
        }
        return thresholds
    }
}
