/// When a failed webhook delivery is tried again, and when it is given up.
///
/// A pure value: the dispatcher asks it after each failed attempt. The delay starts at
/// `initial` and doubles per attempt up to `maximum`; a delivery is given up once it has
/// been tried `maxAttempts` times or once the next try would start later than `giveUpAfter`
/// after the delivery was created, whichever comes first.
public struct WebhookBackoff: Sendable, Hashable {
    /// The delay after the first failed attempt, in seconds. Default 10.
    public var initial: Double
    /// The longest delay between two attempts, in seconds. Default 3600 (1 h).
    public var maximum: Double
    /// How long after its creation a delivery is still tried, in seconds. Default 86400 (24 h).
    public var giveUpAfter: Double
    /// The most attempts of one delivery. Default 30 (24 h of hourly tries need about 30).
    public var maxAttempts: Int

    public init(initial: Double = 10, maximum: Double = 3600, giveUpAfter: Double = 86_400, maxAttempts: Int = 30) {
        self.initial = initial
        self.maximum = maximum
        self.giveUpAfter = giveUpAfter
        self.maxAttempts = maxAttempts
    }

    /// What to do after a failed attempt.
    public enum Decision: Sendable, Hashable {
        /// Try again this many seconds after the failed attempt.
        case retry(after: Double)
        /// Stop trying: the delivery is failed.
        case giveUp
    }

    /// The delay after the `attempt`-th failed attempt (1-based): initial * 2^(attempt-1), capped.
    public func delay(afterAttempt attempt: Int) -> Double {
        guard attempt > 1 else { return min(initial, maximum) }
        // Past 2^40 the cap has long been reached; stop doubling so the value stays finite.
        let exponent = min(attempt - 1, 40)
        return min(initial * Double(1 << exponent), maximum)
    }

    /// The decision after the `attempt`-th failed attempt of a delivery created `age` seconds
    /// before that attempt ended.
    public func decision(afterAttempt attempt: Int, age: Double) -> Decision {
        if attempt >= maxAttempts { return .giveUp }
        let wait = delay(afterAttempt: attempt)
        if age + wait > giveUpAfter { return .giveUp }
        return .retry(after: wait)
    }
}
