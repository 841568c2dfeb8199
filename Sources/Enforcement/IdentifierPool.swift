/// The 256 Identifiers of one destination (address and port) and which request holds each.
///
/// Identifiers are handed out round-robin, so a freed one is reused as late as possible and
/// a stray late answer to an old request meets a long-gone Identifier or, at worst, one whose
/// Request Authenticator no longer matches.
struct IdentifierPool: Sendable {
    private var owners = [UInt64?](repeating: nil, count: 256)
    private var cursor = 0
    /// Identifiers held.
    private(set) var busy = 0

    var isFull: Bool { busy == 256 }
    var isEmpty: Bool { busy == 0 }

    /// A free Identifier for `owner`, or nil when all 256 are held.
    mutating func acquire(for owner: UInt64) -> UInt8? {
        guard busy < 256 else { return nil }
        while owners[cursor] != nil { cursor = (cursor + 1) & 0xff }
        let identifier = UInt8(cursor)
        owners[cursor] = owner
        busy += 1
        cursor = (cursor + 1) & 0xff
        return identifier
    }

    mutating func release(_ identifier: UInt8) {
        guard owners[Int(identifier)] != nil else { return }
        owners[Int(identifier)] = nil
        busy -= 1
    }

    /// The request holding `identifier`, if any.
    func owner(of identifier: UInt8) -> UInt64? { owners[Int(identifier)] }
}

/// A first-in first-out queue with amortised O(1) removal from the front.
struct FIFO<Element: Sendable>: Sendable {
    private var storage: [Element] = []
    private var head = 0

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }
    var first: Element? { isEmpty ? nil : storage[head] }

    mutating func append(_ element: Element) { storage.append(element) }

    mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        if head > 64 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }
}
