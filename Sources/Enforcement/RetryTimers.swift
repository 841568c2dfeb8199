/// The pending retransmission timers of all requests, earliest first, behind one timer source.
///
/// Every transmission number has one wait, so deadlines armed for the same number arrive in
/// increasing order: one FIFO per transmission number is already sorted, and the earliest
/// deadline overall is the smallest of their heads. Entries of finished requests stay until
/// they come due and are then ignored.
struct RetryTimers: Sendable {
    struct Entry: Sendable, Hashable {
        /// Monotonic nanoseconds.
        var deadline: UInt64
        var request: UInt64
        var transmission: Int
    }

    private var lanes: [FIFO<Entry>]

    init(transmissions: Int) {
        lanes = Array(repeating: FIFO<Entry>(), count: transmissions)
    }

    var isEmpty: Bool { lanes.allSatisfy(\.isEmpty) }

    mutating func arm(_ entry: Entry) {
        lanes[entry.transmission - 1].append(entry)
    }

    /// The earliest deadline, if any timer is armed.
    var earliestDeadline: UInt64? {
        lanes.compactMap { $0.first?.deadline }.min()
    }

    /// Removes and returns every entry due at `now`, earliest first.
    mutating func popDue(now: UInt64) -> [Entry] {
        var due: [Entry] = []
        for index in lanes.indices {
            while let head = lanes[index].first, head.deadline <= now {
                due.append(head)
                _ = lanes[index].popFirst()
            }
        }
        due.sort { $0.deadline < $1.deadline }
        return due
    }
}
