import Accounting
import CUDPShim
import CivilCalendar
import Foundation
import Logging
import RADIUS
import Storage
import Synchronization

/// Settings of the group-commit pipeline.
public struct PipelineConfiguration: Sendable {
    /// Most packets written in one transaction. Default 2000.
    public var maxBatch = 2000
    /// Longest a packet waits for its batch to fill. Default 2 ms.
    public var maxDelay: Duration = .milliseconds(2)
    /// Writer threads, each with its own database connection. Default 2.
    public var writers = 2
    /// Packets waiting for a batch before listeners stop reading (the kernel buffers the rest;
    /// reading resumes at half). Default 100000.
    public var maxPending = 100_000
    /// Longest wait for the database to answer a batch; past it the batch is spooled (or left
    /// unanswered without a spool) and the connection is made anew. Default 10 s.
    public var commitTimeout: Duration = .seconds(10)

    public init() {}
}

extension PendingPacket {
    /// The packet as the log keeps it.
    var logEntry: LogEntry {
        let r = item.record
        return LogEntry(
            tenantID: r.tenantID, nasID: r.nasID, receivedAt: r.receivedAt, statusType: r.status.rawValue,
            userName: r.status.isSessionEvent ? r.userName : nil, sessionID: r.status.isSessionEvent ? r.sessionID : nil,
            packet: datagram)
    }
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
    /// Woken after each append, so a leading merger reads at once. Set before `start`.
    var merger: Merger?
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

