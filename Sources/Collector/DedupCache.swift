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

    /// An entry: in flight, or answered with the response to send again. A 20-octet response
    /// (every Accounting-Response the collector sends) is kept inline, without an allocation
    /// per packet: the cache holds every packet of the last few seconds.
    enum State: Equatable, Sendable {
        case inFlight
        case answeredShort(header: UInt32, high: UInt64, low: UInt64)
        case answered([UInt8])

        init(response: [UInt8]) {
            guard response.count == 20 else {
                self = .answered(response)
                return
            }
            func load<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
                var value: T = 0
                for index in offset..<(offset + MemoryLayout<T>.size) { value = value << 8 | T(response[index]) }
                return value
            }
            self = .answeredShort(header: load(0, UInt32.self), high: load(4, UInt64.self), low: load(12, UInt64.self))
        }

        var response: [UInt8]? {
            switch self {
            case .inFlight: return nil
            case .answered(let response): return response
            case .answeredShort(let header, let high, let low):
                var bytes: [UInt8] = []
                bytes.reserveCapacity(20)
                withUnsafeBytes(of: header.bigEndian) { bytes += $0 }
                withUnsafeBytes(of: high.bigEndian) { bytes += $0 }
                withUnsafeBytes(of: low.bigEndian) { bytes += $0 }
                return bytes
            }
        }
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
            if let response = entry.state.response { return .answered(response) }
            return .inFlight
        }
        let expires = now + lifetime
        entries[key] = (.inFlight, expires)
        expiryOrder.append((key, expires))
        return .new
    }

    /// Records the answer sent for a request.
    public mutating func answered(_ key: Key, response: [UInt8], now: Int64) {
        entries[key] = (State(response: response), now + lifetime)
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
