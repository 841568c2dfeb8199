/// A growable double-ended queue over a circular buffer: O(1) at both ends, no per-element allocation.
struct RingBuffer<Element> {
    private var storage: [Element?]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int = 16) {
        storage = Array(repeating: nil, count: Swift.max(1, capacity))
    }

    var isEmpty: Bool { count == 0 }

    var first: Element? { count == 0 ? nil : storage[head] }

    mutating func pushBack(_ element: Element) {
        if count == storage.count { grow() }
        storage[(head + count) % storage.count] = element
        count += 1
    }

    mutating func pushFront(_ element: Element) {
        if count == storage.count { grow() }
        head = (head + storage.count - 1) % storage.count
        storage[head] = element
        count += 1
    }

    @discardableResult
    mutating func popFront() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head]
        storage[head] = nil
        head = (head + 1) % storage.count
        count -= 1
        return element
    }

    private mutating func grow() {
        var bigger: [Element?] = Array(repeating: nil, count: storage.count * 2)
        for i in 0..<count { bigger[i] = storage[(head + i) % storage.count] }
        storage = bigger
        head = 0
    }
}

/// The free Identifiers of one socket, handed out oldest-freed first so that a late answer
/// to a finished request is unlikely to meet a new request with the same Identifier.
struct IdentifierPool {
    private var free = RingBuffer<UInt8>(capacity: 256)

    init() {
        for id in 0...255 { free.pushBack(UInt8(id)) }
    }

    var available: Int { free.count }

    mutating func take() -> UInt8? { free.popFront() }

    mutating func release(_ identifier: UInt8) { free.pushBack(identifier) }
}
