import Foundation

/// Counts failed sign-ins per email and per client address over a sliding window and says
/// when to refuse more. In memory: a restarted server forgets, which only gives an attacker
/// another `limit` guesses per restart.
final class LoginLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [String: [ContinuousClock.Instant]] = [:]
    private let limit: Int
    private let window: Duration
    private let clock = ContinuousClock()

    init(limit: Int, window: Duration) {
        self.limit = limit
        self.window = window
    }

    /// Whether any of `keys` has used up its attempts.
    func isBlocked(_ keys: [String]) -> Bool {
        lock.withLock {
            let now = clock.now
            return keys.contains { key in (failures[key] ?? []).filter { now - $0 < window }.count >= limit }
        }
    }

    func recordFailure(_ keys: [String]) {
        lock.withLock {
            let now = clock.now
            for key in keys { failures[key, default: []] = (failures[key] ?? []).filter { now - $0 < window } + [now] }
            // Forget keys whose failures have all aged out, so the table does not grow without end.
            if failures.count > 10_000 { failures = failures.filter { $0.value.contains { now - $0 < window } } }
        }
    }

    func reset(_ keys: [String]) {
        lock.withLock { for key in keys { failures[key] = nil } }
    }
}
