import CivilCalendar
import Foundation
import Logging
import Prometheus
import Storage

/// Reports NAS that stopped sending accounting (`nas.silent`), on a thread of its own with a
/// libpq connection of its own: every `silenceCheckInterval` it reads the new packet-log rows
/// (`NASActivity.observe`) and reports NAS silent for `silenceIntervals` interim intervals.
public final class NASSilenceWatcher: Sendable {
    let configuration: WebhookConfiguration
    let connect: @Sendable () throws -> PostgresConnection
    let logger: Logger
    let metrics: WebhookMetrics
    let signal = StopSignal()

    public init(
        configuration: WebhookConfiguration, metrics: WebhookMetrics, logger: Logger,
        connect: @escaping @Sendable () throws -> PostgresConnection
    ) {
        self.configuration = configuration
        self.connect = connect
        self.logger = logger
        self.metrics = metrics
    }

    public func start() {
        let thread = Thread { [self] in
            run()
            signal.markFinished()
        }
        thread.name = "tg-nas-silence"
        thread.start()
    }

    /// Stops and waits for the thread to end. Blocks: call it off the event loops and the concurrency pool.
    public func stop() {
        signal.stop()
        signal.waitUntilFinished()
    }

    private func run() {
        var connection: PostgresConnection?
        repeat {
            do {
                if connection?.isConnected != true { connection = try connect() }
                if let connection { try check(connection) }
            } catch {
                logger.warning("NAS silence watcher cannot reach the database; retrying", metadata: ["error": "\(error)"])
                connection = nil
            }
        } while signal.sleep(configuration.silenceCheckInterval)
    }

    /// One round: reads the log to its end (a chunk per stream at a time) and reports the silent NAS.
    @discardableResult
    public func check(_ connection: PostgresConnection, now: Double? = nil) throws -> [SilentNAS] {
        let chunk = 100_000
        while try NASActivity.observe(connection, limit: chunk) >= chunk, !signal.isStopping {}
        let silent = try NASActivity.reportSilent(
            connection, defaultInterval: Int(configuration.silenceDefaultInterval.wholeSeconds),
            intervals: configuration.silenceIntervals, now: now)
        for nas in silent {
            logger.notice(
                "NAS silent",
                metadata: [
                    "tenant_id": "\(nas.tenantID)", "nas": "\(nas.name)", "since": "\(nas.lastHeardAt)",
                    "threshold_seconds": "\(nas.thresholdSeconds)", "webhooks": "\(nas.deliveries)",
                ])
        }
        metrics.nasSilent.increment(by: Int64(silent.count))
        return silent
    }
}