    public init(
        configuration: PipelineConfiguration, metrics: CollectorMetrics, logger: Logger, spool: Spool? = nil,
        connect: @escaping @Sendable () throws -> PostgresConnection
    ) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.spool = spool
        self.connect = Self.writerConnect(
            connect, expecting: spool?.claim.database, timeoutMilliseconds: Int(configuration.commitTimeout.wholeMilliseconds))
    }

    /// Opens connections for writing accounting: every commit durable before it returns
    /// (whatever the server is configured with: an answer means the packet survives a crash),
    /// to a database that takes writes (not a standby, not read-only: `WriteFailure.databaseUnavailable`
    /// then), and, with `expecting`, only to that database. A connection that reaches another database
    /// (an address re-pointed under a running collector) counts as no connection: batches go
    /// to the spool, which is for the expected database, and the replay waits.
    public static func writerConnect(
        _ connect: @escaping @Sendable () throws -> PostgresConnection, expecting: DatabaseIdentity?,
        timeoutMilliseconds: Int
    ) -> @Sendable () throws -> PostgresConnection {
        {
            let connection = try connect()
            connection.responseTimeoutMilliseconds = timeoutMilliseconds
            try connection.requireDurableCommits()
            try connection.requireWritable()
            if let expecting {
                let found = try DatabaseIdentity.read(connection)
                guard found == expecting else {
                    throw PostgresError(
                        .connection,
                        message:
                            "the database reached is not the one this collector's spool is for (found \(found); expected \(expecting)): nothing is written to it"
                    )
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
            replayer.merger = merger
            replayer.start()
            self.replayer = replayer
        }
        startProbe()
        for index in 0..<max(1, configuration.writers) {
            runningWriters.add(1, ordering: .relaxed)
            Thread.start(named: "tg-writer-\(index)") { [self] in self.writerLoop(index) }
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
        Thread.start(named: "tg-probe") { [self] in
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
            let deadline = Date(timeIntervalSinceNow: configuration.maxDelay / .seconds(1))
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
        var machine = AppendStateMachine()
        var appender: PacketLogAppender?

        /// Runs `action` for `batch` and whatever the outcome leads to, until it is answered or left.
        func process(_ batch: [PendingPacket], _ first: AppendStateMachine.Action) {
            var action = first
            var attempt = 0
            var lastError: any Error = PostgresError(.connection, message: "no database connection")
            while true {
                switch action {
                case .spool:
                    guard let spool else { return fail(batch, lastError) }
                    return self.spool(batch, into: spool, crypto: crypto, sendBatch: sendBatch)
                case .leaveUnanswered:
                    return fail(batch, lastError)
                case .append:
                    guard let current = appender else {
                        action = spool == nil ? .leaveUnanswered : .spool
                        continue
                    }
                    attempt += 1
                    let started = monotonicMicroseconds()
                    do {
                        try append(batch, with: current)
                        noteDatabase(answered: true)
                        metrics.batches.add(1, ordering: .relaxed)
                        metrics.batchSize.observe(batch.count)
                        metrics.commitLatency.observe(Int(monotonicMicroseconds() - started))
                        merger?.wake()
                        return answer(batch, crypto: crypto, sendBatch: sendBatch)
                    } catch {
                        lastError = error
                        let failure = WriteFailure(error)
                        if failure == .databaseUnavailable || !current.connection.isConnected {
                            appender = nil
                            noteDatabase(answered: false)
                        }
                        action = machine.appendFailed(
                            failure, count: batch.count, attempt: attempt, spoolConfigured: spool != nil,
                            now: monotonicMicroseconds())
                        // The machine decided on a new connection (unknown trouble): the old one goes.
                        if machine.connection != .connected { appender = nil }
                        if appender == nil, case .append = action { action = spool == nil ? .leaveUnanswered : .spool }
                        logger.error(
                            "batch not appended to the packet log",
                            metadata: [
                                "packets": "\(batch.count)", "error": "\(error)", "next": "\(action)",
                            ])
                    }
                case .appendOneByOne:
                    // One packet the database refuses must not keep the rest of its batch unanswered.
                    for (offset, packet) in batch.enumerated() {
                        guard appender != nil else {
                            return process(Array(batch[offset...]), spool == nil ? .leaveUnanswered : .spool)
                        }
                        process([packet], .append)
                    }
                    return
                }
            }
        }

        while true {
            if let current = appender, !current.connection.isConnected {
                appender = nil
                machine.connectionLost(now: monotonicMicroseconds())
            }
            if appender == nil, machine.shouldConnect(now: monotonicMicroseconds()) {
                do {
                    appender = try PacketLogAppender(connection: try connect())
                    machine.connected()
                    noteDatabase(answered: true)
                } catch {
                    machine.connectFailed(now: monotonicMicroseconds())
                    noteDatabase(answered: false)
                    logger.error("database connection failed; retrying", metadata: ["writer": "\(index)", "error": "\(error)"])
                    if spool == nil {
                        // Packets wait in the queue (their NAS retransmits meanwhile) until storage is back.
                        condition.lock()
                        let stop = stopping
                        condition.unlock()
                        if stop {
                            failRemaining()
                            return
                        }
                        usleep(50_000)
                        continue
                    }
                }
            }
            guard let batch = takeBatch() else { return }
            if appender == nil && machine.connection == .connected { machine.connectionLost(now: monotonicMicroseconds()) }
            process(batch, machine.route(spoolConfigured: spool != nil, spoolActive: spool?.isActive ?? false))
        }
    }

    /// Appends a batch to the spool and answers it once durable; a full or failing spool
    /// leaves it unanswered.
    private func spool(_ batch: [PendingPacket], into spool: Spool, crypto: RADIUSCrypto, sendBatch: OpaquePointer) {
        let packets = batch.map {
            SpooledPacket(
                tenantID: $0.item.record.tenantID, nasID: $0.item.record.nasID, receivedAt: $0.item.record.receivedAt,
                keepRaw: $0.item.packet != nil, datagram: $0.datagram)
        }
        switch spool.append(packets) {
        case .appended:
            metrics.spoolRecords.add(1, ordering: .relaxed)
            metrics.spoolPackets.add(batch.count, ordering: .relaxed)
            answer(batch, crypto: crypto, sendBatch: sendBatch)
        case .full:
            for packet in batch {
                metrics.dropped(.spoolFull, tenantID: packet.item.record.tenantID, nasID: packet.item.record.nasID)
                packet.listener.forget(packet.dedupKey)
            }
        case .failed(let message):
            fail(batch, Spool.SpoolError.io(message))
        }
    }

    /// Appends one batch to the packet log and commits it durably.
    private func append(_ batch: [PendingPacket], with appender: PacketLogAppender) throws {
        try appender.append(batch.map(\.logEntry))
    }

    /// Leaves packets unanswered (their NAS retransmits) and lets their retransmissions in.
    private func fail(_ packets: [PendingPacket], _ error: any Error) {
        metrics.batchesFailed.add(1, ordering: .relaxed)
        logger.error(
            "packets not recorded; left unanswered for their NAS to retransmit",
            metadata: [
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
                let response = RADIUSPacket.accountingResponse(
                    identifier: packet.identifier, requestAuthenticator: packet.requestAuthenticator,
                    secret: packet.secret, crypto: crypto
                ).bytes
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
            for packet in remaining {
                metrics.dropped(.storageUnavailable, tenantID: packet.item.record.tenantID, nasID: packet.item.record.nasID)
            }
            logger.error(
                "stopping with the database unreachable: packets left unanswered for their NAS to retransmit",
                metadata: ["packets": "\(remaining.count)"])
        }
    }
}
