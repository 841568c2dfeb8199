import CivilCalendar
import Foundation
import Logging
import Storage
import Synchronization

/// Settings of the collector as a whole.
public struct CollectorConfiguration: Sendable {
    /// The accounting listeners. Default: one, "default" on *:1813.
    public var listeners: [ListenerConfiguration] = [ListenerConfiguration()]
    public var pipeline = PipelineConfiguration()
    /// The merger (packet log to sessions and usage). Its stale-session timeout, maintenance
    /// interval and whether packets are kept come from this configuration's own fields.
    public var merge = MergerConfiguration()
    /// Time without an update after which an open session with no known interim interval is
    /// closed as stale. Default 30 min.
    public var staleSessionTimeout: Duration = .seconds(1800)
    /// Days raw packets are kept (0 keeps none). Default 30.
    public var packetRetentionDays = 30
    /// How often the registry is checked for NAS changes. Default 2 s.
    public var registryRefreshInterval: Duration = .seconds(2)
    /// How often the stale-session reaper runs. Default 60 s.
    public var maintenanceInterval: Duration = .seconds(60)
    /// Time between writes of the drops from registered NAS devices. Default 5 s.
    public var dropsFlushInterval: Duration = .seconds(5)
    /// Kernel receive buffer per listener, bytes. Default 32 MiB.
    public var receiveBufferBytes = 32 << 20
    /// Where batches go while the database cannot take them; nil (the default here; `serve`
    /// sets one) leaves such batches unanswered for their NAS devices to retransmit.
    public var spool: SpoolConfiguration?

    public init() {}
}

/// The running collector: listeners, the group-commit pipeline and housekeeping threads.
public final class Collector: @unchecked Sendable {
    /// Days the per-NAS drop counts are kept.
    public static let dropsRetentionDays = 30
    public let configuration: CollectorConfiguration
    public let metrics = CollectorMetrics()
    let logger: Logger
    let connect: @Sendable () throws -> PostgresConnection
    let cipher: SecretCipher
    public private(set) var listeners: [AccountingListener] = []
    private let registry = RegistryHolder()
    private var pipeline: IngestPipeline!
    /// Applies the packet log to sessions and usage (leading or standing by).
    public private(set) var merger: Merger!
    private let stopping = Atomic<Bool>(false)
    private let housekeepingRunning = Atomic<Int>(0)

    public init(
        configuration: CollectorConfiguration, cipher: SecretCipher, logger: Logger,
        connect: @escaping @Sendable () throws -> PostgresConnection
    ) {
        self.configuration = configuration
        self.cipher = cipher
        self.logger = logger
        self.connect = connect
    }

    /// Called on the merger's thread after each merge commit with the subscribers whose usage
    /// it changed. Set before `start`.
    public var onUsageCommitted: (@Sendable ([UsageCommitted]) -> Void)?

    /// Whether the database is taking writes.
    public var isHealthy: Bool { pipeline?.isHealthy ?? false }

    /// Whether accounting is answered: the database takes writes or the spool has room
    /// (Status-Server and /healthz say so).
    public var isAccepting: Bool { pipeline?.isAccepting ?? false }

    /// Whether batches are going to the spool (the database is down or the replay has not caught up).
    public var isSpooling: Bool { pipeline?.spool?.isActive ?? false }

    /// The database this collector writes to, learned at start (its spool records it).
    public private(set) var database: DatabaseIdentity?

    /// Segments in the spool folder written for other databases: kept, never replayed here.
    public var foreignSpools: [ForeignSpool] { pipeline?.spool?.foreign ?? [] }

    /// Why the spool cannot take a batch now, if it cannot.
    public var spoolRefusal: String? { pipeline?.spool?.refusalReason }

