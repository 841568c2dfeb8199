/// What became of one attempt.
public enum WebhookAttemptResult: Sendable, Hashable {
    /// The receiver answered 2xx: the delivery is done.
    case delivered
    /// Try again after this many seconds.
    case retry(afterSeconds: Double)
    /// Given up: the delivery is failed.
    case failed
}
