import Accounting
import Foundation
import Storage

/// One of the merge leader's workers: applies its share of each batch (the sessions of the
/// subscribers hashed to it) in a transaction of its own, on its own connection and thread,
/// with its own `SessionCache`. Workers never touch each other's rows (sessions, hourly and
/// daily usage are all keyed by subscriber), so their transactions run side by side on the
/// database's cores.
final class MergeWorker: @unchecked Sendable {
    /// A share of a batch to apply.
    struct Job {
        var items: [BatchItem]
        /// The batch's Accounting-On/Off, which the coordinator records after the workers.
        var reboots: [AccountingRecord]
        var epoch: Int64
    }

    private let connect: @Sendable () throws -> PostgresConnection
    private let cacheCapacity: Int
    private let condition = NSCondition()
    private var job: Job?
    private var result: Result<BatchSummary, any Error>?
    private var stopping = false
    private var running = false
    /// Set by the coordinator when sessions changed outside this worker (reboots, the reaper,
    /// a failed batch): the cache is dropped before the next job.
    private var forget = false
    private var writer: AccountingWriter?

    init(name: String, cacheCapacity: Int, connect: @escaping @Sendable () throws -> PostgresConnection) {
        self.connect = connect
        self.cacheCapacity = cacheCapacity
        running = true
        Thread.start(named: name) { [self] in run() }
    }

    /// Hands the worker a job; `wait` returns its outcome.
    func submit(_ job: Job) {
        condition.lock()
        self.job = job
        result = nil
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the job submitted last.
    func wait() -> Result<BatchSummary, any Error> {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return result!
    }

    /// Drops the session cache before the next job.
    func forgetCache() {
        condition.lock()
        forget = true
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        defer {
            running = false
            condition.broadcast()
            condition.unlock()
        }
        while true {
            while job == nil && !stopping { condition.wait() }
            if stopping { return }
            let current = job!
            job = nil
            if forget {
                writer?.cache?.removeAll()
                forget = false
            }
            var currentWriter = writer
            condition.unlock()
            let outcome: Result<BatchSummary, any Error>
            do {
                if currentWriter == nil || currentWriter?.connection.isConnected == false {
                    currentWriter = try AccountingWriter(connection: try connect(), cache: SessionCache(capacity: cacheCapacity))
                }
                outcome = .success(
                    try currentWriter!.write(
                        current.items, fence: MergeLeadership.fence(current.epoch),
                        rebootsElsewhere: current.reboots))
            } catch {
                if currentWriter?.connection.isConnected == false { currentWriter = nil }
                outcome = .failure(error)
            }
            condition.lock()
            writer = currentWriter
            result = outcome
            condition.broadcast()
        }
    }
}
