import Enforcement
import Foundation
import Logging
import ServiceLifecycle
import Storage

/// The webhook dispatcher and the NAS silence watcher of `tollgate serve` (when
/// `[webhooks] enabled`), stopped at shutdown after the attempts in flight are recorded.
struct WebhookService: Service {
    let dispatcher: WebhookDispatcher?
    let watcher: NASSilenceWatcher?

    init(
        configuration: WebhookConfiguration, cipher: SecretCipher, metrics: WebhookMetrics, logger: Logger,
        connect: @escaping @Sendable () throws -> PostgresConnection
    ) {
        guard configuration.enabled else {
            dispatcher = nil
            watcher = nil
            return
        }
        dispatcher = WebhookDispatcher(configuration: configuration, cipher: cipher, metrics: metrics, logger: logger, connect: connect)
        watcher = NASSilenceWatcher(configuration: configuration, metrics: metrics, logger: logger, connect: connect)
    }

    func start() {
        dispatcher?.start()
        watcher?.start()
    }

    func run() async throws {
        try? await gracefulShutdown()
        // Stopping waits for the worker threads: do it off the cooperative pool.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                watcher?.stop()
                dispatcher?.stop()
                continuation.resume()
            }
            thread.start()
        }
    }
}
