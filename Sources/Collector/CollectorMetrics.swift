import Foundation
import Synchronization

/// Why a datagram was dropped without an answer.
public enum DropReason: String, CaseIterable, Sendable {
    case tooShort = "too_short"
    case invalidLength = "invalid_length"
    case truncated
    case unsupportedCode = "unsupported_code"
    case malformedAttribute = "malformed_attribute"
    case oversized
    case unexpectedCode = "unexpected_code"
    case unknownNAS = "unknown_nas"
    case badAuthenticator = "bad_authenticator"
    case badMessageAuthenticator = "bad_message_authenticator"
    case missingMessageAuthenticator = "missing_message_authenticator"
    case duplicateInFlight = "duplicate_in_flight"
    case overloaded
    case storageUnavailable = "storage_unavailable"
    /// Left unanswered because the database was down and the spool at its size limit.
    case spoolFull = "spool_full"
}

/// Drops of one reason from one registered NAS.
public struct NASDropKey: Hashable, Sendable {
    public var tenantID: Int64
    public var nasID: Int64
    public var reason: DropReason
    /// The hour of the drop (Unix seconds of its start), so that counts written late (after
    /// the database was away) still land in the hour they happened.
    public var hour: Int64
}

/// The collector's counters, exported in the Prometheus text format on /metrics.
///
/// Hand-written rather than swift-prometheus's types (which enforcement, webhooks and HTTP use):
/// the collector reads its own figures back (the health report's spool and merge lag, `tollgate
/// spool status`, the merger's lag), and swift-prometheus's metrics can only be written and
/// exported. Recording costs the same either way (`Benchmarks/run --target MetricsBenchmarks`).
public final class CollectorMetrics: Sendable {
    public let received = Atomic<Int>(0)
    public let answered = Atomic<Int>(0)
    public let duplicatesAnswered = Atomic<Int>(0)
    public let statusServerAnswered = Atomic<Int>(0)
    public let batches = Atomic<Int>(0)
    public let batchesFailed = Atomic<Int>(0)
    public let sessionsClosedStale = Atomic<Int>(0)
    public let listenerPauses = Atomic<Int>(0)
    public let pending = Atomic<Int>(0)
    public let sessionsOpen = Atomic<Int>(0)
    public let spoolBytes = Atomic<Int>(0)
    public let spoolRecords = Atomic<Int>(0)
    public let spoolPackets = Atomic<Int>(0)
    public let spoolReplayedPackets = Atomic<Int>(0)
    public let spoolQuarantined = Atomic<Int>(0)
    /// Spooled records not written because their spool's committed position is already past them.
    public let spoolSkippedRecords = Atomic<Int>(0)
    /// Segments in the spool folder written for another database (kept, not replayed).
    public let spoolForeignSegments = Atomic<Int>(0)
    public let spoolForeignBytes = Atomic<Int>(0)
    /// Packets the merger applied to sessions and usage.
    public let mergedPackets = Atomic<Int>(0)
    public let mergeBatches = Atomic<Int>(0)
    /// Logged packets the merger could not apply (kept in the log; see the error log).
    public let mergeRefused = Atomic<Int>(0)
    /// Whether this collector holds the merge leadership (1) or stands by (0).
    public let mergeLeader = Atomic<Int>(0)
    /// Receipt time (wall clock, microseconds) of the oldest logged packet not merged yet;
    /// 0 when the log is merged up.
    public let mergeOldestUnmerged = Atomic<Int64>(0)
    /// Receipt to the commit that made the packet's usage visible, microseconds: 10 ms .. 60 s.
    public let mergeDelay = Histogram(bounds: [
        10_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_000_000, 5_000_000,
        10_000_000, 30_000_000, 60_000_000,
    ])
    private let drops: [Counter]
    /// Packets per batch: buckets 1, 10, 100, 1000, 10000, +Inf.
    public let batchSize = Histogram(bounds: [1, 10, 100, 1000, 10_000])
    /// Commit latency in microseconds: 0.5 ms .. 1 s.
    public let commitLatency = Histogram(bounds: [500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000])
    /// Receipt to answer in microseconds.
    public let ackLatency = Histogram(bounds: [500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000])

    public init() {
        drops = DropReason.allCases.map { _ in Counter() }
    }

