/// Which database jobs may run: at most `limit` at once per tenant, the others waiting in
/// arrival order. A pure value; `TenantLimiter` wraps it with a lock and the waiting.
struct TenantSlots {
    let limit: Int
    private var running: [Int64: Int] = [:]
    private var waiting: [Int64: [UInt64]] = [:]

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Jobs of `tenant` running now.
    func runningCount(_ tenant: Int64) -> Int { running[tenant, default: 0] }

    /// Jobs of `tenant` waiting now.
    func waitingCount(_ tenant: Int64) -> Int { waiting[tenant, default: []].count }

    /// Asks for a slot for job `ticket`: true when it may run now, false when it waits.
    mutating func acquire(_ tenant: Int64, ticket: UInt64) -> Bool {
        if running[tenant, default: 0] < limit, waiting[tenant, default: []].isEmpty {
            running[tenant, default: 0] += 1
            return true
        }
        waiting[tenant, default: []].append(ticket)
        return false
    }

    /// A job of `tenant` ended: its slot passes to the first waiting job, whose ticket is
    /// returned, or is freed.
    mutating func release(_ tenant: Int64) -> UInt64? {
        if var queue = waiting[tenant], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[tenant] = queue.isEmpty ? nil : queue
            return next
        }
        let count = running[tenant, default: 0] - 1
        running[tenant] = count > 0 ? count : nil
        return nil
    }

    /// A waiting job gives up (its wait timed out): true when it was still waiting, false
    /// when it had been given a slot meanwhile (which it then owns and must release).
    mutating func abandon(_ tenant: Int64, ticket: UInt64) -> Bool {
        guard var queue = waiting[tenant], let index = queue.firstIndex(of: ticket) else { return false }
        queue.remove(at: index)
        waiting[tenant] = queue.isEmpty ? nil : queue
        return true
    }
}
