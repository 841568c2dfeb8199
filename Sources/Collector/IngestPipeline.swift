import Accounting
import CUDPShim
import Foundation
import Logging
import RADIUS
import Storage
import Synchronization

/// Settings of the group-commit pipeline.
public struct PipelineConfiguration: Sendable {
    /// Most packets written in one transaction. Default 2000.
    public var maxBatch = 2000
    /// Longest a packet waits for its batch to fill, microseconds. Default 2000 (2 ms).
    public var maxDelayMicroseconds: Int64 = 2000
    /// Writer threads, each with its own database connection. Default 2.
    public var writers = 2
    /// Packets waiting for a batch before listeners stop reading (the kernel buffers the rest;
    /// reading resumes at half). Default 100000.
    public var maxPending = 100_000
    /// Whether raw packets go to the audit table. Default true.
    public var keepRawPackets = true
    /// Longest wait for the database to answer a batch, milliseconds; past it the batch is
    /// spooled (or left unanswered without a spool) and the connection is made anew. Default 10000.
    public var commitTimeoutMilliseconds = 10_000

    public init() {}
}

/// A packet accepted for recording, with what is needed to answer it after commit.
struct PendingPacket: @unchecked Sendable {
    var item: BatchItem
    /// The datagram as received (what a spool keeps).
    var datagram: [UInt8]
    var listener: AccountingListener
    var peer: SocketAddress
    var identifier: UInt8
    var requestAuthenticator: Authenticator
    var secret: [UInt8]
    var dedupKey: DedupCache.Key
    var receivedMonotonic: Int64
}

/// Gathers packets into batches, writes each batch in one transaction on a dedicated
/// thread with its own connection, and only after COMMIT sends that batch's answers.
///
/// When a batch cannot be committed (the database is down, the connection was lost, no answer
/// within the commit timeout) and there is a spool, the batch is appended to the spool and
/// answered once that is durable; while the spool holds records, every batch goes there so
/// the replay (`SpoolReplayer`) hands the database everything in order. Without a spool, or
/// with the spool full, a failed batch is answered for no packet; their NAS devices retransmit.
public final class IngestPipeline: @unchecked Sendable {
    let configuration: PipelineConfiguration
    let metrics: CollectorMetrics
    let logger: Logger
    let spool: Spool?
    private let connect: @Sendable () throws -> PostgresConnection
    private var replayer: SpoolReplayer?
    private let condition = NSCondition()
    private var queue: [PendingPacket] = []
    private var queueHead = 0
    private var stopping = false
    /// Listeners that stopped reading because the queue was full; resumed once it has drained
    /// to half of `maxPending`. Meanwhile datagrams wait in the kernel's receive buffer (and NAS
    /// devices retransmit if it overflows): backpressure instead of dropping answered work.
    private var pausedListeners: [AccountingListener] = []
    private let runningWriters = Atomic<Int>(0)
    private let databaseAnswered = Atomic<Int64>(0)
    private let databaseFailed = Atomic<Int64>(0)
    private let probeRunning = Atomic<Bool>(false)