    /// Drops of datagrams from a registered NAS since the last `takeNASDrops`, by NAS and
    /// reason: the collector writes them to the database for the NAS's tenant to see.
    private let nasDrops = Mutex<[NASDropKey: Int]>([:])

    /// Counts a drop of datagrams that came from a registered NAS (by address, or by
    /// address and NAS-Identifier once the packet could be read).
    public func dropped(_ reason: DropReason, count: Int = 1, tenantID: Int64, nasID: Int64) {
        dropped(reason, count: count)
        let hour = Int64(time(nil)) / 3600 * 3600
        nasDrops.withLock { $0[NASDropKey(tenantID: tenantID, nasID: nasID, reason: reason, hour: hour), default: 0] += count }
    }

    /// The NAS drops counted since the last call, and starts counting anew.
    public func takeNASDrops() -> [NASDropKey: Int] {
        nasDrops.withLock { counts in
            defer { counts = [:] }
            return counts
        }
    }

    /// Puts drops that could not be written back, to be written with the next ones.
    public func returnNASDrops(_ counts: [NASDropKey: Int]) {
        nasDrops.withLock { current in current.merge(counts, uniquingKeysWith: +) }
    }

    public func dropped(_ reason: DropReason, count: Int = 1) {
        drops[DropReason.allCases.firstIndex(of: reason)!].value.add(count, ordering: .relaxed)
    }

    public func droppedCount(_ reason: DropReason) -> Int {
        drops[DropReason.allCases.firstIndex(of: reason)!].value.load(ordering: .relaxed)
    }

    public var totalDropped: Int { DropReason.allCases.reduce(0) { $0 + droppedCount($1) } }

    /// Seconds since the oldest logged packet not merged yet was received; 0 when merged up.
    public var mergeLagSeconds: Double {
        let oldest = mergeOldestUnmerged.load(ordering: .relaxed)
        guard oldest > 0 else { return 0 }
        return max(0, Double(nowMicroseconds() - oldest) / 1_000_000)
    }

