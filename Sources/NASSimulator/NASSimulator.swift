#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs NAS workloads over real UDP and reports what happened.
///
/// All I/O happens on threads of the simulator's own (never on the Swift concurrency pool):
/// `run(_:)` suspends the calling task until the run ends, `runBlocking(_:)` blocks the calling
/// thread. Every run ends by itself at `RunOptions.timeLimit`.
///
/// ```swift
/// let nas = SimulatedNAS(localAddress: "127.0.0.2", target: server, secret: "s3cret")
/// let report = try await NASSimulator(options: RunOptions(timeout: .milliseconds(200)))
///     .run([NASWorkload(nas: nas, sessions: sessions)])
/// #expect(report.isComplete)
/// ```
public struct NASSimulator: Sendable {
    public var options: RunOptions
    /// Threads the workloads are spread over (whole NAS per thread); default 1. The window and
    /// rate are divided between them.
    public var threads: Int

    public init(options: RunOptions = RunOptions(), threads: Int = 1) {
        self.options = options
        self.threads = max(1, threads)
    }

    /// Runs the workloads to completion (or the time limit); cancelling the task stops the run
    /// early and returns what it did.
    public func run(_ workloads: [NASWorkload]) async throws(SimulatorError) -> Report {
        let cancellation = CancellationFlag()
        let result: Result<Report, SimulatorError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                start(workloads, cancellation: cancellation) { continuation.resume(returning: $0) }
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }

    /// Runs the workloads on the simulator's threads and blocks the calling thread until they
    /// end. For command-line tools; never call it from async code.
    public func runBlocking(_ workloads: [NASWorkload]) throws(SimulatorError) -> Report {
        let done = BlockingResult()
        start(workloads, cancellation: CancellationFlag()) { done.set($0) }
        return try done.wait().get()
    }

    private func start(
        _ workloads: [NASWorkload], cancellation: CancellationFlag,
        completion: @escaping @Sendable (Result<Report, SimulatorError>) -> Void
    ) {
        let shards = Self.split(workloads, into: min(threads, max(1, workloads.count)))
        var divided = options
        divided.window = max(1, options.window / shards.count)
        divided.rate = options.rate.map { $0 / Double(shards.count) }
        let shardOptions = divided
        let collector = ShardCollector(count: shards.count, completion: completion)
        for (index, shard) in shards.enumerated() {
            spawnThread {
                do throws(SimulatorError) {
                    let engine = try SimulatorEngine(workloads: shard, options: shardOptions, cancellation: cancellation)
                    collector.deliver(index, .success(engine.run()))
                } catch {
                    collector.deliver(index, .failure(error))
                }
            }
        }
    }

    /// Deals whole workloads round-robin, so each NAS's sockets stay on one thread.
    static func split(_ workloads: [NASWorkload], into count: Int) -> [[NASWorkload]] {
        var shards = [[NASWorkload]](repeating: [], count: max(1, count))
        for (index, workload) in workloads.enumerated() { shards[index % shards.count].append(workload) }
        return shards
    }
}

extension SimulatedNAS {
    /// Runs `sessions` (and `messages`) from this NAS and reports; see `NASSimulator.run(_:)`.
    public func run(
        sessions: [SimulatedSession], messages: [NASMessage] = [], options: RunOptions = RunOptions()
    ) async throws(SimulatorError) -> Report {
        try await NASSimulator(options: options).run([NASWorkload(nas: self, messages: messages, sessions: sessions)])
    }

    /// Sends one Accounting-On, Accounting-Off or Status-Server and reports (acknowledged is 1
    /// when a verified answer came).
    public func send(_ message: NASMessage, options: RunOptions = RunOptions()) async throws(SimulatorError) -> Report {
        try await NASSimulator(options: options).run([NASWorkload(nas: self, messages: [message])])
    }
}

/// Gathers the shards' results and merges them once all have arrived.
private final class ShardCollector: @unchecked Sendable {
    private let lock = Lock()
    private var results: [SimulatorEngine.Result?]
    private var failure: SimulatorError?
    private var remaining: Int
    private let completion: @Sendable (Result<Report, SimulatorError>) -> Void

    init(count: Int, completion: @escaping @Sendable (Result<Report, SimulatorError>) -> Void) {
        results = Array(repeating: nil, count: count)
        remaining = count
        self.completion = completion
    }

    func deliver(_ index: Int, _ result: Result<SimulatorEngine.Result, SimulatorError>) {
        let finished: Bool = lock.withLock {
            switch result {
            case .success(let value): results[index] = value
            case .failure(let error): failure = failure ?? error
            }
            remaining -= 1
            return remaining == 0
        }
        guard finished else { return }
        if let failure {
            completion(.failure(failure))
            return
        }
        var report = Report()
        var samples: [UInt64] = []
        for case let result? in results {
            report.merge(result.report)
            samples += result.samples
        }
        report.latency = LatencySummary(nanoseconds: samples)
        completion(.success(report))
    }
}

/// A result one thread waits for while another produces it.
private final class BlockingResult: @unchecked Sendable {
    private let lock = Lock()
    private var condition = pthread_cond_t()
    private var value: Result<Report, SimulatorError>?

    init() { pthread_cond_init(&condition, nil) }

    deinit { pthread_cond_destroy(&condition) }

    func set(_ result: Result<Report, SimulatorError>) {
        lock.withLock {
            value = result
            pthread_cond_broadcast(&condition)
        }
    }

    func wait() -> Result<Report, SimulatorError> {
        lock.withLock {
            while value == nil { pthread_cond_wait(&condition, lock.mutex) }
            return value!
        }
    }
}
