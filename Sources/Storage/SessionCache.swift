import Accounting

/// Session generations and NAS reboot times the merge leader keeps between batches, so a
/// packet of a known session costs no read. Only the leader may hold one: it is the only
/// writer of sessions (`MergeLeadership`); whatever else changes sessions (the stale-session
/// reaper, an import) clears it. Not thread-safe: one merger thread owns it.
///
/// Open sessions stay; a key whose latest generation is closed is dropped at commit (a late
/// packet of it reads it again), and the whole cache is dropped when it outgrows `capacity`.
/// Attributes a packet may leave out (Class, Framed-IP-Address, station ids) are not kept:
/// the writer's UPDATE keeps the stored ones, as it does for generations read from the table;
/// the rest of a generation is kept packed (`Kept`), about 90 octets.
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

    /// One generation as kept: its row id and the state the accounting semantics read, in
    /// about 90 octets (a `SessionState` with its optional attributes takes more than twice that).
    struct Kept {
        var id: Int64
        var lastReceivedAt: Int64
        var uploadBytes: UInt64
        var downloadBytes: UInt64
        var sessionSeconds: UInt64
        var startedAt: Int64
        var lastEventAt: Int64
        var stoppedAt: Int64
        var terminateCause: UInt32
        var interimInterval: UInt32
        var number: Int32
        var closeReason: Int8
        var flags: UInt8

        static let none = Int64.min
        static let reasons: [CloseReason] = [.stop, .nasReboot, .stale, .superseded]

        init(_ generation: SessionGenerations.Generation, id: Int64) {
            let state = generation.state
            self.id = id
            lastReceivedAt = generation.lastReceivedAt
            uploadBytes = state.uploadBytes
            downloadBytes = state.downloadBytes
            sessionSeconds = state.sessionSeconds
            startedAt = state.startedAt ?? Self.none
            lastEventAt = state.lastEventAt ?? Self.none
            stoppedAt = state.stoppedAt ?? Self.none
            terminateCause = state.terminateCause ?? 0
            interimInterval = state.interimInterval ?? 0
            number = generation.number
            closeReason = state.closeReason.flatMap { Self.reasons.firstIndex(of: $0) }.map { Int8($0) } ?? -1
            flags =
                (state.hasEvents ? 1 : 0) | (state.sawStart ? 2 : 0) | (state.terminateCause != nil ? 4 : 0)
                | (state.interimInterval != nil ? 8 : 0)
        }

        var generation: SessionGenerations.Generation {
            func time(_ value: Int64) -> Int64? { value == Self.none ? nil : value }
            let state = SessionState(
                hasEvents: flags & 1 != 0, sawStart: flags & 2 != 0, uploadBytes: uploadBytes, downloadBytes: downloadBytes,
                sessionSeconds: sessionSeconds, startedAt: time(startedAt), lastEventAt: time(lastEventAt),
                stoppedAt: time(stoppedAt), closeReason: closeReason < 0 ? nil : Self.reasons[Int(closeReason)],
                terminateCause: flags & 4 != 0 ? terminateCause : nil,
                interimInterval: flags & 8 != 0 ? interimInterval : nil)
            return SessionGenerations.Generation(number: number, state: state, lastReceivedAt: lastReceivedAt)
        }
    }

    /// A key's generations as kept.
    private struct Stored {
        var generations: [Kept]
        var since: Int64
    }

    /// Most keys kept. Default 400,000 (about 100 MB).
    public let capacity: Int
    private var entries: [SessionKey: Stored] = [:]
    /// NAS reboot times read so far; nil: the NAS never sent Accounting-On/Off.
    private var reboots: [NAS: Int64?] = [:]

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
        guard let stored = entries[key], stored.since <= since else { return nil }
        return Entry(generations: stored.generations.map(\.generation), ids: stored.generations.map(\.id), since: stored.since)
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
        for (key, entry) in written {
            guard let latest = entry.generations.last, latest.state.isOpen else {
                entries.removeValue(forKey: key)
                continue
            }
            var kept: [Kept] = []
            kept.reserveCapacity(entry.generations.count)
            for (generation, id) in zip(entry.generations, entry.ids) {
                guard let id = id ?? inserted[GenerationKey(key: key, number: generation.number)] else { break }
                kept.append(Kept(generation, id: id))
            }
            guard kept.count == entry.generations.count else {
                entries.removeValue(forKey: key)
                continue
            }
            entries[key] = Stored(generations: kept, since: entry.since)
        }
        if entries.count > capacity { entries.removeAll(keepingCapacity: false) }
    }
}