    public init(configuration: PipelineConfiguration, metrics: CollectorMetrics, logger: Logger, spool: Spool? = nil,
                connect: @escaping @Sendable () throws -> PostgresConnection) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.spool = spool
        self.connect = Self.writerConnect(connect, expecting: spool?.claim.database, timeoutMilliseconds: configuration.commitTimeoutMilliseconds)
    }

    /// Opens connections for writing accounting: every commit durable before it returns
    /// (whatever the server is configured with: an answer means the packet survives a crash),
    /// to a database that takes writes (not a standby, not read-only: `databaseUnavailable`
    /// then), and, with `expecting`, only to that database. A connection that reaches another database
    /// (an address re-pointed under a running collector) counts as no connection: batches go
    /// to the spool, which is for the expected database, and the replay waits.
    public static func writerConnect(_ connect: @escaping @Sendable () throws -> PostgresConnection, expecting: DatabaseIdentity?,
                                     timeoutMilliseconds: Int) -> @Sendable () throws -> PostgresConnection {
        {
            let connection = try connect()
            connection.responseTimeoutMilliseconds = timeoutMilliseconds
            try connection.requireDurableCommits()
            try connection.requireWritable()
            if let expecting {
                let found = try DatabaseIdentity.read(connection)
                guard found == expecting else {
                    throw PostgresError(.connection, message: "the database reached is not the one this collector's spool is for (found \(found); expected \(expecting)): nothing is written to it")
                }
            }
            return connection
        }
    }

    /// Whether storage is taking writes: the database's last answer (to a writer's commit or
    /// connection, or to the health probe) was good, not a lost or refused connection; while
    /// batches go to the spool, whether the replay's last commit succeeded.
    ///
    /// One writer losing its connection makes the collector unhealthy at once, although the
    /// other writers' idle connections have not noticed yet: they are dead too.
    public var isHealthy: Bool {
        if let replayer, spool?.isActive == true { return replayer.isConnected }
        let good = databaseAnswered.load(ordering: .relaxed)
        return good > 0 && good >= databaseFailed.load(ordering: .relaxed)
    }

    /// Whether a failed write says the database cannot take writes now, whatever the data: the
    /// connection is gone or timed out (57014), the server is read-only (25006: a standby, or
    /// default_transaction_read_only), out of disk, memory or connections (class 53), or shutting
    /// down (57P01..57P05). Such a batch is spooled; any other statement error is about its data.
    static func databaseUnavailable(_ error: any Error) -> Bool {
        guard let error = error as? PostgresError else { return false }
        if error.kind == .connection { return true }
        guard let state = error.sqlState else { return false }
        return state == "57014" || state == "25006" || state.hasPrefix("53") || state.hasPrefix("57P0")
    }

    /// Notes how the database last answered (monotonic microseconds).
    private func noteDatabase(answered: Bool) {
        if answered {
            databaseAnswered.store(monotonicMicroseconds(), ordering: .relaxed)
        } else {
            databaseFailed.store(monotonicMicroseconds(), ordering: .relaxed)
        }
    }

    /// Whether accounting is being answered (see `accepting`).
    public var isAccepting: Bool {
        Self.accepting(databaseHealthy: isHealthy, spoolActive: spool?.isActive ?? false, spoolCanTakeBatch: spool?.canTakeBatch ?? false)
    }

    /// Whether a batch arriving now would be answered. While the spool holds records every
    /// batch goes to it (the database gets everything in order), so only the spool's room
    /// counts then, however well the replay goes; otherwise the database taking writes, or
    /// the spool being able to take the batch it cannot, will do.
    static func accepting(databaseHealthy: Bool, spoolActive: Bool, spoolCanTakeBatch: Bool) -> Bool {
        spoolActive ? spoolCanTakeBatch : databaseHealthy || spoolCanTakeBatch
    }

    public func start() {
        if let spool {
            let replayer = SpoolReplayer(spool: spool, metrics: metrics, logger: logger, connect: connect)
            replayer.start()
            self.replayer = replayer
        }
        startProbe()
        for index in 0..<max(1, configuration.writers) {
            let thread = Thread { [self] in self.writerLoop(index) }
            thread.name = "tollgate-writer-\(index)"
            runningWriters.add(1, ordering: .relaxed)
            thread.start()
        }
    }

    /// About once a second asks the database (on a connection of its own, made as a writer
    /// makes one) whether it answers, unless a batch was committed within that second, and
    /// while storage is not healthy asks the spool (`Spool.probe`) whether it could take a
    /// batch. So Status-Server and /healthz say "unavailable" as soon as neither could take a
    /// batch, before a batch meets a dead database or a full disk, and "available" again once
    /// things are repaired, with or without traffic (a NAS that failed over sends only
    /// Status-Server).
    private func startProbe() {
        probeRunning.store(true, ordering: .relaxed)
        let thread = Thread { [self] in
            defer { probeRunning.store(false, ordering: .relaxed) }
            var connection: PostgresConnection?
            var next = monotonicMicroseconds()
            while true {
                condition.lock()
                let stop = stopping
                condition.unlock()
                if stop { return }
                let now = monotonicMicroseconds()
                if now >= next {
                    next = now + 1_000_000
                    // While the spool is being replayed the replay's commits tell.
                    if spool?.isActive != true && (!isHealthy || now - databaseAnswered.load(ordering: .relaxed) > 1_000_000) {
                        do {
                            if connection?.isConnected != true { connection = try connect() }
                            // Not just reachable: a standby answers `SELECT 1` too.
                            try connection!.requireWritable()
                            noteDatabase(answered: true)
                        } catch {
                            connection = nil
                            noteDatabase(answered: false)
                        }
                    }
                    if let spool, !isHealthy || !spool.canTakeBatch { spool.probe() }
                }
                usleep(20_000)
            }
        }
        thread.name = "tollgate-health-probe"
        thread.start()
    }

    /// Whether a listener may receive another batch of up to `batchSize` datagrams. When the
    /// queue cannot take them, the listener is recorded to be resumed and false is returned:
    /// the listener then stops reading until `resumeReading()`.
    func admit(_ listener: AccountingListener, batchSize: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let pending = queue.count - queueHead
        if stopping || pending == 0 || pending + batchSize <= configuration.maxPending { return true }
        pausedListeners.append(listener)
        metrics.listenerPauses.add(1, ordering: .relaxed)
        return false
    }

    /// Queues a packet; false when stopping. Listeners are admitted a receive batch at a time
    /// (`admit`), so each may overshoot `maxPending` by one batch; twice `maxPending` is the
    /// hard bound, which only a misbehaving caller reaches.
    func submit(_ packet: PendingPacket) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, queue.count - queueHead < 2 * max(configuration.maxPending, 64) else { return false }
        queue.append(packet)
        metrics.pending.add(1, ordering: .relaxed)
        // Wake a writer for the first packet of a batch and for a full one.
        let waiting = queue.count - queueHead
        if waiting == 1 || waiting >= configuration.maxBatch { condition.signal() }
        return true
    }

    /// Stops taking packets, writes and answers everything queued, and waits for the writers.
    public func drain() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        while runningWriters.load(ordering: .relaxed) > 0 || probeRunning.load(ordering: .relaxed) { usleep(1000) }
        // What is still spooled stays on disk for the next start.
        replayer?.stop()
        spool?.close()
    }

    private func takeBatch() -> [PendingPacket]? {
        condition.lock()
        defer { condition.unlock() }
        repeat {
            while queue.count == queueHead {
                if stopping { return nil }
                condition.wait()
            }
            // Wait for the batch to fill, at most maxDelay after the first packet was taken up.
            let deadline = Date(timeIntervalSinceNow: Double(configuration.maxDelayMicroseconds) / 1_000_000)
            while queue.count - queueHead < configuration.maxBatch && !stopping {
                if !condition.wait(until: deadline) { break }
            }
            // Another writer waiting for the same packets may have taken them meanwhile: an
            // empty batch would be an empty spool record or transaction.
        } while queue.count == queueHead
        let end = min(queue.count, queueHead + configuration.maxBatch)
        let batch = Array(queue[queueHead..<end])
        queueHead = end
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        } else if queueHead > 65536 {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        metrics.pending.subtract(batch.count, ordering: .relaxed)
        if queue.count > queueHead { condition.signal() }
        if !pausedListeners.isEmpty, queue.count - queueHead <= configuration.maxPending / 2 {
            // Asynchronous on each listener's queue: nothing waits on it under this lock.
            for listener in pausedListeners { listener.resumeReading() }
            pausedListeners.removeAll()
        }
        return batch
    }

    private func writerLoop(_ index: Int) {
        defer { runningWriters.subtract(1, ordering: .relaxed) }
        let crypto = RADIUSCrypto()
        let sendBatch = tg_udp_batch_create(UInt32(max(configuration.maxBatch, 1)), 64)!
        defer { tg_udp_batch_destroy(sendBatch) }
        var writer: AccountingWriter?
        func setHealthy(_ value: Bool) { noteDatabase(answered: value) }
        var retryDelay: UInt32 = 50_000
        var nextAttempt: Int64 = 0

        /// Writes (or spools) one batch and answers what became durable.
        func process(_ batch: [PendingPacket]) {
            if let spool, writer == nil || spool.isActive {
                self.spool(batch, into: spool, crypto: crypto, sendBatch: sendBatch)
                return
            }
            guard let current = writer else {
                fail(batch, PostgresError(.connection, message: "no database connection"))
                return
            }
            let started = monotonicMicroseconds()
            var committed: [PendingPacket]
            do {
                try write(batch, with: current)
                committed = batch
            } catch let error as PostgresError where error.kind == .statement && !Self.databaseUnavailable(error) && batch.count > 1
                        && current.connection.isConnected {
                // One packet the database refuses must not keep the rest of its batch
                // unanswered forever: record them one by one, so only that one waits.
                logger.warning("batch refused; recording its packets one by one", metadata: ["packets": "\(batch.count)", "error": "\(error)"])
                committed = []
                for packet in batch {
                    do {
                        try write([packet], with: current)
                        committed.append(packet)
                    } catch {
                        fail([packet], error)
                    }
                }
            } catch {
                let unavailable = Self.databaseUnavailable(error)
                // A new connection next time: a read-only session stays read-only, and one that
                // ran out of time or memory is best replaced (a new one checks it can write).
                if unavailable || current.connection.isConnected != true {
                    writer = nil
                }
                if unavailable || current.connection.isConnected != true { setHealthy(false) }
                if let spool, unavailable {
                    logger.error("batch not committed; spooling it", metadata: ["packets": "\(batch.count)", "error": "\(error)"])
                    self.spool(batch, into: spool, crypto: crypto, sendBatch: sendBatch)
                } else {
                    fail(batch, error)
                }
                return
            }
            setHealthy(true)
            guard !committed.isEmpty else { return }
            metrics.batches.add(1, ordering: .relaxed)
            metrics.batchSize.observe(committed.count)
            metrics.commitLatency.observe(Int(monotonicMicroseconds() - started))
            answer(committed, crypto: crypto, sendBatch: sendBatch)
        }

        while true {
            if writer == nil || writer?.connection.isConnected == false, monotonicMicroseconds() >= nextAttempt {
                do {
                    writer = try AccountingWriter(connection: try connect())
                    setHealthy(true)
                    retryDelay = 50_000
                } catch {
                    setHealthy(false)
                    logger.error("database connection failed; retrying", metadata: ["writer": "\(index)", "error": "\(error)"])
                    writer = nil
                    nextAttempt = monotonicMicroseconds() + Int64(retryDelay)
                    retryDelay = min(retryDelay * 2, 2_000_000)
                    if spool == nil {
                        // Packets wait in the queue (their NAS retransmits meanwhile) until storage is back.
                        condition.lock()
                        let stop = stopping
                        condition.unlock()
                        if stop {
                            failRemaining()
                            return
                        }
                        usleep(retryDelay)
                        continue
                    }
                }
            }
            guard let batch = takeBatch() else { return }
            // An Accounting-On/Off may close thousands of sessions: it gets a transaction of its
            // own after the rest of the batch is committed and answered, so the other packets'
            // row locks are not held (and other NAS devices' batches do not wait) while it runs.
            let nasEvents = batch.filter { $0.item.record.status == .accountingOn || $0.item.record.status == .accountingOff }
            if nasEvents.isEmpty || nasEvents.count == batch.count {
                process(batch)
            } else {
                process(batch.filter { $0.item.record.status != .accountingOn && $0.item.record.status != .accountingOff })
                process(nasEvents)
            }
        }
    }

    /// Appends a batch to the spool and answers it once durable; a full or failing spool
    /// leaves it unanswered.
    private func spool(_ batch: [PendingPacket], into spool: Spool, crypto: RADIUSCrypto, sendBatch: OpaquePointer) {
        let packets = batch.map {
            SpooledPacket(tenantID: $0.item.record.tenantID, nasID: $0.item.record.nasID, receivedAt: $0.item.record.receivedAt,
                          keepRaw: $0.item.packet != nil, datagram: $0.datagram)
        }
        switch spool.append(packets) {
        case .appended:
            metrics.spoolRecords.add(1, ordering: .relaxed)
            metrics.spoolPackets.add(batch.count, ordering: .relaxed)
            answer(batch, crypto: crypto, sendBatch: sendBatch)
        case .full:
            metrics.dropped(.spoolFull, count: batch.count)
            for packet in batch { packet.listener.forget(packet.dedupKey) }
        case .failed(let message):
            fail(batch, Spool.SpoolError.io(message))
        }
    }

    /// Writes one batch in one transaction, retrying a deadlock with another collector. The
    /// transaction makes its own COMMIT durable (`durableCommit`): behind a transaction pooler
    /// the session setting made at connect may not be the one the transaction runs in.
    private func write(_ batch: [PendingPacket], with writer: AccountingWriter) throws {
        var attempt = 0
        while true {
            do {
                try writer.write(batch.map(\.item), alsoRun: [PostgresConnection.durableCommit])
                return
            } catch let error as PostgresError where error.sqlState == "40P01" && attempt < 3 {
                attempt += 1
            }
        }
    }

    /// Leaves packets unanswered (their NAS retransmits) and lets their retransmissions in.
    private func fail(_ packets: [PendingPacket], _ error: any Error) {
        metrics.batchesFailed.add(1, ordering: .relaxed)
        logger.error("packets not recorded; left unanswered for their NAS to retransmit", metadata: [
            "packets": "\(packets.count)", "error": "\(error)",
        ])
        for packet in packets { packet.listener.forget(packet.dedupKey) }
    }

    /// Sends every Accounting-Response of a committed batch, grouped per listener socket.
    private func answer(_ batch: [PendingPacket], crypto: RADIUSCrypto, sendBatch: OpaquePointer) {
        let now = monotonicMicroseconds()
        var byListener: [ObjectIdentifier: [Int]] = [:]
        for (i, packet) in batch.enumerated() { byListener[ObjectIdentifier(packet.listener), default: []].append(i) }
        for (_, indices) in byListener {
            let listener = batch[indices[0]].listener
            var slot: UInt32 = 0
            for i in indices {
                let packet = batch[i]
                let response = RADIUSPacket.accountingResponse(identifier: packet.identifier, requestAuthenticator: packet.requestAuthenticator,
                                                               secret: packet.secret, crypto: crypto).bytes
                let buffer = tg_udp_batch_slot(sendBatch, slot, nil, nil)!
                response.withUnsafeBytes { buffer.update(from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 20) }
                _ = packet.peer.withSockaddr { tg_udp_batch_prepare(sendBatch, slot, 20, $0, $1) }
                slot += 1
                listener.answered(packet.dedupKey, response: response)
                metrics.ackLatency.observe(Int(now - packet.receivedMonotonic))
            }
            let sent = tg_udp_batch_send(listener.fd, sendBatch, slot)
            if sent > 0 { metrics.answered.add(Int(sent), ordering: .relaxed) }
        }
    }

    private func failRemaining() {
        condition.lock()
        let remaining = Array(queue[queueHead...])
        queue.removeAll()
        queueHead = 0
        condition.unlock()
        metrics.pending.subtract(remaining.count, ordering: .relaxed)
        if !remaining.isEmpty {
            metrics.dropped(.storageUnavailable, count: remaining.count)
            logger.error("stopping with the database unreachable: packets left unanswered for their NAS to retransmit",
                         metadata: ["packets": "\(remaining.count)"])
        }
    }
}
