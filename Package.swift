// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "tollgate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tollgate", targets: ["tollgate"]),
        .library(name: "RADIUS", targets: ["RADIUS"]),
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "Rating", targets: ["Rating"]),
        .library(name: "Accounting", targets: ["Accounting"]),
        .library(name: "NASSimulator", targets: ["NASSimulator"]),
        .library(name: "Collector", targets: ["Collector"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", exact: "0.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // System libraries and C shims.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "CUDPShim",
            cSettings: [.define("_GNU_SOURCE")]
        ),

        // Days since 1970-01-01 to Gregorian dates and back, for the modules that count dates.
        .target(name: "CivilCalendar"),

        // Protocol: wire format, dictionaries, authenticators. No I/O but dictionary files.
        .target(name: "RADIUS", dependencies: ["COpenSSL", "CivilCalendar"]),

        // CSV fields safe for spreadsheets, shared by the CLI and the API.
        .target(name: "TabularText"),

        // TOML 1.0 documents (read by TOMLKit) as values, and typed reads whose errors name the key.
        .target(name: "TOML", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]),

        // Accounting semantics: sessions, counters, hourly buckets. Pure values.
        .target(name: "Accounting", dependencies: ["CivilCalendar"]),

        // FreeRADIUS radacct history: dump and CSV readers, layouts, rows as sessions and buckets.
        .target(name: "RadacctImport", dependencies: ["Accounting"]),

        // Plans, money and the rating engine: pure functions over values, no database.
        .target(name: "Rating", dependencies: ["Accounting"]),

        // PostgreSQL through libpq: the only place SQL lives.
        // Migrations/: one SQL file per schema version, compiled into the module.
        .target(
            name: "Storage",
            dependencies: ["CLibPQ", "COpenSSL", "Accounting", "Rating", "RadacctImport"],
            resources: [.embedInCode("Migrations")]
        ),

        // Invoices, invoice lines and usage as the API, the CLI and the console show them.
        .target(name: "Presentation", dependencies: ["Storage", "Rating", "Accounting"]),

        // UDP listeners, NAS registry, duplicate cache, group-commit pipeline.
        .target(
            name: "Collector",
            dependencies: [
                "RADIUS", "Accounting", "Storage", "CUDPShim", "CivilCalendar",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Quota policies, vendor profiles, dynamic authorization (RFC 5176), webhooks.
        .target(
            name: "Enforcement",
            dependencies: [
                "RADIUS", "Rating", "Accounting", "Storage", "TOML", "Collector", "CivilCalendar",
                .product(name: "Logging", package: "swift-log"),
                "COpenSSL",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // The management HTTP API: tokens, roles, tenant-scoped endpoints, the OpenAPI document.
        .target(
            name: "API",
            dependencies: [
                "Storage", "Rating", "Accounting", "TabularText", "Presentation",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Compiled into the module as bytes: served without a bundle lookup at run time.
            resources: [.embedInCode("openapi.yaml")]
        ),

        // The billing console: server-rendered pages, console users and their sessions.
        .target(
            name: "Console",
            dependencies: [
                "API", "Storage", "Rating", "Accounting", "TabularText", "Presentation", "TOML", "RADIUS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // `tollgate serve`: configuration, embedded PostgreSQL, the HTTP port, shutdown.
        .target(
            name: "Server",
            dependencies: [
                "Collector", "Storage", "API", "Console", "Enforcement", "TOML", "RADIUS", "CivilCalendar",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // Plays NAS devices over real UDP: end-to-end tests, the load generator, fault tests.
        .target(name: "NASSimulator", dependencies: ["RADIUS", "CUDPShim"]),

        .executableTarget(
            name: "tollgate",
            dependencies: [
                "RADIUS", "Storage", "Server", "Collector", "Rating", "Accounting", "TabularText", "Enforcement", "TOML", "Console", "Presentation",
                "RadacctImport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(
            name: "RADIUSTests",
            dependencies: [
                "RADIUS",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "CivilCalendarTests", dependencies: ["CivilCalendar"]),
        .testTarget(name: "AccountingTests", dependencies: ["Accounting"]),
        .testTarget(name: "RadacctImportTests", dependencies: ["RadacctImport", "Accounting", "TestSupport"]),
        .testTarget(name: "TabularTextTests", dependencies: ["TabularText"]),
        .testTarget(name: "PresentationTests", dependencies: ["Presentation", "Storage", "Rating", "Accounting", "TabularText"]),
        .testTarget(
            name: "RatingTests",
            dependencies: ["Rating", "Accounting", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        // What several suites use: the private test database that scripts/test starts, a collector
        // in the test process, `tollgate serve` and PostgreSQL clusters as child processes,
        // simulated hosts, loopback sockets.
        .target(
            name: "TestSupport",
            dependencies: ["Storage", "RADIUS", "NASSimulator", "Collector", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),
        // Snapshots/: the schema a migrated database has, compared by SchemaSnapshotTests.
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Accounting", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "CUDPShimTests", dependencies: ["CUDPShim"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Collector", "Storage", "Enforcement", "Console", "TOML", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "CollectorTests",
            dependencies: [
                "Collector", "Storage", "Accounting", "RADIUS", "NASSimulator", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "EnforcementTests",
            dependencies: [
                "Enforcement", "RADIUS", "Storage", "Rating", "TestSupport", "TOML", "Collector", "NASSimulator", "Accounting",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "NASSimulatorTests", dependencies: ["NASSimulator", "RADIUS"]),
        .testTarget(
            name: "APITests",
            dependencies: [
                "API", "Storage", "Rating", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "ConsoleTests",
            dependencies: [
                "Console", "API", "Storage", "Rating", "Accounting", "RADIUS", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        // Runs the built executable; depends on it so `swift build --build-tests` builds it.
        .testTarget(
            name: "TollgateCLITests",
            dependencies: ["tollgate", "NASSimulator", "RADIUS", "Storage", "Accounting", "Rating", "TestSupport", "Console"]),
    ]
)
