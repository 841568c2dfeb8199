import AsyncHTTPClient
import CivilCalendar
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Prometheus
import Storage

/// Sends the webhook outbox: claims due deliveries, POSTs each signed to its endpoint, and
/// records every attempt.
///
/// Runs on a thread of its own with a libpq connection of its own (libpq blocks); the HTTP
/// requests run on the HTTP client's event loops, all of a claimed batch at once, and the
/// thread waits for their answers. At-least-once: a delivery is marked delivered only after
/// its endpoint answered 2xx; one whose answer was lost (a crash, a lease that ran out) is
/// sent again with the same idempotency key. Anything but 2xx, including redirects and
/// timeouts, is retried on `WebhookBackoff`'s schedule until it is given up.
public final class WebhookDispatcher: Sendable {
    let configuration: WebhookConfiguration
    let cipher: SecretCipher
    let connect: @Sendable () throws -> PostgresConnection
    let logger: Logger
    public let metrics: WebhookMetrics
    let client: HTTPClient
    let signal = StopSignal()

    /// `connect` opens the dispatcher's database connection (again after a failure).
    public init(
        configuration: WebhookConfiguration, cipher: SecretCipher, metrics: WebhookMetrics, logger: Logger,
        connect: @escaping @Sendable () throws -> PostgresConnection
    ) {
        self.configuration = configuration
        self.cipher = cipher
        self.connect = connect
        self.logger = logger
        self.metrics = metrics
        let timeout = TimeAmount.milliseconds(configuration.timeout.wholeMilliseconds)
        client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: .init(
                redirectConfiguration: .disallow,
                timeout: .init(connect: timeout, read: timeout, write: timeout)))
    }

    /// Starts the dispatcher's thread.
    public func start() {
        let thread = Thread { [self] in
            run()
            signal.markFinished()
        }
        thread.name = "tg-webhooks"
        thread.start()
    }

    /// Stops: the batch in flight is finished and recorded (each attempt ends within the
    /// timeout), then the thread and the HTTP client end. Blocks: call it off the event loops
    /// and the concurrency pool.
    public func stop() {
        signal.stop()
        signal.waitUntilFinished()
        try? client.syncShutdown()
    }

    private func run() {
        var connection: PostgresConnection?
        var pendingRefreshed = 0.0
        while !signal.isStopping {
            do {
                if connection?.isConnected != true { connection = try connect() }
                guard let connection else { continue }
                let store = WebhookStore(connection: connection, cipher: cipher)
                let sent = try deliverDue(store)
                let now = Date().timeIntervalSince1970
                if now - pendingRefreshed >= 15 {
                    metrics.pending.set(to: Double(try store.pendingCounts().values.reduce(0, +)))
                    pendingRefreshed = now
                }
                if sent == 0, !signal.sleep(configuration.pollInterval) { break }
            } catch {
                logger.warning("webhook dispatcher cannot reach the database; retrying", metadata: ["error": "\(error)"])
                connection = nil
                if !signal.sleep(max(.seconds(1), min(.seconds(5), configuration.pollInterval * 5))) { break }
            }
        }
    }

    /// Claims the due deliveries (up to `batch`), sends them at once and records each
    /// attempt. Returns how many were sent.
    @discardableResult
    public func deliverDue(_ store: WebhookStore) throws -> Int {
        let claimed = try store.claimDue(limit: configuration.batch, leaseSeconds: Int(configuration.lease.wholeSeconds))
        guard !claimed.isEmpty else { return 0 }
        let deadline = NIODeadline.now() + .milliseconds(configuration.timeout.wholeMilliseconds)
        let inFlight = claimed.map { delivery -> (ClaimedWebhookDelivery, Double, UInt64, Result<HTTPClient.Task<UInt>, any Error>) in
            let startedAt = Date().timeIntervalSince1970
            let message = WebhookMessage(delivery: delivery, timestamp: Int64(startedAt))
            let started = DispatchTime.now().uptimeNanoseconds
            let task = Result {
                var headers = HTTPHeaders()
                for header in message.headers { headers.add(name: header.name, value: header.value) }
                let request = try HTTPClient.Request(url: delivery.url, method: .POST, headers: headers, body: .bytes(message.body))
                return client.execute(request: request, delegate: StatusOnlyDelegate(), deadline: deadline)
            }
            return (delivery, startedAt, started, task)
        }
        for (delivery, startedAt, started, task) in inFlight {
            var statusCode: Int?
            var failure: String?
            do {
                let code = Int(try task.get().wait())
                statusCode = code
                if !(200...299).contains(code) { failure = "HTTP \(code)" }
            } catch {
                failure = Self.describe(error)
            }
            let milliseconds = Int((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
            let result: WebhookAttemptResult
            if failure == nil {
                result = .delivered
            } else {
                switch configuration.backoff.decision(
                    afterAttempt: delivery.attempt, age: .seconds(delivery.ageSeconds) + .milliseconds(milliseconds))
                {
                case .retry(let wait): result = .retry(afterSeconds: wait / .seconds(1))
                case .giveUp: result = .failed
                }
            }
            let recorded = try store.record(
                delivery, startedAt: startedAt, statusCode: statusCode, error: failure,
                durationMilliseconds: milliseconds, result: result)
            guard recorded else {
                logger.warning(
                    "webhook lease ran out before the attempt was recorded; another dispatcher will send it again",
                    metadata: ["delivery": "\(delivery.deliveryID)", "tenant": "\(delivery.tenantSlug)"])
                continue
            }
            switch result {
            case .delivered:
                metrics.count(event: delivery.event, outcome: .delivered)
            case .retry(let seconds):
                metrics.count(event: delivery.event, outcome: .retry)
                logger.info(
                    "webhook attempt failed; retrying",
                    metadata: [
                        "delivery": "\(delivery.deliveryID)", "tenant": "\(delivery.tenantSlug)", "attempt": "\(delivery.attempt)",
                        "error": "\(failure ?? "")", "retry_in_seconds": "\(Int(seconds))",
                    ])
            case .failed:
                metrics.count(event: delivery.event, outcome: .failed)
                logger.warning(
                    "webhook delivery given up",
                    metadata: [
                        "delivery": "\(delivery.deliveryID)", "tenant": "\(delivery.tenantSlug)", "attempts": "\(delivery.attempt)",
                        "error": "\(failure ?? "")",
                    ])
            }
        }
        return claimed.count
    }

    /// A short text for an attempt that got no HTTP answer.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return "timed out"
            case .connectTimeout: return "connect timed out"
            default: return "\(error)"
            }
        }
        return "\(error)"
    }
}

/// Keeps only the response's status code: a receiver's body is read and dropped, so a large
/// one costs no memory.
final class StatusOnlyDelegate: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = UInt
    // Touched only on the request's event loop.
    private var status: UInt = 0

    func didReceiveHead(task: HTTPClient.Task<UInt>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        status = head.status.code
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<UInt>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<UInt>) throws -> UInt { status }
}
