import Collector
import Foundation
import Logging
import NASSimulator
import Storage

/// A collector on loopback with a fresh database, one tenant and NAS 127.0.0.1 (secret "s3cret").
public final class CollectorHarness {
    public let url: String
    /// The test's own connection, as it is.
    public let direct: PostgresConnection
    /// The test's connection once every logged packet is merged: what the collector answered
    /// is then visible in sessions and usage.
    public var connection: PostgresConnection {
        get throws {
            try waitForMerge(direct)
            return direct
        }
    }
    public let tenant: Tenant
    public let collector: Collector
    public let outage = OutageSwitch()

    public init(
        listeners: [ListenerConfiguration] = [ListenerConfiguration(name: "default", address: SocketAddress(ipv4: 0x7f00_0001, port: 0))],
        register: (PostgresConnection, Tenant) throws -> Void = { c, t in
            _ = try NASStore(connection: c, cipher: TestDatabase.cipher).add(tenant: t, name: "bras", address: "127.0.0.1", secret: "s3cret")
        },
        configure: (inout CollectorConfiguration) -> Void = { _ in }
    ) throws {
        (url, direct) = try TestDatabase.fresh()
        tenant = try TenantStore(connection: direct).create(slug: "acme", name: "ACME", timeZone: "Europe/Vienna")
        try register(direct, tenant)
        var configuration = CollectorConfiguration()
        configuration.listeners = listeners
        configuration.pipeline.maxDelay = .milliseconds(1)
        configuration.registryRefreshInterval = .milliseconds(200)
        configuration.receiveBufferBytes = 1 << 20
        configure(&configuration)
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let url = self.url
        let outage = self.outage
        collector = Collector(configuration: configuration, cipher: TestDatabase.cipher, logger: logger) { try outage.connect(url) }
        try collector.start()
    }

    public func target(_ listener: Int = 0) -> UDPAddress {
        UDPAddress(host: "127.0.0.1", port: collector.listeners[listener].boundPort)!
    }

    deinit { collector.stop() }

    /// Merges the log with a merger of its own and waits until it is merged up: for tests
    /// whose collector is stopped while a spool replay alone appends to the log.
    public func mergeWithoutCollector() throws {
        var logger = Logger(label: "test-merger")
        logger.logLevel = .critical
        let url = self.url
        let merger = Merger(configuration: MergerConfiguration(), metrics: CollectorMetrics(), logger: logger) { try PostgresConnection(url: url) }
        merger.start()
        defer { merger.stop() }
        try waitForMerge(direct)
    }

    public func usage(user: String? = nil) throws -> (upload: Int64, download: Int64) {
        let rows = try ReportStore(connection: try connection).usage(tenant: tenant, user: user)
        return (rows.reduce(0) { $0 + $1.uploadBytes }, rows.reduce(0) { $0 + $1.downloadBytes })
    }
}
