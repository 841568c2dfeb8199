// swift-tools-version: 6.1
import PackageDescription

// The main package is a path dependency; its identity is the name of its folder, which is
// whatever the repository was cloned as.
let mainPackage = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "tollgate"

let package = Package(
    name: "TollgateBenchmarks",
    platforms: [.macOS(.v15)],
    products: [
        // Plays many NAS devices against an accounting server and reports rate, latency and
        // the totals the server's database must now hold.
        .executable(name: "tollgate-load", targets: ["LoadGenerator"]),
        // libFuzzer targets (Benchmarks/fuzz builds them with -sanitize=fuzzer); built plainly
        // they replay the inputs given as arguments.
        .executable(name: "tollgate-fuzz-packet", targets: ["FuzzPacket"]),
        .executable(name: "tollgate-fuzz-dictionary", targets: ["FuzzDictionary"]),
        // Rates synthetic subscriber-months on one thread and reports subscriber-months per second.
        .executable(name: "tollgate-rate-bench", targets: ["RateBench"]),
    ],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // The tolerances of the benchmarks `run --check` compares with Thresholds/.
        .target(
            name: "Thresholds",
            dependencies: [.product(name: "Benchmark", package: "benchmark")],
            path: "Sources/Thresholds"
        ),
        .executableTarget(
            name: "RADIUSBenchmarks",
            dependencies: [
                "Thresholds",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RADIUS", package: mainPackage),
            ],
            path: "Benchmarks/RADIUSBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "CollectorBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Collector", package: mainPackage),
                .product(name: "Storage", package: mainPackage),
            ],
            path: "Benchmarks/CollectorBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RatingBenchmarks",
            dependencies: [
                "RatingWorkload",
                "Thresholds",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Rating", package: mainPackage),
            ],
            path: "Benchmarks/RatingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MergeBenchmarks",
            dependencies: [
                "Thresholds",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Accounting", package: mainPackage),
            ],
            path: "Benchmarks/MergeBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The packet path's counters and histograms: the collector's own against swift-metrics
        // and swift-prometheus.
        .executableTarget(
            name: "MetricsBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Collector", package: mainPackage),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Benchmarks/MetricsBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Plans, assignments and hourly usage shared by RatingBenchmarks and tollgate-rate-bench.
        .target(
            name: "RatingWorkload",
            dependencies: [.product(name: "Rating", package: mainPackage)],
            path: "Sources/RatingWorkload"
        ),
        .executableTarget(
            name: "RateBench",
            dependencies: [
                "RatingWorkload",
                .product(name: "Rating", package: mainPackage),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/RateBench"
        ),
        .executableTarget(
            name: "LoadGenerator",
            dependencies: [
                .product(name: "NASSimulator", package: mainPackage),
                .product(name: "RADIUS", package: mainPackage),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/LoadGenerator"
        ),
        .target(name: "FuzzSupport", path: "Sources/FuzzSupport"),
        .executableTarget(
            name: "FuzzPacket",
            dependencies: ["FuzzSupport", .product(name: "RADIUS", package: mainPackage)],
            path: "Sources/FuzzPacket"
        ),
        .executableTarget(
            name: "FuzzDictionary",
            dependencies: ["FuzzSupport", .product(name: "RADIUS", package: mainPackage)],
            path: "Sources/FuzzDictionary"
        ),
    ]
)
