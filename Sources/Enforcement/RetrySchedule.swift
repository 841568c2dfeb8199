/// When a dynamic-authorization request is retransmitted and when it is given up.
///
/// The wait after transmission n is `firstWait * 2^(n-1)`; after the last transmission's wait
/// the request times out. The standard schedule waits 2, 4, 8, 16 and 32 s: transmissions at
/// 0, 2, 6, 14 and 30 s, timeout at 62 s (the shape of RFC 5080 section 2.2.1's back-off,
/// without its random factor: one client never sends enough to a NAS to synchronise).
public struct RetrySchedule: Sendable, Hashable {
    /// The wait after the first transmission.
    public var firstWait: Duration
    /// Transmissions in all, the first included.
    public var transmissions: Int

    /// 2 s first wait, doubling, 5 transmissions.
    public static let standard = RetrySchedule(firstWait: .seconds(2), transmissions: 5)

    public init(firstWait: Duration, transmissions: Int) {
        precondition(transmissions >= 1, "a request is transmitted at least once")
        precondition(firstWait > .zero, "the wait must be positive")
        self.firstWait = firstWait
        self.transmissions = transmissions
    }

    /// How long to wait for an answer after transmission `number` (1-based).
    public func wait(afterTransmission number: Int) -> Duration {
        precondition(number >= 1 && number <= transmissions, "transmission \(number) is outside 1...\(transmissions)")
        return firstWait * (1 << (number - 1))
    }

    /// When each transmission goes out, counted from the first.
    public var transmissionOffsets: [Duration] {
        var offsets: [Duration] = []
        var at = Duration.zero
        for number in 1...transmissions {
            offsets.append(at)
            at += wait(afterTransmission: number)
        }
        return offsets
    }

    /// From the first transmission to the timeout.
    public var timeout: Duration {
        (1...transmissions).reduce(Duration.zero) { $0 + wait(afterTransmission: $1) }
    }
}
