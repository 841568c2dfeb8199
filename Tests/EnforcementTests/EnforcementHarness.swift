import Accounting
import Collector
import Enforcement
import Foundation
import Logging
import NASSimulator
import Rating
import Storage
import Synchronization
import TestSupport

/// A collector and an enforcer on a fresh database, a tenant with one NAS whose CoA port is a
/// scripted dynamic-authorization peer, and a plan with quota policies: accounting in over
/// real UDP, CoA and Disconnect requests out over real UDP.
final class EnforcementHarness: @unchecked Sendable {
    let url: String
    let connection: PostgresConnection
    let tenant: Tenant
    let peer: DynamicAuthorizationPeer
    let collector: Collector
    let client: DynamicAuthorizationClient
    var enforcers: [Enforcer] = []
    /// Seconds added to the wall clock the enforcers see.
    let shift = ClockShift()

    final class ClockShift: Sendable {
        let seconds = Atomic<Int64>(0)
    }

    /// 30 GB a month; notify at 80 %, throttle to 1M/1M at 100 % (plan rate 100M/100M).
    static let fairUsage = PlanTerms(
        currency: "EUR", unit: .GB, included: 30, rate: "100M/100M",
        quotas: [
            QuotaPolicy(threshold: .percent(80), action: .notify),
            QuotaPolicy(threshold: .percent(100), action: .throttle, rate: "1M/1M"),
        ])

    init(
        vendor: String = "mikrotik", terms: PlanTerms = EnforcementHarness.fairUsage, users: [String] = ["alice"],
        schedule: RetrySchedule = RetrySchedule(firstWait: .milliseconds(100), transmissions: 3), enforcerCount: Int = 1,
        script: @escaping @Sendable (DynamicAuthorizationPeer.Request) -> DynamicAuthorizationPeer.Reply = { _ in .ack }
    ) throws {
        (url, connection) = try TestDatabase.fresh()
        tenant = try TenantStore(connection: connection).create(slug: "acme", name: "ACME", timeZone: "Europe/Vienna")
        peer = try DynamicAuthorizationPeer(secret: Array("c0a-secret".utf8), dictionary: projectDictionary, script: script)
        _ = try NASStore(connection: connection, cipher: TestDatabase.cipher).add(
            tenant: tenant, name: "bras", address: "127.0.0.1", secret: "s3cret", coaPort: Int(peer.port), coaSecret: "c0a-secret", vendor: vendor)
        let plans = PlanStore(connection: connection)
        _ = try plans.createPlan(tenant: tenant, name: "Fair", terms: terms, effectiveFrom: nil)
        for user in users { _ = try plans.addSubscriber(tenant: tenant, user: user, plan: "Fair", from: CivilDate("2020-01-01")!) }

        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var configuration = CollectorConfiguration()
        configuration.listeners = [ListenerConfiguration(name: "default", address: try SocketAddress(parsing: "127.0.0.1:0"))]
        configuration.pipeline.maxDelay = .milliseconds(1)
        configuration.registryRefreshInterval = .milliseconds(200)
        let url = self.url
        collector = Collector(configuration: configuration, cipher: TestDatabase.cipher, logger: logger) { try PostgresConnection(url: url) }
        client = try DynamicAuthorizationClient(schedule: schedule, logger: logger)
        let profiles = shippedProfiles
        var settings = Enforcer.Configuration()
        settings.pollInterval = .milliseconds(100)
        settings.sweepInterval = .seconds(1)
        let shift = self.shift
        for _ in 0..<enforcerCount {
            enforcers.append(
                Enforcer(
                    configuration: settings, cipher: TestDatabase.cipher, profiles: profiles, client: client, logger: logger,
                    clock: { Int64(Date().timeIntervalSince1970) + shift.seconds.load(ordering: .relaxed) }
                ) { try PostgresConnection(url: url) })
        }
        let enforcers = self.enforcers
        collector.onUsageCommitted = { subscribers in for enforcer in enforcers { enforcer.usageCommitted(subscribers) } }
        try collector.start()
        for enforcer in enforcers { enforcer.start() }
    }

    deinit {
        collector.stop()
        for enforcer in enforcers { enforcer.stop() }
        client.shutdown()
        peer.stop()
    }

    var nas: SimulatedNAS {
        SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: collector.listeners[0].boundPort)!, secret: "s3cret")
    }

    /// Sends the sessions' events and returns when every packet was answered.
    func send(_ sessions: [SimulatedSession]) async throws -> Report {
        try await nas.run(sessions: sessions, options: RunOptions(window: 64, timeout: .milliseconds(500), retries: 4, timeLimit: .seconds(30)))
    }

    /// A session that starts now and reports `gigabytes` downloaded in one Interim.
    static func session(_ user: String, _ id: String, gigabytes: UInt64, stop: Bool = false) -> SimulatedSession {
        var events: [SessionEvent] = [.start(), .interim(upload: 0, download: gigabytes * 1_000_000_000, sessionTime: 60)]
        if stop { events.append(.stop(upload: 0, download: gigabytes * 1_000_000_000, sessionTime: 61)) }
        return SimulatedSession(userName: user, sessionID: id, nasPort: 1, framedIPAddress: 0x0A00_0009, events: events)
    }

    /// Waits up to `seconds` for `condition`.
    func eventually(_ seconds: Double = 10, _ condition: () throws -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return (try? condition()) == true
    }

    /// The peer's `index`th request (0 = first), if it arrived.
    func request(_ index: Int) -> DynamicAuthorizationPeer.Request? {
        let requests = peer.requests
        return index < requests.count ? requests[index] : nil
    }

    func log() throws -> [EnforcementRecord] {
        try QuotaStore(connection: connection).enforcementPage(tenant: tenant, after: nil, limit: 1000).rows.reversed()
    }

    func outbox(_ event: String) throws -> Int64 {
        try connection.query("SELECT count(*) FROM webhook_deliveries WHERE event = $1", [event]).int64(row: 0, column: 0)
    }
}
