import Foundation

/// Counts sign-in attempts over a sliding window and refuses more than a key's limit. An
/// attempt is counted when it is admitted, before the password is checked, so a burst of
/// concurrent guesses cannot all pass the check before the first failure is recorded; a
/// successful sign-in takes its attempt back. In memory: a restarted server forgets, which
/// only gives an attacker another limit's worth of guesses per restart.
final class LoginLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var attempts: [String: [ContinuousClock.Instant]] = [:]
    private let window: Duration
    private let clock = ContinuousClock()

    init(window: Duration) {
        self.window = window
    }

    /// Admits an attempt when every key is under its limit, and counts it against each;
    /// false (nothing counted) when any key has used up its attempts.
    func admit(_ keys: [(key: String, limit: Int)]) -> Bool {
        lock.withLock {
            let now = clock.now
            let recent = keys.map { (attempts[$0.key] ?? []).filter { now - $0 < window } }
            guard zip(keys, recent).allSatisfy({ $1.count < $0.limit }) else { return false }
            for (entry, times) in zip(keys, recent) { attempts[entry.key] = times + [now] }
            // Forget keys whose attempts have all aged out, so the table does not grow without end.
            if attempts.count > 10_000 { attempts = attempts.filter { $0.value.contains { now - $0 < window } } }
            return true
        }
    }

    /// Takes back the attempt of a successful sign-in.
    func forgive(_ keys: [String]) {
        lock.withLock {
            for key in keys where !(attempts[key]?.isEmpty ?? true) { attempts[key]?.removeLast() }
        }
    }
}
