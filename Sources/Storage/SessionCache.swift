import Accounting

/// Session generations and NAS reboot times the merge leader keeps between batches, so a
/// packet of a known session costs no read. Only the leader may hold one: it is the only
/// writer of sessions (`MergeLeadership`); whatever else changes sessions (the stale-session
/// reaper, an import) clears it. Not thread-safe: one merger thread owns it.
///
/// Open sessions stay; a key whose latest generation is closed is dropped at commit (a late
/// packet of it reads it again), and the whole cache is dropped when it outgrows `capacity`.
/// Attributes a packet may leave out (Class, Framed-IP-Address, station ids) are not kept:
/// the writer's UPDATE keeps the stored ones, as it does for generations read from the table.
public final class SessionCache {
    /// A key's generations from `since` on (every generation that may hold a packet whose
    /// session began at or after it), with their row ids.
    public struct Entry {
        var generations: [SessionGenerations.Generation]
        var ids: [Int64?]
        var since: Int64
    }

    /// One generation of one key.
    struct GenerationKey: Hashable {
        var key: SessionKey
        var number: Int32
    }

    private struct NAS: Hashable {
        var tenantID: Int64
        var nasID: Int64
    }

    /// Most keys kept. Default 400,000 (about 100 MB).
    public let capacity: Int
    private var entries: [SessionKey: Entry] = [:]
    /// NAS reboot times read so far; nil: the NAS never sent Accounting-On/Off.
    private var reboots: [NAS: Int64?] = [:]
    public private(set) var hits = 0
    public private(set) var misses = 0

    public init(capacity: Int = 400_000) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { entries.count }

    /// Forgets everything (after a failed write, or when someone else changed sessions).
    public func removeAll() {
        entries.removeAll()
        reboots.removeAll()
    }

    /// The key's generations, if the cache knows all that a packet implying a session start
    /// at `since` may belong to.
    func entry(for key: SessionKey, covering since: Int64) -> Entry? {
        guard let entry = entries[key], entry.since <= since else {
            misses += 1
            return nil
        }
        hits += 1
        return entry
    }

    /// The NAS's last reboot: `.some(nil)` when known to have none, nil when not known.
    func rebootTime(tenantID: Int64, nasID: Int64) -> Int64?? {
        reboots[NAS(tenantID: tenantID, nasID: nasID)]
    }

    func noteRebootTime(_ time: Int64?, tenantID: Int64, nasID: Int64) {
        reboots[NAS(tenantID: tenantID, nasID: nasID)] = .some(time)
    }

    /// Takes what a committed batch left, with the row ids of the generations it inserted.
    func commit(_ written: [SessionKey: Entry], inserted: [GenerationKey: Int64]) {
        for (key, var entry) in written {
            guard let latest = entry.generations.last, latest.state.isOpen else {
                entries.removeValue(forKey: key)
                continue
            }
            var complete = true
            for index in entry.ids.indices where entry.ids[index] == nil {
                entry.ids[index] = inserted[GenerationKey(key: key, number: entry.generations[index].number)]
                if entry.ids[index] == nil { complete = false }
            }
            guard complete else {
                entries.removeValue(forKey: key)
                continue
            }
            for index in entry.generations.indices {
                entry.generations[index].state.forgetAttributes()
            }
            entries[key] = entry
        }
        if entries.count > capacity { entries.removeAll(keepingCapacity: false) }
    }
}

extension SessionState {
    /// Drops the attributes a later packet may leave out (the stored row keeps them).
    mutating func forgetAttributes() {
        multiSessionID = nil
        classValue = nil
        framedIPAddress = nil
        callingStationID = nil
        calledStationID = nil
    }
}
