import Foundation
import Logging
import RADIUS
import Storage
import Synchronization

/// Drains the spool into the database, in order, on a thread of its own.
///
/// Each record (or the rest of it, after a partial replay) is appended to the packet log
/// as live traffic is (`PacketLogAppender`, a stream of its own), and the spool's position
/// (`SpoolProgress`) moves in the same transaction; the merger applies it from there. A crash or a lost connection at any point therefore resumes at
/// the first packet not committed: nothing is repeated, nothing is skipped.
///
/// Positions are kept per spool id, and every start of a spool writes under a new id
/// (`Spool.id`), so a record behind its id's position has been committed already (a restart
/// read its segment again). Such records are still never passed over silently: they are
/// counted (`tollgate_spool_skipped_records_total`) and logged as errors, a run at a time.
public final class SpoolReplayer: @unchecked Sendable {
    public let spool: Spool
    let metrics: CollectorMetrics
    let logger: Logger
    private let connect: @Sendable () throws -> PostgresConnection
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Bool>(false)
    private let connected = Atomic<Bool>(false)
    /// Woken after each record appended, so a leading merger reads at once.
    var merger: Merger?
    /// Test hook: stop after this many records, as if the process died there.
    var stopAfterRecords: Int?
    /// Consecutive records found behind their spool's position, not yet logged.
    private var skipped: SkippedRun?

    private struct SkippedRun {
        var spoolID: String
        var position: SpoolPosition
        var first: Int64
        var last: Int64
        var records: Int
        var packets: Int
    }

    /// `connect`: connections to the database the spool's claim names (see `IngestPipeline.writerConnect`).
    public init(spool: Spool, metrics: CollectorMetrics, logger: Logger, connect: @escaping @Sendable () throws -> PostgresConnection) {
        self.spool = spool
        self.metrics = metrics
        self.logger = logger
        self.connect = connect
    }

    public func start() {
        running.store(true, ordering: .relaxed)
        Thread.start(named: "tg-spool-replay") { [self] in
            defer { running.store(false, ordering: .relaxed) }
            run()
        }
    }

    public var isRunning: Bool { running.load(ordering: .relaxed) }

    /// Whether the replay's connection works (its last statement succeeded).
    public var isConnected: Bool { connected.load(ordering: .relaxed) }

    /// Stops after the record in progress; the rest stays spooled.
    public func stop() {
        stopping.store(true, ordering: .relaxed)
        while running.load(ordering: .relaxed) { usleep(1000) }
    }

    private func run() {
        var writer: PacketLogAppender?
        // Committed positions by spool id, read once per connection.
        var positions: [String: SpoolPosition] = [:]
        var current: (sequence: Int64, packets: [SpooledPacket], spoolID: String)?
        var retryDelay: UInt32 = 50_000
        var records = 0
        defer { reportSkipped() }
        while !stopping.load(ordering: .relaxed) {
            if current == nil && !spool.isActive {
                usleep(10_000)
                continue
            }
            do {
                if writer == nil || writer?.connection.isConnected == false {
                    writer = try PacketLogAppender(connection: try connect())
                    positions = [:]
                    logger.info("replaying the spool", metadata: ["spool": "\(spool.configuration.directory)"])
                }
                if current == nil {
                    switch spool.next() {
                    case .caughtUp:
                        reportSkipped()
                        if !spool.finishIfCaughtUp() { usleep(2000) }
                        continue
                    case .quarantined:
                        continue
                    case .retryLater(let reason):
                        throw Spool.SpoolError.io(reason)
                    case .record(let sequence, let packets, let spoolID):
                        current = (sequence, packets, spoolID)
                    }
                }
                let (sequence, packets, spoolID) = current!
                if positions[spoolID] == nil {
                    positions[spoolID] = try SpoolProgress.position(writer!.connection, spoolID: spoolID)
                }
                try replay(sequence, packets, spoolID: spoolID, from: positions[spoolID]!, with: writer!)
                positions[spoolID] = max(positions[spoolID]!, SpoolPosition(record: sequence, items: packets.count))
                current = nil
                connected.store(true, ordering: .relaxed)
                retryDelay = 50_000
                records += 1
                if let limit = stopAfterRecords, records >= limit { return }
            } catch {
                logger.warning("spool replay waiting for the database", metadata: ["error": "\(error)"])
                // A new connection next time: the failure may be a property of this session
                // (a read-only server that has since been promoted, a broken connection).
                writer = nil
                connected.store(false, ordering: .relaxed)
                usleep(retryDelay)
                retryDelay = min(retryDelay * 2, 2_000_000)
            }
        }
    }

