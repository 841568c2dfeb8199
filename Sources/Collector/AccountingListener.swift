import Accounting
import CUDPShim
import Dispatch
import Logging
import RADIUS
import Storage
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One accounting listener (address:port) from the configuration.
public struct ListenerConfiguration: Sendable, Hashable {
    /// The name NAS devices are registered under. Default "default".
    public var name: String
    /// The address and port to bind. Default `*:1813` (0.0.0.0:1813).
    public var address: SocketAddress
    /// A tenant slug when the listener serves that tenant only. Default none (shared).
    public var tenant: String?

    public init(name: String = "default", address: SocketAddress = SocketAddress(ipv4: 0, port: 1813), tenant: String? = nil) {
        self.name = name
        self.address = address
        self.tenant = tenant
    }
}

/// Shared, swappable NAS registry snapshot.
public final class RegistryHolder: Sendable {
    private let current = Mutex(NASRegistry())
    public init() {}
    public var registry: NASRegistry {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}

/// A UDP accounting socket read by a Dispatch read source: recvmmsg batches, decode and
/// verification on its own serial queue, packets handed to the pipeline, answers sent by
/// the pipeline after commit.
public final class AccountingListener: @unchecked Sendable {
    public let configuration: ListenerConfiguration
    let fd: Int32
    private let queue: DispatchQueue
    private var source: DispatchSourceRead?
    /// The read source is suspended because the pipeline is full (touched on `queue` only).
    private var isPaused = false
    /// Datagrams per recvmmsg call.
    static let receiveBatchSize: UInt32 = 64
    private let pipeline: IngestPipeline
    private let registry: RegistryHolder
    private let metrics: CollectorMetrics
    private let logger: Logger
    private let dedup = Mutex(DedupCache())
    private let receiveBatch: OpaquePointer
    // Used only on `queue`.
    private let crypto = RADIUSCrypto()
    private var dropLog = RateLimitedLog()

    /// The port actually bound (useful with port 0).
    public let boundPort: UInt16

