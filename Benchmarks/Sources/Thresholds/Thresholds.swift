import Benchmark

/// The tolerances `Benchmarks/run --check` allows against the p90 figures committed in
/// `Benchmarks/Thresholds/`, for the benchmarks that guard the hot paths (decode, rating, the
/// merge).
public enum Thresholds {
    /// Tolerances for `metrics`. Allocations are the same from run to run, so any new one is a
    /// regression. Time on a shared 2-core machine varies by up to about a fifth between runs
    /// of the same build, so a regression in time is what goes beyond 30%.
    public static func checked(_ metrics: [BenchmarkMetric]) -> [BenchmarkMetric: BenchmarkThresholds] {
        var thresholds: [BenchmarkMetric: BenchmarkThresholds] = [:]
        for metric in metrics {
            switch metric {
            case .mallocCountTotal: thresholds[metric] = .init(relative: [.p90: 0], absolute: [.p90: 0])
            default: thresholds[metric] = .init(relative: [.p90: 30])
            }
        }
        return thresholds
    }
}