    /// Commits the packets of record `sequence` after `position`, with the new position.
    /// Any failure but the database refusing a packet's data leaves the position where it was
    /// (the record is tried again later): a read-only or full database, a deadlock or a lost
    /// connection never sets acknowledged packets aside.
    private func replay(
        _ sequence: Int64, _ packets: [SpooledPacket], spoolID: String, from position: SpoolPosition,
        with writer: PacketLogAppender
    ) throws {
        if sequence < position.record || (sequence == position.record && position.items >= packets.count) {
            noteSkipped(sequence, packets.count, spoolID: spoolID, position: position)
            return
        }
        reportSkipped()
        let first = sequence == position.record ? position.items : 0
        var items: [(index: Int, item: LogEntry)] = []
        for index in first..<packets.count {
            let spooled = packets[index]
            do {
                let packet = try RADIUSPacket(decoding: spooled.datagram)
                let r = AccountingListener.record(packet, tenantID: spooled.tenantID, nasID: spooled.nasID, receivedAt: spooled.receivedAt)
                items.append(
                    (
                        index,
                        LogEntry(
                            tenantID: r.tenantID, nasID: r.nasID, receivedAt: r.receivedAt, statusType: r.status.rawValue,
                            userName: r.status.isSessionEvent ? r.userName : nil,
                            sessionID: r.status.isSessionEvent ? r.sessionID : nil, packet: spooled.datagram)
                    ))
            } catch {
                try setAside(sequence, index, packets[index], reason: "spooled datagram no longer decodes: \(error)")
            }
        }
        let end = SpoolPosition(record: sequence, items: packets.count)
        do {
            try writer.append(items.map(\.item), alsoRun: [SpoolProgress.advance(spoolID: spoolID, to: end)])
            metrics.spoolReplayedPackets.add(items.count, ordering: .relaxed)
            merger?.wake()
        } catch  where WriteFailure(error) == .dataRefused && writer.connection.isConnected {
            // Something in the record's data is refused: commit its packets one by one (each
            // with the position after it), so only the refused ones are set aside.
            logger.warning("spooled batch refused; replaying its packets one by one", metadata: ["record": "\(sequence)", "error": "\(error)"])
            for (index, item) in items {
                let after = SpoolPosition(record: sequence, items: index + 1)
                do {
                    try writer.append([item], alsoRun: [SpoolProgress.advance(spoolID: spoolID, to: after)])
                    metrics.spoolReplayedPackets.add(1, ordering: .relaxed)
                } catch  where WriteFailure(error) == .dataRefused && writer.connection.isConnected {
                    try setAside(sequence, index, packets[index], reason: "the database refused the packet: \(error)")
                    try writer.append([], alsoRun: [SpoolProgress.advance(spoolID: spoolID, to: after)])
                }
            }
        }
    }

    /// Counts a record its spool's position is already past; logged with its neighbours by `reportSkipped`.
    private func noteSkipped(_ sequence: Int64, _ packets: Int, spoolID: String, position: SpoolPosition) {
        metrics.spoolSkippedRecords.add(1, ordering: .relaxed)
        if var run = skipped, run.spoolID == spoolID {
            run.last = sequence
            run.records += 1
            run.packets += packets
            skipped = run
        } else {
            reportSkipped()
            skipped = SkippedRun(spoolID: spoolID, position: position, first: sequence, last: sequence, records: 1, packets: packets)
        }
    }

    /// Logs the records skipped since the last report, if any.
    private func reportSkipped() {
        guard let run = skipped else { return }
        skipped = nil
        logger.error(
            """
            spooled records not replayed: the database's replay position for their spool id is already past them, so they were \
            committed before (their segment was read again after a restart); if the database was restored from a backup or \
            spool_progress was edited since, check the totals against the log
            """,
            metadata: [
                "spool": "\(spool.configuration.directory)", "spool_id": "\(run.spoolID)",
                "position": "\(run.position.record)/\(run.position.items)", "first_record": "\(run.first)", "last_record": "\(run.last)",
                "records": "\(run.records)", "packets": "\(run.packets)",
            ])
    }

    private func setAside(_ sequence: Int64, _ index: Int, _ packet: SpooledPacket, reason: String) throws {
        guard spool.quarantine(SpoolFormat.encode(sequence: sequence, packets: [packet]), name: "\(sequence)-\(index).packet", reason: reason) != nil
        else {
            throw Spool.SpoolError.io("cannot write to the quarantine folder")
        }
    }
}
