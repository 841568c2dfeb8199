// swift-tools-version: 6.1
import PackageDescription

// The main package is a path dependency; its identity is the name of its folder, which is
// whatever the repository was cloned as.
let mainPackage = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "tollgate"

let package = Package(
    name: "TollgateBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "RADIUSBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RADIUS", package: mainPackage),
            ],
            path: "Benchmarks/RADIUSBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
