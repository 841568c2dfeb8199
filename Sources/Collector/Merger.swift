import CivilCalendar
import Foundation
import Logging
import RADIUS
import Storage
import Synchronization

/// Settings of the merger.
public struct MergerConfiguration: Sendable {
    /// Most rows read from each log stream for one merge transaction. Default 10000.
    public var batchPerStream = 10_000
    /// Session keys the leader keeps in memory between batches, over all workers. Default 400000.
    public var cacheCapacity = 400_000
    /// Transactions applying one batch side by side, each for the subscribers hashed to it,
    /// on a connection of its own. Default 2.
    public var workers = 2
    /// Whether merged packets stay in the log for audits (until their partition expires);
    /// false deletes them once merged. Default true.
    public var keepPackets = true
    /// Time without an update after which an open session with no known interim interval is
    /// closed as stale. Default 30 min.
    public var staleSessionTimeout: Duration = .seconds(1800)
    /// How often the stale-session reaper runs. Default 60 s.
    public var maintenanceInterval: Duration = .seconds(60)

    public init() {}
}

/// A subscriber whose usage a merge committed.
public typealias UsageCommitted = TenantSubscriber

/// Applies the packet log to sessions and usage: exactly once, in event order per session, in
/// large batches. The log positions move only after every part of a batch committed; a batch
/// that failed anywhere is applied again, which adds nothing where a part had committed (the
/// accounting semantics are idempotent: counters are maxima, a Start or Stop seen is seen),
/// after a new epoch has waited out any transaction of the failed attempt still in flight.
///
/// One merger per database leads (`MergeLeadership`); every collector runs one, and the
/// others stand by. The leader splits each batch by subscriber over its workers
/// (`MergeWorker`), which apply their shares side by side with session generations kept in
/// memory (`SessionCache`): the leader is the only writer of sessions, and the stale-session
/// reaper runs on its connection so the caches hear of it. Every merge transaction checks
/// the leader's epoch (`MergeLeadership.fence`), so one that lost the lead cannot commit
/// after the next began. Decisions come from `MergeStateMachine`; this class runs its actions.
public final class Merger: @unchecked Sendable {
    let configuration: MergerConfiguration
    let metrics: CollectorMetrics
    let logger: Logger
    private let connect: @Sendable () throws -> PostgresConnection
    private let condition = NSCondition()
    private var woken = false
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Bool>(false)
    /// Called on the merger's thread after each commit with the subscribers whose usage it
    /// changed (what quota enforcement evaluates next). Set before `start`.
    public var onUsageCommitted: (@Sendable ([UsageCommitted]) -> Void)?

