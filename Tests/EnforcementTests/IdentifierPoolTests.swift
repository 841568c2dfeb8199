import Testing

@testable import Enforcement

@Suite("IdentifierPool, FIFO and RetryTimers")
struct IdentifierPoolTests {
    @Test("256 distinct Identifiers, then none until one is released; round-robin reuse")
    func pool() {
        var pool = IdentifierPool()
        var seen = Set<UInt8>()
        for owner in 0..<256 {
            let identifier = pool.acquire(for: UInt64(owner))
            #expect(identifier == UInt8(owner))
            if let identifier { seen.insert(identifier) }
        }
        #expect(seen.count == 256)
        #expect(pool.isFull)
        #expect(pool.acquire(for: 999) == nil)
        pool.release(17)
        pool.release(17)
        #expect(pool.busy == 255)
        #expect(pool.owner(of: 17) == nil)
        #expect(pool.acquire(for: 1000) == 17)
        #expect(pool.owner(of: 17) == 1000)
        pool.release(3)
        pool.release(200)
        // The cursor moves on from 18: 200 comes before 3.
        #expect(pool.acquire(for: 1) == 200)
        #expect(pool.acquire(for: 2) == 3)
    }

    @Test("FIFO keeps order across compaction")
    func fifo() {
        var queue = FIFO<Int>()
        for i in 0..<1000 { queue.append(i) }
        var out: [Int] = []
        for _ in 0..<600 { out.append(queue.popFirst()!) }
        for i in 1000..<1100 { queue.append(i) }
        while let x = queue.popFirst() { out.append(x) }
        #expect(out == Array(0..<1100))
        #expect(queue.isEmpty)
    }

    @Test("RetryTimers pops due entries earliest first across transmission numbers")
    func timers() {
        var timers = RetryTimers(transmissions: 3)
        timers.arm(.init(deadline: 100, request: 1, transmission: 1))
        timers.arm(.init(deadline: 300, request: 2, transmission: 2))
        timers.arm(.init(deadline: 150, request: 3, transmission: 1))
        timers.arm(.init(deadline: 120, request: 4, transmission: 3))
        #expect(timers.earliestDeadline == 100)
        #expect(timers.popDue(now: 149).map(\.request) == [1, 4])
        #expect(timers.earliestDeadline == 150)
        #expect(timers.popDue(now: 1000).map(\.request) == [3, 2])
        #expect(timers.isEmpty)
        #expect(timers.earliestDeadline == nil)
    }
}