    /// Prometheus text exposition format 0.0.4.
    public func render() -> String {
        var out = ""
        func counter(_ name: String, _ help: String, _ value: Int) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n"
        }
        func gauge(_ name: String, _ help: String, _ value: Int) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n\(name) \(value)\n"
        }
        counter("tollgate_packets_received_total", "Datagrams received on accounting listeners.", received.load(ordering: .relaxed))
        counter("tollgate_packets_answered_total", "Accounting-Responses sent after the packet was durable.", answered.load(ordering: .relaxed))
        counter(
            "tollgate_duplicates_answered_total", "Retransmissions answered from the duplicate cache.", duplicatesAnswered.load(ordering: .relaxed))
        counter("tollgate_status_server_answered_total", "Status-Server requests answered.", statusServerAnswered.load(ordering: .relaxed))
        out +=
            "# HELP tollgate_packets_dropped_total Datagrams dropped without an answer, by reason.\n# TYPE tollgate_packets_dropped_total counter\n"
        for reason in DropReason.allCases {
            out += "tollgate_packets_dropped_total{reason=\"\(reason.rawValue)\"} \(droppedCount(reason))\n"
        }
        counter("tollgate_batches_total", "Batches committed.", batches.load(ordering: .relaxed))
        counter("tollgate_batches_failed_total", "Batches that failed; none of their packets was answered.", batchesFailed.load(ordering: .relaxed))
        counter(
            "tollgate_listener_pauses_total", "Times a listener stopped reading because the pipeline was full (backpressure).",
            listenerPauses.load(ordering: .relaxed))
        counter("tollgate_sessions_closed_stale_total", "Sessions closed by the stale-session reaper.", sessionsClosedStale.load(ordering: .relaxed))
        counter(
            "tollgate_spool_batches_total", "Batches appended to the on-disk spool because the database could not take them.",
            spoolRecords.load(ordering: .relaxed))
        counter("tollgate_spool_packets_total", "Packets answered after being made durable in the spool.", spoolPackets.load(ordering: .relaxed))
        counter(
            "tollgate_spool_replayed_packets_total", "Spooled packets committed to the database by the replay.",
            spoolReplayedPackets.load(ordering: .relaxed))
        counter(
            "tollgate_spool_quarantined_total", "Spool records or packets that could not be read or replayed, kept in the quarantine folder.",
            spoolQuarantined.load(ordering: .relaxed))
        counter(
            "tollgate_spool_skipped_records_total",
            "Spooled records not replayed because their spool's committed replay position is already past them (see the error log).",
            spoolSkippedRecords.load(ordering: .relaxed))
        gauge("tollgate_spool_bytes", "Octets in the spool waiting for replay.", spoolBytes.load(ordering: .relaxed))
        gauge(
            "tollgate_spool_foreign_segments",
            "Spool segments written for another database: kept untouched, never replayed here (see tollgate spool status).",
            spoolForeignSegments.load(ordering: .relaxed))
        gauge(
            "tollgate_spool_foreign_bytes", "Octets of the spool segments written for another database.", spoolForeignBytes.load(ordering: .relaxed))
        gauge("tollgate_packets_pending", "Packets received and waiting for their batch to commit.", pending.load(ordering: .relaxed))
        gauge("tollgate_sessions_open", "Open sessions in the database (refreshed periodically).", sessionsOpen.load(ordering: .relaxed))
        counter(
            "tollgate_merged_packets_total", "Logged packets applied to sessions and usage by the merger.", mergedPackets.load(ordering: .relaxed))
        counter("tollgate_merge_batches_total", "Merge transactions committed.", mergeBatches.load(ordering: .relaxed))
        counter(
            "tollgate_merge_refused_packets_total", "Logged packets the merger could not apply (kept in the log; see the error log).",
            mergeRefused.load(ordering: .relaxed))
        gauge("tollgate_merge_leader", "1 while this collector is the database's merger, 0 while it stands by.", mergeLeader.load(ordering: .relaxed))
        out += "# HELP tollgate_merge_lag_seconds Age of the oldest acknowledged packet whose usage is not visible yet (0: merged up).\n"
        out += "# TYPE tollgate_merge_lag_seconds gauge\ntollgate_merge_lag_seconds \(String(format: "%.3f", mergeLagSeconds))\n"
        out += mergeDelay.render(
            name: "tollgate_merge_delay_seconds", help: "Time from a packet's receipt to the commit that made its usage visible.",
            scale: 1_000_000)
        out += batchSize.render(name: "tollgate_batch_size", help: "Packets per committed batch.", scale: 1)
        out += commitLatency.render(name: "tollgate_commit_latency_seconds", help: "Time to write and commit one batch.", scale: 1_000_000)
        out += ackLatency.render(name: "tollgate_ack_latency_seconds", help: "Time from receipt to answer.", scale: 1_000_000)
        return out
    }
}

/// A fixed-bucket histogram of integer observations.
public final class Histogram: Sendable {
    let bounds: [Int]
    private let counts: [Counter]
    private let sum = Atomic<Int>(0)
    private let total = Atomic<Int>(0)

    public init(bounds: [Int]) {
        self.bounds = bounds
        counts = (0...bounds.count).map { _ in Counter() }
    }

    public func observe(_ value: Int) {
        let index = bounds.firstIndex { value <= $0 } ?? bounds.count
        counts[index].value.add(1, ordering: .relaxed)
        sum.add(value, ordering: .relaxed)
        total.add(1, ordering: .relaxed)
    }

    public var count: Int { total.load(ordering: .relaxed) }

    /// `scale` divides observations into the exported unit (1e6 turns microseconds into seconds).
    public func render(name: String, help: String, scale: Int) -> String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative = 0
        for (i, bound) in bounds.enumerated() {
            cumulative += counts[i].value.load(ordering: .relaxed)
            out += "\(name)_bucket{le=\"\(format(bound, scale))\"} \(cumulative)\n"
        }
        cumulative += counts[bounds.count].value.load(ordering: .relaxed)
        out += "\(name)_bucket{le=\"+Inf\"} \(cumulative)\n"
        out += "\(name)_sum \(format(sum.load(ordering: .relaxed), scale))\n"
        out += "\(name)_count \(cumulative)\n"
        return out
    }

    private func format(_ value: Int, _ scale: Int) -> String {
        if scale == 1 { return String(value) }
        let whole = value / scale
        var fraction = String(value % scale)
        while fraction.count < String(scale).count - 1 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    }
}

/// An atomic counter that can live in an array.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
