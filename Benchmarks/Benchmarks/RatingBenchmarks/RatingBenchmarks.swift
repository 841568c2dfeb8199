import Benchmark
import Rating
import RatingWorkload
import Thresholds

let benchmarks: @Sendable () -> Void = {
    // Built before any benchmark runs: usage generation and the engine's per-version tables
    // are per run, not per subscriber, and must stay out of the figures.
    let workload = RatingWorkload()
    let engine = workload.makeEngine()

    let measured: [BenchmarkMetric] = [.throughput, .wallClock, .mallocCountTotal]
    Benchmark.defaultConfiguration = .init(
        metrics: measured,
        // Each sample rates 1,000 subscriber-months so the harness's per-sample cost is
        // amortised; `--scale` reports the figures per subscriber-month.
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 10_000,
        thresholds: Thresholds.checked(measured)
    )

    /// Rates `scaledIterations` subscribers, cycling through the usage histories.
    @Sendable func rateSubscribers(_ benchmark: Benchmark, plan: SyntheticPlan?) {
        for i in benchmark.scaledIterations {
            let rating = engine.rate(
                assignments: workload.assignments(workload.plan(ofSubscriber: i, plan: plan)),
                usage: workload.usage(ofSubscriber: i))
            blackHole(rating)
        }
    }

    // Plan a: a fee, an allowance, per-unit overage.
    Benchmark("RateSubscriberMonth.planA") { benchmark in
        rateSubscribers(benchmark, plan: .a)
    }

    // Plan b: graduated tiers, nights free, a cap, tax.
    Benchmark("RateSubscriberMonth.planB") { benchmark in
        rateSubscribers(benchmark, plan: .b)
    }

    // Plan c: a, then b from the 16th.
    Benchmark("RateSubscriberMonth.planC") { benchmark in
        rateSubscribers(benchmark, plan: .c)
    }

    // Subscribers on a, b and c in turn.
    Benchmark("RateSubscriberMonth.mixed") { benchmark in
        rateSubscribers(benchmark, plan: nil)
    }
}
