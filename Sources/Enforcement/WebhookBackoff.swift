/// When a failed webhook delivery is tried again, and when it is given up.
///
/// A pure value: the dispatcher asks it after each failed attempt. The delay starts at
/// `initial` and doubles per attempt up to `maximum`; a delivery is given up once it has
/// been tried `maxAttempts` times or once the next try would start later than `giveUpAfter`
/// after the delivery was created, whichever comes first.
public struct WebhookBackoff: Sendable, Hashable {
    /// The delay after the first failed attempt. Default 10 s.
    public var initial: Duration
    /// The longest delay between two attempts. Default 1 h.
    public var maximum: Duration
    /// How long after its creation a delivery is still tried. Default 24 h.
    public var giveUpAfter: Duration
    /// The most attempts of one delivery. Default 30 (24 h of hourly tries need about 30).
    public var maxAttempts: Int

    public init(
        initial: Duration = .seconds(10), maximum: Duration = .seconds(3600), giveUpAfter: Duration = .seconds(86_400),
        maxAttempts: Int = 30
    ) {
        self.initial = initial
        self.maximum = maximum
        self.giveUpAfter = giveUpAfter
        self.maxAttempts = maxAttempts
    }

    /// What to do after a failed attempt.
    public enum Decision: Sendable, Hashable {
        /// Try again this long after the failed attempt.
        case retry(after: Duration)
        /// Stop trying: the delivery is failed.
        case giveUp
    }

    /// The delay after the `attempt`-th failed attempt (1-based): initial * 2^(attempt-1), capped.
    public func delay(afterAttempt attempt: Int) -> Duration {
        guard attempt > 1 else { return min(initial, maximum) }
        // Past 2^40 the cap has long been reached; stop doubling so the value stays in range.
        let exponent = min(attempt - 1, 40)
        return min(initial * (1 << exponent), maximum)
    }

    /// The decision after the `attempt`-th failed attempt of a delivery created `age` before
    /// that attempt ended.
    public func decision(afterAttempt attempt: Int, age: Duration) -> Decision {
        if attempt >= maxAttempts { return .giveUp }
        let wait = delay(afterAttempt: attempt)
        if age + wait > giveUpAfter { return .giveUp }
        return .retry(after: wait)
    }
}
