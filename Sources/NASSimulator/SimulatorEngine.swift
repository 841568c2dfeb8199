import CUDPShim
import RADIUS
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A flag a task sets to stop a run early; read by the simulator's thread.
final class CancellationFlag: Sendable {
    let value = Atomic<Bool>(false)

    func cancel() { value.store(true, ordering: .relaxed) }

    var isCancelled: Bool { value.load(ordering: .relaxed) }
}

/// The I/O loop of one simulator thread: owns its sockets, sends, retransmits and matches
/// answers. Used by one thread only, from `run()` to its end.
final class SimulatorEngine {
    /// Requests outstanding per socket at most: leaves Identifiers unused between holders, so
    /// a late answer to a finished request rarely meets a new request with its Identifier.
    static let identifiersPerSocket = 192
    static let sendBatchCapacity: UInt32 = 256
    static let receiveBatchCapacity: UInt32 = 64
    static let slotSize: UInt32 = 4096

    /// The result before latency percentiles: raw samples, so shards can be merged exactly.
    struct Result {
        var report: Report
        var samples: [UInt64]
    }

    struct InFlight {
        var busy = false
        var flow: Int32 = -1
        var step: Int32 = 0
        var generation: UInt32 = 0
        var packet: [UInt8] = []
        var authenticator = Authenticator.zero
        var previousAuthenticator: Authenticator?
        var firstSent: UInt64 = 0
        var attempts: Int32 = 0
        /// Index of the NAS's server the request was last sent to, and transmissions to it.
        var server: Int32 = 0
        var serverAttempts: Int32 = 0
        var moved = false
    }

    /// A server's socket address, as sendmmsg takes it.
    struct Destination {
        var address = sockaddr_storage()
        var length: socklen_t = 0

