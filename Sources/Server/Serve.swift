import API
import CivilCalendar
import Collector
import Console
import Enforcement
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import RADIUS
import ServiceLifecycle
import Storage

/// Where the database is and what key seals NAS secrets, resolved from the configuration.
public struct DatabaseAccess: Sendable {
    public var url: String
    public var cipher: SecretCipher
    /// Set when the database is the embedded cluster of this data folder.
    public var embeddedDirectory: String?

    /// For commands other than `serve`: the configured URL, else the embedded cluster of the
    /// data folder (which `tollgate serve` must have started).
    public static func forCommand(_ configuration: TollgateConfiguration, needsKey: Bool) throws -> DatabaseAccess {
        if let url = configuration.databaseURL {
            return DatabaseAccess(url: url, cipher: try key(configuration, directory: nil, required: needsKey), embeddedDirectory: nil)
        }
        let directory = URL(fileURLWithPath: configuration.dataDirectory).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: directory + "/pgdata/PG_VERSION") else {
            throw TollgateConfiguration.Error(
                "no database_url is set and there is no embedded database in \(directory): run `tollgate serve` first, or pass --database-url")
        }
        let url = EmbeddedPostgres.url(directory: directory)
        return DatabaseAccess(url: url, cipher: try key(configuration, directory: directory, required: needsKey), embeddedDirectory: directory)
    }

    static func key(_ configuration: TollgateConfiguration, directory: String?, required: Bool) throws -> SecretCipher {
        var hex = configuration.secretKey
        if hex == nil, let directory, let stored = try PrivateFile.read(directory + "/secret.key") {
            hex = stored.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let hex else {
            if !required { return try SecretCipher(key: [UInt8](repeating: 0, count: 32)) }
            throw TollgateConfiguration.Error(
                "secret_key is not set: put 64 hex digits in the configuration or TOLLGATE_SECRET_KEY (generate one with `openssl rand -hex 32`)")
        }
        do { return try SecretCipher(hexKey: hex) } catch {
            throw TollgateConfiguration.Error("secret_key: \(error)")
        }
    }
}

/// `tollgate serve`: the collector and the HTTP port together, with graceful shutdown.
public enum Serve {
    /// `dictionary` names the attributes of logged packets on the console's billing trail.
    public static func run(_ configuration: TollgateConfiguration, logger: Logger, dictionary: RADIUSDictionary = RADIUSDictionary()) async throws {
        var embedded: EmbeddedPostgres?
        let access: DatabaseAccess
        if let url = configuration.databaseURL {
            access = DatabaseAccess(url: url, cipher: try DatabaseAccess.key(configuration, directory: nil, required: true), embeddedDirectory: nil)
        } else {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
            let cluster = try EmbeddedPostgres(directory: configuration.dataDirectory, logger: logger)
            try cluster.start()
            embedded = cluster
            var withKey = configuration
            if withKey.secretKey == nil { withKey.secretKey = try cluster.secretKey(generate: SecretCipher.generateHexKey) }
            access = DatabaseAccess(
                url: cluster.url, cipher: try DatabaseAccess.key(withKey, directory: nil, required: true),
                embeddedDirectory: cluster.directory)
        }
        defer { embedded?.stop() }

        let url = access.url
        let migrated = try Migrator.migrate(try PostgresConnection(url: url))
        if !migrated.isEmpty { logger.info("database migrated", metadata: ["versions": "\(migrated)"]) }

        var collectorConfiguration = configuration.collector
        collectorConfiguration.spool = configuration.spool
        // A database that does not even accept connections within the commit timeout counts as
        // down (its batches go to the spool) instead of holding the writers.
        let commitMilliseconds = Int(configuration.collector.pipeline.commitTimeout.wholeMilliseconds)
        let connectTimeout = max(2, (commitMilliseconds + 999) / 1000)
        let collector = Collector(configuration: collectorConfiguration, cipher: access.cipher, logger: logger) {
            try PostgresConnection(url: url, connectTimeoutSeconds: connectTimeout)
        }
        let enforcementMetrics = EnforcementMetrics(registry: Self.registry)
        let enforcement = try EnforcementService(
            configuration: configuration.enforcement, cipher: access.cipher, metrics: enforcementMetrics,
            logger: logger
        ) {
            let connection = try PostgresConnection(url: url, connectTimeoutSeconds: 10)
            connection.responseTimeoutMilliseconds = 60_000
            return connection
        }
        collector.onUsageCommitted = { enforcement.usageCommitted($0) }
        try collector.start()
        enforcement.start()
        let webhookMetrics = WebhookMetrics(registry: Self.registry)
        let webhooks = WebhookService(configuration: configuration.webhooks, cipher: access.cipher, metrics: webhookMetrics, logger: logger) {
            let connection = try PostgresConnection(url: url, connectTimeoutSeconds: 10)
            connection.responseTimeoutMilliseconds = 60_000
            return connection
        }
        webhooks.start()

        let router = Router(context: ServerRequestContext.self)
        // Requests by route, method and status, and their durations (hb_requests,
        // http_server_request_duration, ...), through swift-metrics into the registry.
        _ = Self.bootstrapMetrics
        router.add(middleware: MetricsMiddleware())
        router.get("healthz") { _, _ -> Response in
            let report = HealthReport(collector)
            return Response(
                status: report.httpStatus == 200 ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: report.json)))
        }
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: collector.metrics.render() + Self.renderRegistry())))
        }
        let settings = configuration.api
        let apiDatabase = APIDatabase(
            url: url, threads: settings.databaseThreads, authThreads: settings.authThreads,
            tenantConcurrency: settings.tenantConcurrency, queueWait: settings.queueWait,
            statementTimeout: Int(settings.statementTimeout.wholeMilliseconds))
        TollgateAPI(
            database: apiDatabase, cipher: access.cipher, logger: logger, nasLimit: configuration.nasLimitPerTenant,
            readTimeout: settings.readTimeout
        )
        .register(on: router)
        var consoleSettings = configuration.console
        consoleSettings.secureCookies = configuration.consoleSecureCookies ?? (settings.tlsCertificate != nil)
        TollgateConsole(database: apiDatabase, cipher: access.cipher, settings: consoleSettings, logger: logger, dictionary: dictionary)
            .register(on: router)
        let http = configuration.http
        // Services stop in reverse order: webhooks, the collector (its last merges are handed to
        // enforcement), then enforcement.
        let app = Application(
            router: router,
            server: try HTTPServerSetup.builder(settings),
            configuration: .init(
                address: .hostname(http.host, port: Int(http.port)), serverName: "tollgate",
                availableConnectionsDelegate: HTTPServerSetup.connectionLimit(settings, logger: logger)),
            services: [enforcement, CollectorService(collector: collector), webhooks],
            logger: logger
        )
        logger.info("tollgate serving", metadata: ["http": "\(configuration.http)", "tls": "\(settings.tlsCertificate != nil)"])
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        try? await apiDatabase.shutdown()
    }
}

/// Keeps the collector running until shutdown, then stops it: reading stops, everything in
/// flight is committed and answered.
struct CollectorService: Service {
    let collector: Collector

    func run() async throws {
        try? await gracefulShutdown()
        // Draining blocks on the writer threads: do it off the cooperative pool.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                collector.stop()
                continuation.resume()
            }
            thread.start()
        }
    }
}
