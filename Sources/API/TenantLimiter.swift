import Foundation

/// Bounds the database jobs of each tenant that run at once, so that one tenant's report
/// queries cannot take every database thread: a job over the limit waits (in arrival
/// order) up to `maxWait`, then is refused with 429 and Retry-After.
final class TenantLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: TenantSlots
    private var continuations: [UInt64: CheckedContinuation<Void, any Error>] = [:]
    private var nextTicket: UInt64 = 0
    let maxWait: Duration

    init(limit: Int, maxWait: Duration) {
        slots = TenantSlots(limit: limit)
        self.maxWait = maxWait
    }

    /// Waits for a slot of `tenant`; the caller must `release` it once the job ended.
    func acquire(_ tenant: Int64) async throws {
        let ticket: UInt64 = lock.withLock {
            nextTicket += 1
            return nextTicket
        }
        let maxWait = self.maxWait
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let runsNow = lock.withLock {
                if slots.acquire(tenant, ticket: ticket) { return true }
                continuations[ticket] = continuation
                return false
            }
            if runsNow {
                continuation.resume()
                return
            }
            Task { [self] in
                try? await Task.sleep(for: maxWait)
                let abandoned: CheckedContinuation<Void, any Error>? = lock.withLock {
                    guard slots.abandon(tenant, ticket: ticket) else { return nil }
                    return continuations.removeValue(forKey: ticket)
                }
                abandoned?.resume(throwing: APIError.busy(retryAfter: Self.retryAfter(maxWait)))
            }
        }
    }

    /// Ends a job of `tenant`: the next waiting job of the tenant starts.
    func release(_ tenant: Int64) {
        let next: CheckedContinuation<Void, any Error>? = lock.withLock {
            guard let ticket = slots.release(tenant) else { return nil }
            return continuations.removeValue(forKey: ticket)
        }
        next?.resume()
    }

    /// Jobs of `tenant` running and waiting now.
    func load(_ tenant: Int64) -> (running: Int, waiting: Int) {
        lock.withLock { (slots.runningCount(tenant), slots.waitingCount(tenant)) }
    }

    static func retryAfter(_ wait: Duration) -> Int {
        max(1, Int(wait.components.seconds))
    }
}