        init(_ target: UDPAddress) {
            target.withSocketAddress { address, length in
                withUnsafeMutableBytes(of: &self.address) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(length))) }
                self.length = length
            }
        }
    }

    struct SocketState {
        var fd: Int32
        var nas: Int
        var identifiers = IdentifierPool()
        var outstanding = 0
        var slots = [InFlight](repeating: InFlight(), count: 256)
        var sendBatch: OpaquePointer
        var pending: UInt32 = 0
        var dirty = false
    }

    struct NASState {
        var nas: SimulatedNAS
        var encoder: RequestEncoder
        var label: String
        /// `target`, then the failover targets.
        var servers: [Destination]
        /// The server new requests and retransmissions go to: moves on, never back.
        var current = 0
        var sockets: [Int] = []
        var nextSocket = 0
        var ready = RingBuffer<Int32>()
        var messages: [NASMessage]
        var sessions: any SessionSource
        var nextMessage = 0
        var nextSession = 0

        var hasFresh: Bool { nextMessage < messages.count || nextSession < sessions.count }
    }

    struct Flow {
        var nas: Int32
        var session: SimulatedSession?
        var message: NASMessage?
        var messageIndex: Int32 = 0
        /// The next step: event index and copy (0 the original, k the k-th new-Identifier copy).
        var event: Int32 = 0
        var copy: Int32 = 0
        var outstanding: Int32 = 0
        var queued = false
        var time: UInt32?
        var delay: UInt32?
        var anyAcknowledged = false
        var acknowledgedUpload: UInt64 = 0
        var acknowledgedDownload: UInt64 = 0
    }

    struct Timer {
        var socket: Int32
        var identifier: UInt8
        var generation: UInt32
        var due: UInt64
    }

    let options: RunOptions
    let cancellation: CancellationFlag
    let crypto = RADIUSCrypto()
    var nases: [NASState] = []
    var sockets: [SocketState] = []
    var flows: [Flow] = []
    var freeFlows: [Int32] = []
    var timers = RingBuffer<Timer>(capacity: 1024)
    var dirtySockets: [Int] = []
    var pollDescriptors: [pollfd] = []
    var receiveBatch: OpaquePointer
    var outstanding = 0
    var report = Report()
    var samples: [UInt64] = []
    let timeoutNanoseconds: UInt64
    var tokens: Double = 1
    var lastRefill: UInt64 = 0

    init(workloads: [NASWorkload], options: RunOptions, cancellation: CancellationFlag) throws(SimulatorError) {
        self.options = options
        self.cancellation = cancellation
        self.timeoutNanoseconds = max(1_000_000, options.timeout.nanoseconds)
        guard let receive = tg_udp_batch_create(Self.receiveBatchCapacity, Self.slotSize) else {
            throw SimulatorError("cannot allocate the receive batch")
        }
        receiveBatch = receive
        let window = max(1, options.window)
        let share = (window + max(1, workloads.count) - 1) / max(1, workloads.count)
        let wanted = min(window, 2 * share)
        let socketsPerNAS = max(1, options.socketsPerNAS ?? (wanted + Self.identifiersPerSocket - 1) / Self.identifiersPerSocket)
        do throws(SimulatorError) {
            for workload in workloads {
                var state = NASState(
                    nas: workload.nas, encoder: RequestEncoder(nas: workload.nas),
                    label: workload.nas.localAddress.description.replacingSuffix(":0"),
                    servers: ([workload.nas.target] + workload.nas.failoverTargets).map(Destination.init),
                    messages: workload.messages, sessions: workload.sessions)
                for _ in 0..<socketsPerNAS {
                    let fd = try openUDPSocket(boundTo: workload.nas.localAddress)
                    guard let batch = tg_udp_batch_create(Self.sendBatchCapacity, Self.slotSize) else {
                        close(fd)
                        throw SimulatorError("cannot allocate a send batch")
                    }
                    state.sockets.append(sockets.count)
                    sockets.append(SocketState(fd: fd, nas: nases.count, sendBatch: batch))
                    pollDescriptors.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
                }
                nases.append(state)
            }
        } catch {
            closeSockets()
            throw error
        }
    }

    deinit {
        closeSockets()
        tg_udp_batch_destroy(receiveBatch)
    }

    private func closeSockets() {
        for socket in sockets {
            close(socket.fd)
            tg_udp_batch_destroy(socket.sendBatch)
        }
        sockets.removeAll()
    }

    // MARK: The loop

    func run() -> Result {
        let start = monotonicNanoseconds()
        let deadline = start &+ options.timeLimit.nanoseconds
        lastRefill = start
        var now = start
        while true {
            if cancellation.isCancelled || now >= deadline {
                report.stoppedEarly = hasWork
                break
            }
            expireTimers(now: now)
            issueRequests(now: now)
            flushSends()
            if !hasWork { break }

            var wake = min(deadline, timers.first?.due ?? deadline)
            if let rate = options.rate, rate > 0, outstanding < options.window, hasReadyWork, tokens < 1 {
                let wait = UInt64((1 - tokens) / rate * 1e9)
                wake = min(wake, now &+ wait)
            }
            // At most 50 ms, so a cancellation is noticed promptly.
            let waitMilliseconds = wake > now ? Int32(min(50, (wake - now + 999_999) / 1_000_000)) : 0
            let ready = poll(&pollDescriptors, nfds_t(pollDescriptors.count), waitMilliseconds)
            now = monotonicNanoseconds()
            if ready > 0 {
                for i in pollDescriptors.indices where pollDescriptors[i].revents != 0 {
                    pollDescriptors[i].revents = 0
                    receive(socket: i, now: &now)
                }
            }
        }
        let end = monotonicNanoseconds()
        finish()
        report.elapsed = .nanoseconds(Int64(end - start))
        return Result(report: report, samples: samples)
    }

    var hasWork: Bool {
        outstanding > 0 || hasReadyWork
    }

    var hasReadyWork: Bool {
        nases.contains { !$0.ready.isEmpty || $0.hasFresh }
    }
}

extension String {
    fileprivate func replacingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
