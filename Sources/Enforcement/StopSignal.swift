import Foundation

/// Tells a worker thread to stop and lets it sleep until then: `stop` wakes a sleeping
/// worker at once, and `stop`'s caller can wait until the worker has finished.
final class StopSignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopping = false
    private var finished = false

    /// Whether `stop` was called.
    var isStopping: Bool { condition.withLock { stopping } }

    /// Sleeps up to `duration`; returns false when the worker must stop.
    func sleep(_ duration: Duration) -> Bool {
        condition.withLock {
            let deadline = Date(timeIntervalSinceNow: duration / .seconds(1))
            while !stopping, condition.wait(until: deadline) {}
            return !stopping
        }
    }

    /// Asks the worker to stop and wakes it.
    func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
    }

    /// Called by the worker as it ends.
    func markFinished() {
        condition.withLock {
            finished = true
            condition.broadcast()
        }
    }

    /// Waits until the worker has ended.
    func waitUntilFinished() {
        condition.withLock {
            while !finished { condition.wait() }
        }
    }
}