    public init(
        configuration: ListenerConfiguration, pipeline: IngestPipeline, registry: RegistryHolder,
        metrics: CollectorMetrics, logger: Logger, receiveBufferBytes: Int = 32 << 20
    ) throws {
        let address = configuration.address
        let fd = socket(address.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw CollectorError("socket(): \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        var zero: Int32 = 0
        if address.family == AF_INET6 {
            // Dual stack: IPv4 NAS devices arrive as ::ffff:a.b.c.d, which the registry matches as IPv4.
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var size = Int32(receiveBufferBytes)
        // SO_RCVBUFFORCE passes rmem_max when running as root; otherwise the plain option applies.
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = address.withSockaddr { bind(fd, $0, $1) }
        guard bound == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw CollectorError("listener '\(configuration.name)' cannot bind \(configuration.address): \(message)")
        }
        var local = SocketAddress()
        local.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutableBytes(of: &local.storage) { raw in
            getsockname(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &local.length)
        }
        self.boundPort = local.port
        self.fd = fd
        self.configuration = configuration
        self.pipeline = pipeline
        self.registry = registry
        self.metrics = metrics
        self.logger = logger
        self.queue = DispatchQueue(label: "tollgate.listener.\(configuration.name)", qos: .userInitiated)
        self.receiveBatch = tg_udp_batch_create(Self.receiveBatchSize, UInt32(RADIUSPacket.maximumLength + 1))!
    }

    deinit {
        tg_udp_batch_destroy(receiveBatch)
        close(fd)
    }

    /// Starts reading. The handler is created here, off any actor, and runs on `queue`.
    public func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { @Sendable [self] in self.readAvailable() }
        self.source = source
        source.resume()
    }

    /// Stops reading; what was received is left to the pipeline to finish.
    public func stop() {
        queue.sync {
            // A suspended source must be resumed before it can be cancelled and released.
            if isPaused { source?.resume() }
            isPaused = false
            source?.cancel()
            source = nil
        }
    }

    /// Reads again after the pipeline drained (see `IngestPipeline.admit`).
    func resumeReading() {
        queue.async { [self] in
            guard isPaused, let source else { return }
            isPaused = false
            source.resume()
            readAvailable()
        }
    }

    private func readAvailable() {
        guard !isPaused else { return }
        let snapshot = registry.registry
        // Bounded per event so one busy listener cannot starve the queue forever.
        for _ in 0..<64 {
            guard pipeline.admit(self, batchSize: Int(Self.receiveBatchSize)) else {
                // Backpressure: leave the datagrams in the kernel until the writers catch up.
                isPaused = true
                source?.suspend()
                return
            }
            let count = tg_udp_batch_receive(fd, receiveBatch)
            if count <= 0 { break }
            let receivedAt = nowMicroseconds()
            let monotonic = monotonicMicroseconds()
            for i in 0..<UInt32(count) {
                var length: UInt32 = 0
                var truncated: Int32 = 0
                let data = tg_udp_batch_slot(receiveBatch, i, &length, &truncated)!
                var addressLength: socklen_t = 0
                let address = tg_udp_batch_address(receiveBatch, i, &addressLength)!
                let peer = SocketAddress(address, length: addressLength)
                metrics.received.add(1, ordering: .relaxed)
                if truncated != 0 {
                    drop(.oversized, peer: peer, nas: snapshot.soleNAS(listener: configuration.name, source: peer.ipAddress))
                    continue
                }
                handle(
                    UnsafeRawBufferPointer(start: data, count: Int(length)), peer: peer, registry: snapshot,
                    receivedAt: receivedAt, monotonic: monotonic)
            }
            if count < Int32(tg_udp_batch_capacity(receiveBatch)) { break }
        }
    }

    private func handle(_ datagram: UnsafeRawBufferPointer, peer: SocketAddress, registry: NASRegistry, receivedAt: Int64, monotonic: Int64) {
        let packet: RADIUSPacket
        do {
            packet = try RADIUSPacket(decoding: datagram)
        } catch {
            let reason: DropReason
            switch error.reason {
            case .tooShort: reason = .tooShort
            case .invalidLength: reason = .invalidLength
            case .truncated: reason = .truncated
            case .unsupportedCode: reason = .unsupportedCode
            case .malformedAttribute: reason = .malformedAttribute
            }
            // Attributed to the NAS registered at the address, if only one can have sent it.
            return drop(reason, peer: peer, nas: registry.soleNAS(listener: configuration.name, source: peer.ipAddress))
        }
        let code = packet.code
        let source = peer.ipAddress
        let identifier = packet.first(32).map { packet.value($0) }
        guard code == .accountingRequest || code == .statusServer else {
            return drop(.unexpectedCode, peer: peer, nas: registry.lookup(listener: configuration.name, source: source, identifier: identifier))
        }
        if code == .statusServer {
            let candidates = registry.statusServerCandidates(listener: configuration.name, source: source, identifier: identifier)
            guard !candidates.isEmpty else { return drop(.unknownNAS, peer: peer) }
            return answerStatusServer(packet, candidates: candidates, peer: peer)
        }
        guard let nas = registry.lookup(listener: configuration.name, source: source, identifier: identifier) else {
            return drop(.unknownNAS, peer: peer)
        }
        guard packet.verifyRequestAuthenticator(secret: nas.secret, crypto: crypto) else {
            return drop(.badAuthenticator, peer: peer, nas: nas)
        }
        switch packet.verifyMessageAuthenticator(secret: nas.secret, crypto: crypto) {
        case .invalid: return drop(.badMessageAuthenticator, peer: peer, nas: nas)
        // BlastRADIUS (CVE-2024-3596): a NAS that always signs is held to it.
        case .absent where nas.requireMessageAuthenticator: return drop(.missingMessageAuthenticator, peer: peer, nas: nas)
        case .absent, .valid: break
        }
        let auth = packet.authenticator
        let key = DedupCache.Key(
            address: source, port: peer.port, identifier: packet.identifier,
            authenticatorHigh: auth.high, authenticatorLow: auth.low)
        switch dedup.withLock({ $0.check(key, now: monotonic) }) {
        case .inFlight:
            return drop(.duplicateInFlight, peer: peer, nas: nas)
        case .answered(let response):
            metrics.duplicatesAnswered.add(1, ordering: .relaxed)
            send(response, to: peer)
            return
        case .new:
            break
        }
        let record = Self.record(packet, tenantID: nas.tenantID, nasID: nas.nasID, receivedAt: receivedAt)
        let pending = PendingPacket(
            item: BatchItem(record: record, packet: nil),
            datagram: packet.bytes, listener: self, peer: peer, identifier: packet.identifier, requestAuthenticator: auth,
            secret: nas.secret, dedupKey: key, receivedMonotonic: monotonic)
        if !pipeline.submit(pending) {
            dedup.withLock { $0.forget(key) }
            drop(.overloaded, peer: peer, nas: nas)
        }
    }

    /// RFC 5997: answered with a signed Accounting-Response (with Message-Authenticator) while
    /// storage is healthy, for the first of `candidates` (the NAS at the sender's address)
    /// whose secret signs it; a Status-Server without a valid Message-Authenticator is dropped.
    private func answerStatusServer(_ packet: RADIUSPacket, candidates: [KnownNAS], peer: SocketAddress) {
        guard let nas = candidates.first(where: { packet.verifyMessageAuthenticator(secret: $0.secret, crypto: crypto) == .valid }) else {
            let first = candidates[0]
            let absent = packet.verifyMessageAuthenticator(secret: first.secret, crypto: crypto) == .absent
            return drop(absent ? .missingMessageAuthenticator : .badMessageAuthenticator, peer: peer, nas: first)
        }
        guard pipeline.isAccepting else { return drop(.storageUnavailable, peer: peer, nas: nas) }
        let response = packet.accountingResponse(secret: nas.secret, includeMessageAuthenticator: true, crypto: crypto)
        send(response.bytes, to: peer)
        metrics.statusServerAnswered.add(1, ordering: .relaxed)
    }

    /// The accounting meaning of a verified packet, with owned values: a function of the
    /// packet, its NAS and its receipt time only, so a spool replay derives the same record.
    static func record(_ packet: RADIUSPacket, tenantID: Int64, nasID: Int64, receivedAt: Int64) -> AccountingRecord {
        let fields = AccountingFields(packet)
        let bytes = packet.bytes
        func text(_ range: Range<Int>?) -> String? { range.map { String(decoding: bytes[$0], as: UTF8.self) } }
        let eventTime = EventTime.resolve(
            eventTimestamp: fields.eventTimestamp, delay: fields.delayTime,
            receivedAtSeconds: receivedAt / 1_000_000)
        var record = AccountingRecord(
            tenantID: tenantID, nasID: nasID, status: AccountingStatus(rawValue: fields.statusType ?? 0),
            sessionID: text(fields.sessionID) ?? "", userName: text(fields.userName) ?? "",
            nasPort: text(fields.nasPortID) ?? fields.nasPort.map { String($0) } ?? "",
            eventTime: eventTime, receivedAt: receivedAt)
        record.eventTimeFromNAS = EventTime.trusted(eventTimestamp: fields.eventTimestamp, receivedAtSeconds: receivedAt / 1_000_000) != nil
        if let octets = fields.inputOctets ?? fields.inputGigawords.map({ _ in 0 }) {
            record.upload = CounterReading(octets: octets, gigawords: fields.inputGigawords)
        }
        if let octets = fields.outputOctets ?? fields.outputGigawords.map({ _ in 0 }) {
            record.download = CounterReading(octets: octets, gigawords: fields.outputGigawords)
        }
        record.sessionTime = fields.sessionTime
        record.terminateCause = fields.terminateCause
        record.interimInterval = fields.interimInterval
        record.multiSessionID = text(fields.multiSessionID)
        record.classValue = fields.classValue.map { Array(bytes[$0]) }
        record.framedIPAddress = fields.framedIPAddress.map { IPv4Address($0).description }
        record.callingStationID = text(fields.callingStationID)
        record.calledStationID = text(fields.calledStationID)
        // A session event without Acct-Session-Id cannot be attributed: kept as a raw packet
        // and answered, so the NAS does not retransmit it forever.
        if record.status.isSessionEvent && fields.sessionID == nil {
            record.status = .other(record.status.rawValue)
        }
        return record
    }

    // MARK: Called by the pipeline

    func answered(_ key: DedupCache.Key, response: [UInt8]) {
        dedup.withLock { $0.answered(key, response: response, now: monotonicMicroseconds()) }
    }

    func forget(_ key: DedupCache.Key) {
        dedup.withLock { $0.forget(key) }
    }

    private func send(_ bytes: [UInt8], to peer: SocketAddress) {
        _ = bytes.withUnsafeBytes { raw in
            peer.withSockaddr { sendto(fd, raw.baseAddress, raw.count, 0, $0, $1) }
        }
    }

    /// `nas`: the registered NAS it came from, when known; its tenant sees the drop.
    private func drop(_ reason: DropReason, peer: SocketAddress, nas: KnownNAS? = nil) {
        if let nas {
            metrics.dropped(reason, tenantID: nas.tenantID, nasID: nas.nasID)
        } else {
            metrics.dropped(reason)
        }
        if let suppressed = dropLog.shouldLog(reason, now: monotonicMicroseconds()) {
            logger.warning(
                "dropped datagram",
                metadata: [
                    "reason": "\(reason.rawValue)", "listener": "\(configuration.name)", "source": "\(peer.ipAddress)",
                    "suppressed_since_last": "\(suppressed)",
                ])
        }
    }
}

/// At most one log line per drop reason every 10 seconds; the rest are counted.
struct RateLimitedLog {
    private var last: [DropReason: (time: Int64, suppressed: Int)] = [:]
    let interval: Int64 = 10_000_000

    /// The number suppressed since the previous line when a line is due, else nil.
    mutating func shouldLog(_ reason: DropReason, now: Int64) -> Int? {
        if let entry = last[reason], now - entry.time < interval {
            last[reason] = (entry.time, entry.suppressed + 1)
            return nil
        }
        let suppressed = last[reason]?.suppressed ?? 0
        last[reason] = (now, 0)
        return suppressed
    }
}

/// A collector failure with a message that says what to do.
public struct CollectorError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