    /// Binds the listeners and starts everything. Throws on bad configuration or when the
    /// database cannot be reached at start.
    public func start() throws {
        let connection = try connect()
        let pipelineConfiguration = configuration.pipeline
        let store = NASStore(connection: connection, cipher: cipher)
        try store.syncListeners(configuration.listeners.map { ($0.name, $0.tenant) })
        try reloadRegistry(store)
        if configuration.packetRetentionDays > 0 {
            try PacketRetention.maintain(connection, retentionDays: configuration.packetRetentionDays)
        }
        // Learned while connected: a spool written later, while the database is away, says
        // which database its batches are for.
        let database = try DatabaseIdentity.read(connection)
        self.database = database
        let spool = try configuration.spool.map { try Spool(configuration: $0, claim: .collector(database), metrics: metrics, logger: logger) }
        pipeline = IngestPipeline(configuration: pipelineConfiguration, metrics: metrics, logger: logger, spool: spool, connect: connect)
        var mergeConfiguration = configuration.merge
        mergeConfiguration.keepPackets = configuration.packetRetentionDays > 0
        mergeConfiguration.staleSessionTimeout = configuration.staleSessionTimeout
        mergeConfiguration.maintenanceInterval = configuration.maintenanceInterval
        merger = Merger(
            configuration: mergeConfiguration, metrics: metrics, logger: logger,
            connect: IngestPipeline.writerConnect(
                connect, expecting: database,
                timeoutMilliseconds: Int(max(configuration.pipeline.commitTimeout, .seconds(60)).wholeMilliseconds)))
        merger.onUsageCommitted = onUsageCommitted
        pipeline.merger = merger
        merger.start()
        pipeline.start()
        for listenerConfiguration in configuration.listeners {
            let listener = try AccountingListener(
                configuration: listenerConfiguration, pipeline: pipeline, registry: registry,
                metrics: metrics, logger: logger, receiveBufferBytes: configuration.receiveBufferBytes)
            listeners.append(listener)
        }
        for listener in listeners {
            listener.start()
            logger.info(
                "listening for accounting",
                metadata: [
                    "listener": "\(listener.configuration.name)", "address": "\(listener.configuration.address)",
                    "port": "\(listener.boundPort)",
                ])
        }
        startHousekeeping("tg-registry", interval: configuration.registryRefreshInterval) { [self] connection in
            let store = NASStore(connection: connection, cipher: cipher)
            if try store.registryVersion() != registry.registry.version { try reloadRegistry(store) }
        }
        // Drops from registered NAS devices, for their tenants to see (a failed write keeps
        // them for the next one).
        startHousekeeping("tg-drops", interval: configuration.dropsFlushInterval) { [self] connection in
            let taken = metrics.takeNASDrops()
            guard !taken.isEmpty else { return }
            do {
                try NASDrops.record(
                    connection,
                    taken.map { key, count in
                        NASDrops.Count(tenantID: key.tenantID, nasID: key.nasID, reason: key.reason.rawValue, hour: key.hour, datagrams: count)
                    })
            } catch {
                metrics.returnNASDrops(taken)
                throw error
            }
        }
        // Stale sessions are closed by the merge leader (`Merger`), the only writer of sessions.
        startHousekeeping("tg-maintenance", interval: configuration.maintenanceInterval) { [self] connection in
            if configuration.packetRetentionDays > 0 {
                let dropped = try PacketRetention.maintain(connection, retentionDays: configuration.packetRetentionDays)
                if !dropped.isEmpty { logger.info("dropped expired packet partitions", metadata: ["partitions": "\(dropped)"]) }
            }
            try NASDrops.prune(connection, keepDays: Self.dropsRetentionDays)
            metrics.sessionsOpen.store(try OpenSessions.count(connection), ordering: .relaxed)
        }
    }

    /// Stops reading, records and answers everything in flight, stops housekeeping.
    public func stop() {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        for listener in listeners { listener.stop() }
        pipeline?.drain()
        merger?.stop()
        while housekeepingRunning.load(ordering: .relaxed) > 0 { usleep(10_000) }
        logger.info("collector stopped", metadata: ["answered": "\(metrics.answered.load(ordering: .relaxed))"])
    }

    private func reloadRegistry(_ store: NASStore) throws {
        let loaded = try store.loadRegistry()
        registry.registry = NASRegistry(version: loaded.version, devices: loaded.devices, listeners: loaded.listeners)
        logger.info("NAS registry loaded", metadata: ["devices": "\(registry.registry.count)", "version": "\(loaded.version)"])
    }

    /// A thread that runs `work` every `interval` with its own connection.
    private func startHousekeeping(_ name: String, interval: Duration, work: @escaping @Sendable (PostgresConnection) throws -> Void) {
        housekeepingRunning.add(1, ordering: .relaxed)
        Thread.start(named: name) { [self] in
            defer { housekeepingRunning.subtract(1, ordering: .relaxed) }
            var connection: PostgresConnection?
            let intervalMicroseconds = interval.wholeMicroseconds
            var next = monotonicMicroseconds() + intervalMicroseconds
            while !stopping.load(ordering: .relaxed) {
                if monotonicMicroseconds() < next {
                    usleep(50_000)
                    continue
                }
                next = monotonicMicroseconds() + intervalMicroseconds
                do {
                    if connection?.isConnected != true { connection = try connect() }
                    try work(connection!)
                } catch {
                    logger.warning("\(name) failed; will retry", metadata: ["error": "\(error)"])
                    connection = nil
                }
            }
        }
    }
}
