/// The RFC 5080 section 2.2.2 duplicate detection cache.
///
/// Key: listener, source address and port, Identifier and Request Authenticator. A
/// duplicate of a request still being recorded is dropped; a duplicate of an answered one
/// gets the same answer again, without touching the database. Entries live a few seconds.
/// Not thread-safe: owned by one listener queue.
public struct DedupCache {
    public struct Key: Hashable, Sendable {
        public var address: IPAddress
        public var port: UInt16
        public var identifier: UInt8
        public var authenticatorHigh: UInt64
        public var authenticatorLow: UInt64

        public init(address: IPAddress, port: UInt16, identifier: UInt8, authenticatorHigh: UInt64, authenticatorLow: UInt64) {
            self.address = address
            self.port = port
            self.identifier = identifier
            self.authenticatorHigh = authenticatorHigh
            self.authenticatorLow = authenticatorLow
        }
    }

    public enum State: Equatable, Sendable {
        case inFlight
        case answered([UInt8])
    }

    public enum Verdict: Equatable, Sendable {
        /// Not seen: process it (now marked in flight).
        case new
        /// Being recorded: drop this copy.
        case inFlight
        /// Already answered: send this response again.
        case answered([UInt8])
    }

    private var entries: [Key: (state: State, expires: Int64)] = [:]
    private var expiryOrder: [(key: Key, expires: Int64)] = []
    private var expiryHead = 0
    /// How long an entry lives, microseconds.
    public let lifetime: Int64
    /// The most entries kept; beyond this the oldest are forgotten early.
    public let capacity: Int

    public init(lifetime: Int64 = 5_000_000, capacity: Int = 1_000_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    public var count: Int { entries.count }

    /// Looks a request up and, when new, marks it in flight.
    public mutating func check(_ key: Key, now: Int64) -> Verdict {
        expire(now: now)
        if let entry = entries[key], entry.expires > now {
            switch entry.state {
            case .inFlight: return .inFlight
            case .answered(let response): return .answered(response)
            }
        }
        let expires = now + lifetime
        entries[key] = (.inFlight, expires)
        expiryOrder.append((key, expires))
        return .new
    }

    /// Records the answer sent for a request.
    public mutating func answered(_ key: Key, response: [UInt8], now: Int64) {
        entries[key] = (.answered(response), now + lifetime)
        expiryOrder.append((key, now + lifetime))
    }

    /// Forgets a request that could not be recorded, so its retransmission is processed.
    public mutating func forget(_ key: Key) {
        entries[key] = nil
    }

    private mutating func expire(now: Int64) {
        while expiryHead < expiryOrder.count {
            let (key, expires) = expiryOrder[expiryHead]
            guard expires <= now || entries.count > capacity else { break }
            if let entry = entries[key], entry.expires <= expires || entries.count > capacity {
                entries[key] = nil
            }
            expiryHead += 1
        }
        if expiryHead > 4096 && expiryHead * 2 > expiryOrder.count {
            expiryOrder.removeFirst(expiryHead)
            expiryHead = 0
        }
    }
}
