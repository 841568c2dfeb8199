import Benchmark
import Rating
import RatingWorkload
import Thresholds

let benchmarks: @Sendable () -> Void = {
    // Built before any benchmark runs: usage generation and the engine's per-version tables
    // are per run, not per subscriber, and must stay out of the figures.
    let workload = RatingWorkload()
    let engine = workload.makeEngine()

    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        // Each sample rates 1,000 subscriber-months so the harness's per-sample cost is
        // amortised; `--scale` reports the figures per subscriber-month.
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 10_000,
        thresholds: Thresholds.checked
    )

    /// Rates `scaledIterations` subscribers, cycling through the usage histories.
    @Sendable func rateSubscribers(_ benchmark: Benchmark, plan: SyntheticPlan?) {
        for i in benchmark.scaledIterations {
            let rating = engine.rate(assignments: workload.assignments(workload.plan(ofSubscriber: i, plan: plan)),
                                     usage: workload.usage(ofSubscriber: i))
            blackHole(rating)
        }
    }

    Benchmark("Rate subscriber-month, plan a (fee, allowance, per-unit overage)") { benchmark in
        rateSubscribers(benchmark, plan: .a)
    }

    Benchmark("Rate subscriber-month, plan b (graduated, nights free, cap, tax)") { benchmark in
        rateSubscribers(benchmark, plan: .b)
    }

    Benchmark("Rate subscriber-month, plan c (a to b on the 16th)") { benchmark in
        rateSubscribers(benchmark, plan: .c)
    }

    Benchmark("Rate subscriber-month, mixed a/b/c") { benchmark in
        rateSubscribers(benchmark, plan: nil)
    }
}