    /// `connect`: connections to the database (`IngestPipeline.writerConnect` makes them durable and writable).
    public init(
        configuration: MergerConfiguration, metrics: CollectorMetrics, logger: Logger,
        connect: @escaping @Sendable () throws -> PostgresConnection
    ) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.connect = connect
    }

    /// Whether this merger leads.
    public var isLeader: Bool { metrics.mergeLeader.load(ordering: .relaxed) == 1 }

    public func start() {
        running.store(true, ordering: .relaxed)
        Thread.start(named: "tg-merger") { [self] in
            defer { running.store(false, ordering: .relaxed) }
            run()
        }
    }

    /// Rows were appended: a waiting leader reads at once.
    public func wake() {
        condition.lock()
        woken = true
        condition.signal()
        condition.unlock()
    }

    /// Stops after the merge in progress; the leadership passes with the connection.
    public func stop() {
        stopping.store(true, ordering: .relaxed)
        wake()
        while running.load(ordering: .relaxed) { usleep(1000) }
    }

    private func run() {
        var machine = MergeStateMachine()
        var connection: PostgresConnection?
        var lead: MergeLead?
        var batch: [LoggedPacket] = []
        var more = false
        var action: MergeStateMachine.Action?
        var nextMaintenance = monotonicMicroseconds() + configuration.maintenanceInterval.wholeMicroseconds
        var nextRetire: Int64 = 0
        var nextLagRead: Int64 = 0
        defer {
            lead?.stop()
            metrics.mergeLeader.store(0, ordering: .relaxed)
        }
        while !stopping.load(ordering: .relaxed) {
            let now = monotonicMicroseconds()
            let current = action ?? machine.next(now: now)
            action = nil
            switch current {
            case .connect:
                do {
                    connection = try connect()
                    machine.connected(now: now)
                } catch {
                    machine.connectFailed(now: now)
                    logger.warning("merger cannot reach the database; retrying", metadata: ["error": "\(error)"])
                }
            case .tryToLead:
                do {
                    if try MergeLeadership.tryAcquire(connection!) {
                        lead = try MergeLead(connection: connection!, configuration: configuration, connect: connect)
                        metrics.mergeLeader.store(1, ordering: .relaxed)
                        logger.info("merging the packet log (this collector leads)")
                        machine.leadership(acquired: true, now: now)
                    } else {
                        machine.leadership(acquired: false, now: now)
                        if now >= nextLagRead {
                            // Standing by: the lag the leader leaves, as everyone's /healthz should say.
                            metrics.mergeOldestUnmerged.store(try PacketLog.oldestUnmerged(connection!) ?? 0, ordering: .relaxed)
                            nextLagRead = now + 1_000_000
                        }
                    }
                } catch {
                    connection = nil
                    machine.connectionLost(now: now)
                }
            case .merge, .mergeOneByOne:
                guard let lead else {
                    machine.connectionLost(now: now)
                    continue
                }
                let oneByOne = current == .mergeOneByOne
                do {
                    if !oneByOne {
                        // Stale means no update received for a while: not while updates wait in the log.
                        if now >= nextMaintenance && metrics.mergeOldestUnmerged.load(ordering: .relaxed) == 0 {
                            nextMaintenance = now + configuration.maintenanceInterval.wholeMicroseconds
                            try maintain(lead)
                        }
                        if now >= nextRetire {
                            nextRetire = now + 10_000_000
                            try PacketLog.retireFinished(lead.connection)
                        }
                        let cut = MergeCut.cut(
                            try PacketLog.readUnmerged(lead.connection, limitPerStream: configuration.batchPerStream),
                            limitPerStream: configuration.batchPerStream)
                        batch = cut.packets
                        more = cut.more
                        if batch.isEmpty {
                            metrics.mergeOldestUnmerged.store(0, ordering: .relaxed)
                            action = machine.merged(drained: true, now: now)
                            continue
                        }
                        if metrics.mergeOldestUnmerged.load(ordering: .relaxed) == 0 {
                            metrics.mergeOldestUnmerged.store(batch.lazy.map(\.receivedAt).min() ?? 0, ordering: .relaxed)
                        }
                        try apply(batch, with: lead)
                    } else {
                        try applyOneByOne(batch, with: lead)
                    }
                    let drained = oneByOne ? false : !more
                    metrics.mergeOldestUnmerged.store(
                        drained ? 0 : try PacketLog.oldestUnmerged(lead.connection) ?? 0,
                        ordering: .relaxed)
                    batch = []
                    action = machine.merged(drained: drained, now: monotonicMicroseconds())
                } catch {
                    let failure = WriteFailure(error)
                    logger.error("merge failed", metadata: ["packets": "\(batch.count)", "error": "\(error)", "failure": "\(failure)"])
                    action = machine.mergeFailed(failure, now: monotonicMicroseconds(), oneByOne: oneByOne)
                }
            case .disconnect:
                lead?.stop()
                lead = nil
                connection = nil
                metrics.mergeLeader.store(0, ordering: .relaxed)
            case .wait(let until):
                condition.lock()
                if !woken && !stopping.load(ordering: .relaxed) {
                    let seconds = Double(min(until, now + 1_000_000) - now) / 1_000_000
                    if seconds > 0 { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
                }
                woken = false
                condition.unlock()
            }
        }
    }

    /// Applies the whole log now, on `connection`, unless another merger leads (then false:
    /// that one applies it). For a process that appends without running a merger (`tollgate
    /// spool replay`).
    public func mergeUntilCaughtUp(_ connection: PostgresConnection, deadline: Date = .distantFuture) throws -> Bool {
        guard try MergeLeadership.tryAcquire(connection) else { return false }
        defer { try? MergeLeadership.release(connection) }
        let lead = try MergeLead(connection: connection, configuration: configuration, connect: connect)
        defer { lead.stop() }
        while Date() < deadline {
            let batch = MergeCut.cut(
                try PacketLog.readUnmerged(connection, limitPerStream: configuration.batchPerStream),
                limitPerStream: configuration.batchPerStream
            ).packets
            if batch.isEmpty { return true }
            do {
                try apply(batch, with: lead)
            } catch  where WriteFailure(error) == .dataRefused && connection.isConnected {
                try applyOneByOne(batch, with: lead)
            }
        }
        throw PostgresError(.result, message: "the log was not merged up within the time given; a running collector merges the rest")
    }

    /// Applies logged packets: each worker's share in a transaction of its own, side by side;
    /// then, once all committed, the batch's Accounting-On/Off, refusals and the log positions
    /// after it in the coordinator's transaction. A failure anywhere leaves the positions where
    /// they were, so the whole batch is applied again: what a worker did commit adds nothing
    /// the second time (counters are maxima, a Start or Stop seen is seen), and every cache is
    /// dropped so the second time starts from what is stored.
    private func apply(_ packets: [LoggedPacket], with lead: MergeLead) throws {
        var shares = [[BatchItem]](repeating: [], count: lead.workers.count)
        var reboots: [BatchItem] = []
        var positions: [Int64: Int64] = [:]
        var refusals: [Statement] = []
        for packet in packets {
            positions[packet.stream] = max(positions[packet.stream] ?? 0, packet.seq)
            do {
                let decoded = try RADIUSPacket(decoding: packet.packet)
                let record = AccountingListener.record(decoded, tenantID: packet.tenantID, nasID: packet.nasID, receivedAt: packet.receivedAt)
                let item = BatchItem(record: record, packet: nil)
                if record.status == .accountingOn || record.status == .accountingOff {
                    reboots.append(item)
                } else if record.status.isSessionEvent {
                    shares[lead.share(of: record)].append(item)
                }
            } catch {
                // Verified before it was logged, so only a damaged row ends here: it stays in the log.
                refusals.append(PacketLog.refusal(stream: packet.stream, seq: packet.seq, error: "no longer decodes: \(error)"))
                logger.error(
                    "logged packet no longer decodes; left in the log, not applied",
                    metadata: ["stream": "\(packet.stream)", "seq": "\(packet.seq)", "error": "\(error)"])
            }
        }
        let rebootRecords = reboots.map(\.record)
        var busy: [MergeWorker] = []
        for (index, share) in shares.enumerated() where !share.isEmpty {
            lead.workers[index].submit(MergeWorker.Job(items: share, reboots: rebootRecords, epoch: lead.epoch))
            busy.append(lead.workers[index])
        }
        var subscribers: Set<TenantSubscriber> = []
        var failure: (any Error)?
        for worker in busy {
            switch worker.wait() {
            case .success(let summary): subscribers.formUnion(summary.subscribers)
            case .failure(let error): failure = failure ?? error
            }
        }
        if let failure {
            lead.forgetCaches()
            try lead.renewEpoch()
            throw failure
        }
        var alsoRun = refusals + [PacketLog.advance(positions)]
        if !configuration.keepPackets { alsoRun.append(PacketLog.deleteMerged(positions)) }
        do {
            try lead.coordinator.write(reboots, alsoRun: alsoRun, fence: MergeLeadership.fence(lead.epoch))
        } catch {
            lead.forgetCaches()
            try lead.renewEpoch()
            throw error
        }
        // A NAS that restarted closed sessions the workers hold open.
        if !reboots.isEmpty { lead.forgetCaches() }
        let now = nowMicroseconds()
        // Counted once committed: a batch applied again would count its refusals twice.
        metrics.mergeBatches.add(1, ordering: .relaxed)
        metrics.mergeRefused.add(refusals.count, ordering: .relaxed)
        metrics.mergedPackets.add(packets.count - refusals.count, ordering: .relaxed)
        for packet in packets { metrics.mergeDelay.observe(Int(max(0, now - packet.receivedAt))) }
        if let onUsageCommitted, !subscribers.isEmpty { onUsageCommitted(subscribers.sorted()) }
    }

    /// Applies packets one at a time; one the database refuses is passed over (its position
    /// moves on alone, the reason recorded) and stays in the log for an operator to look at.
    private func applyOneByOne(_ packets: [LoggedPacket], with lead: MergeLead) throws {
        for packet in packets where !stopping.load(ordering: .relaxed) {
            do {
                try apply([packet], with: lead)
            } catch  where WriteFailure(error) == .dataRefused && lead.connection.isConnected {
                metrics.mergeRefused.add(1, ordering: .relaxed)
                logger.error(
                    "the database refused a logged packet; left in the log, not applied",
                    metadata: ["stream": "\(packet.stream)", "seq": "\(packet.seq)", "error": "\(error)"])
                try lead.coordinator.write(
                    [],
                    alsoRun: [
                        PacketLog.refusal(stream: packet.stream, seq: packet.seq, error: "\(error)"),
                        PacketLog.advance([packet.stream: packet.seq]),
                    ],
                    fence: MergeLeadership.fence(lead.epoch))
            }
        }
    }

    /// Closes stale sessions; the caches forget what they held when any closed.
    private func maintain(_ lead: MergeLead) throws {
        let closed = try StaleSessionReaper.reap(lead.connection, defaultTimeout: Int(configuration.staleSessionTimeout.wholeSeconds))
        if closed > 0 {
            lead.forgetCaches()
            metrics.sessionsClosedStale.add(closed, ordering: .relaxed)
            logger.info("closed stale sessions", metadata: ["count": "\(closed)"])
        }
    }
}
