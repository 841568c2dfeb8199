#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CUDPShim
import RADIUS
import Synchronization

/// A flag a task sets to stop a run early; read by the simulator's thread.
final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)

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

    private struct InFlight {
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
    private struct Destination {
        var address = sockaddr_storage()
        var length: socklen_t = 0

        init(_ target: UDPAddress) {
            target.withSocketAddress { address, length in
                withUnsafeMutableBytes(of: &self.address) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(length))) }
                self.length = length
            }
        }
    }

    private struct SocketState {
        var fd: Int32
        var nas: Int
        var identifiers = IdentifierPool()
        var outstanding = 0
        var slots = [InFlight](repeating: InFlight(), count: 256)
        var sendBatch: OpaquePointer
        var pending: UInt32 = 0
        var dirty = false
    }

    private struct NASState {
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

    private struct Flow {
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

    private struct Timer {
        var socket: Int32
        var identifier: UInt8
        var generation: UInt32
        var due: UInt64
    }

    private let options: RunOptions
    private let cancellation: CancellationFlag
    private let crypto = RADIUSCrypto()
    private var nases: [NASState] = []
    private var sockets: [SocketState] = []
    private var flows: [Flow] = []
    private var freeFlows: [Int32] = []
    private var timers = RingBuffer<Timer>(capacity: 1024)
    private var dirtySockets: [Int] = []
    private var pollDescriptors: [pollfd] = []
    private var receiveBatch: OpaquePointer
    private var outstanding = 0
    private var report = Report()
    private var samples: [UInt64] = []
    private let timeoutNanoseconds: UInt64
    private var tokens: Double = 1
    private var lastRefill: UInt64 = 0

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

    private var hasWork: Bool {
        outstanding > 0 || hasReadyWork
    }

    private var hasReadyWork: Bool {
        nases.contains { !$0.ready.isEmpty || $0.hasFresh }
    }

    // MARK: Sending

    private func refillTokens(now: UInt64) {
        guard let rate = options.rate, rate > 0 else { return }
        let burst = max(1, rate / 250)
        tokens = min(burst, tokens + Double(now &- lastRefill) * rate / 1e9)
        lastRefill = now
    }

    private var mayStartRequest: Bool {
        outstanding < options.window && (options.rate == nil || tokens >= 1)
    }

    private func issueRequests(now: UInt64) {
        refillTokens(now: now)
        var progress = true
        while progress && mayStartRequest {
            progress = false
            for n in nases.indices {
                guard mayStartRequest else { break }
                guard hasSocketCapacity(nas: n) else { continue }
                let flow: Int32
                if let queued = nases[n].ready.popFront() {
                    flow = queued
                    flows[Int(flow)].queued = false
                } else if let fresh = makeFreshFlow(nas: n) {
                    flow = fresh
                } else {
                    continue
                }
                progress = true
                while isReady(flow) && mayStartRequest && hasSocketCapacity(nas: n) {
                    issueStep(of: flow, now: now)
                }
                if isReady(flow) {
                    flows[Int(flow)].queued = true
                    nases[n].ready.pushFront(flow)
                } else if !hasNextStep(flow) && flows[Int(flow)].outstanding == 0 {
                    completeFlow(flow)
                }
            }
        }
    }

    private func hasSocketCapacity(nas: Int) -> Bool {
        nases[nas].sockets.contains { sockets[$0].outstanding < Self.identifiersPerSocket }
    }

    private func makeFreshFlow(nas n: Int) -> Int32? {
        var flow: Flow
        if nases[n].nextMessage < nases[n].messages.count {
            let index = nases[n].nextMessage
            nases[n].nextMessage += 1
            flow = Flow(nas: Int32(n), message: nases[n].messages[index], messageIndex: Int32(index))
        } else if nases[n].nextSession < nases[n].sessions.count {
            let session = nases[n].sessions.session(at: nases[n].nextSession)
            nases[n].nextSession += 1
            countExpected(session)
            flow = Flow(nas: Int32(n), session: session)
        } else {
            return nil
        }
        if let reused = freeFlows.popLast() {
            flows[Int(reused)] = flow
            return reused
        }
        flows.append(flow)
        return Int32(flows.count - 1)
    }

    private func countExpected(_ session: SimulatedSession) {
        let (upload, download) = session.finalCounters
        let totals = UsageTotals(sessions: 1, upload: upload, download: download)
        report.expected.add(totals)
        if options.collectPerUserTotals {
            report.expectedPerUser[session.userName, default: UsageTotals()].add(totals)
        }
    }

    private func newIdentifierCopies(_ event: SessionEvent) -> Int {
        var count = 0
        for duplicate in event.duplicates {
            if case .newIdentifier = duplicate { count += 1 }
        }
        return count
    }

    private func newIdentifierCopy(_ event: SessionEvent, _ k: Int) -> (addedDelay: UInt32, immediately: Bool) {
        var seen = 0
        for duplicate in event.duplicates {
            if case .newIdentifier(let addedDelay, let immediately) = duplicate {
                seen += 1
                if seen == k { return (addedDelay, immediately) }
            }
        }
        return (0, false)
    }

    private func hasNextStep(_ f: Int32) -> Bool {
        let flow = flows[Int(f)]
        if let session = flow.session { return Int(flow.event) < session.events.count }
        return flow.event == 0
    }

    private func isReady(_ f: Int32) -> Bool {
        guard hasNextStep(f) else { return false }
        let flow = flows[Int(f)]
        if flow.outstanding == 0 { return true }
        guard let session = flow.session else { return false }
        if session.pipelined { return true }
        if flow.copy > 0 {
            return newIdentifierCopy(session.events[Int(flow.event)], Int(flow.copy)).immediately
        }
        return false
    }

    /// Encodes and queues the flow's next step, then advances the flow past it.
    private func issueStep(of f: Int32, now: UInt64) {
        let n = Int(flows[Int(f)].nas)
        let count = nases[n].sockets.count
        var chosen = -1
        for i in 0..<count {
            let candidate = nases[n].sockets[(nases[n].nextSocket + i) % count]
            if sockets[candidate].outstanding < Self.identifiersPerSocket {
                chosen = candidate
                nases[n].nextSocket = (nases[n].nextSocket + i + 1) % count
                break
            }
        }
        precondition(chosen >= 0, "issueStep called without socket capacity")
        let identifier = sockets[chosen].identifiers.take()!
        let step = flows[Int(f)].event
        var identicalCopies = 0
        let encoded: Swift.Result<RADIUSPacket, RADIUSEncodingError>
        if let session = flows[Int(f)].session {
            let event = session.events[Int(step)]
            let copy = Int(flows[Int(f)].copy)
            if copy == 0 {
                switch event.time {
                case .now: flows[Int(f)].time = unixTimeSeconds()
                case .at(let time): flows[Int(f)].time = time
                case .absent: flows[Int(f)].time = nil
                }
                flows[Int(f)].delay = event.delayTime ?? (event.time == .absent ? 0 : nil)
                identicalCopies = event.duplicates.filter { $0 == .identical }.count
            } else {
                let added = newIdentifierCopy(event, copy).addedDelay
                flows[Int(f)].delay = (flows[Int(f)].delay ?? 0) &+ added
            }
            let time = flows[Int(f)].time
            let delay = flows[Int(f)].delay
            encoded = Swift.Result { () throws(RADIUSEncodingError) -> RADIUSPacket in
                try nases[n].encoder.accountingRequest(
                    session: session, event: event, identifier: identifier,
                    eventTimestamp: time, delayTime: delay, crypto: crypto)
            }
            if copy < newIdentifierCopies(event) {
                flows[Int(f)].copy += 1
            } else {
                flows[Int(f)].event += 1
                flows[Int(f)].copy = 0
            }
        } else {
            let message = flows[Int(f)].message!
            let time: UInt32?
            switch message {
            case .accountingOn(let at), .accountingOff(let at, _):
                switch at {
                case .now: time = unixTimeSeconds()
                case .at(let explicit): time = explicit
                case .absent: time = nil
                }
            case .statusServer:
                time = nil
            }
            encoded = Swift.Result { () throws(RADIUSEncodingError) -> RADIUSPacket in
                try nases[n].encoder.request(for: message, identifier: identifier, eventTimestamp: time, crypto: crypto)
            }
            flows[Int(f)].event = 1
        }
        if options.rate != nil { tokens -= 1 }
        guard case .success(let packet) = encoded else {
            // A script the wire cannot carry (a text over 253 octets): reported, never sent.
            sockets[chosen].identifiers.release(identifier)
            report.notSent += 1
            appendLabel(flow: f, step: step)
            return
        }
        report.requestsSent += 1
        outstanding += 1
        flows[Int(f)].outstanding += 1
        sockets[chosen].outstanding += 1
        let generation = sockets[chosen].slots[Int(identifier)].generation &+ 1
        sockets[chosen].slots[Int(identifier)].busy = true
        sockets[chosen].slots[Int(identifier)].flow = f
        sockets[chosen].slots[Int(identifier)].step = step
        sockets[chosen].slots[Int(identifier)].generation = generation
        sockets[chosen].slots[Int(identifier)].packet = packet.bytes
        sockets[chosen].slots[Int(identifier)].authenticator = packet.authenticator
        sockets[chosen].slots[Int(identifier)].firstSent = now
        sockets[chosen].slots[Int(identifier)].attempts = 1
        sockets[chosen].slots[Int(identifier)].server = Int32(nases[n].current)
        sockets[chosen].slots[Int(identifier)].serverAttempts = 1
        sockets[chosen].slots[Int(identifier)].moved = false
        queueSend(socket: chosen, packet.bytes)
        for _ in 0..<identicalCopies {
            queueSend(socket: chosen, packet.bytes)
            report.duplicatesSent += 1
        }
        timers.pushBack(Timer(socket: Int32(chosen), identifier: identifier, generation: generation, due: now &+ timeoutNanoseconds))
    }

    private func queueSend(socket s: Int, _ bytes: [UInt8]) {
        if sockets[s].pending == Self.sendBatchCapacity { flush(socket: s) }
        let batch = sockets[s].sendBatch
        let index = sockets[s].pending
        let slot = tg_udp_batch_slot(batch, index, nil, nil)!
        bytes.withUnsafeBufferPointer { slot.update(from: $0.baseAddress!, count: $0.count) }
        let n = sockets[s].nas
        var target = nases[n].servers[nases[n].current]
        let prepared = withUnsafePointer(to: &target.address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                tg_udp_batch_prepare(batch, index, UInt32(bytes.count), $0, target.length)
            }
        }
        precondition(prepared == 0, "a request did not fit a send slot")
        sockets[s].pending += 1
        if !sockets[s].dirty {
            sockets[s].dirty = true
            dirtySockets.append(s)
        }
    }

    private func flushSends() {
        for s in dirtySockets {
            flush(socket: s)
            sockets[s].dirty = false
        }
        dirtySockets.removeAll(keepingCapacity: true)
    }

    private func flush(socket s: Int) {
        let count = sockets[s].pending
        guard count > 0 else { return }
        let sent = tg_udp_batch_send(sockets[s].fd, sockets[s].sendBatch, count)
        // Refused datagrams are left to the retransmission timer, as lost ones would be.
        report.sendErrors += sent < 0 ? Int(count) : Int(count) - Int(sent)
        sockets[s].pending = 0
    }

    // MARK: Timers

    private func expireTimers(now: UInt64) {
        while let timer = timers.first, timer.due <= now {
            timers.popFront()
            let s = Int(timer.socket)
            let id = Int(timer.identifier)
            guard sockets[s].slots[id].busy, sockets[s].slots[id].generation == timer.generation else { continue }
            failOverIfDue(socket: s, identifier: id)
            if Int(sockets[s].slots[id].attempts) <= options.retries {
                moveToCurrentServer(socket: s, identifier: id)
                sockets[s].slots[id].attempts += 1
                sockets[s].slots[id].serverAttempts += 1
                report.retransmissions += 1
                queueSend(socket: s, sockets[s].slots[id].packet)
                timers.pushBack(Timer(socket: timer.socket, identifier: timer.identifier, generation: timer.generation, due: now &+ timeoutNanoseconds))
            } else {
                report.unanswered += 1
                let flow = sockets[s].slots[id].flow
                appendLabel(flow: flow, step: sockets[s].slots[id].step)
                release(socket: s, identifier: id)
                stepFinished(flow)
            }
        }
    }

    /// Gives the NAS's current server up when this request went unanswered there
    /// `failoverAfter` times and another server is left.
    private func failOverIfDue(socket s: Int, identifier id: Int) {
        let n = sockets[s].nas
        let slot = sockets[s].slots[id]
        guard Int(slot.server) == nases[n].current, nases[n].current + 1 < nases[n].servers.count,
              Int(slot.serverAttempts) >= options.failoverAfter else { return }
        nases[n].current += 1
        report.failovers += 1
    }

    /// Points a request's next transmission at the NAS's current server.
    private func moveToCurrentServer(socket s: Int, identifier id: Int) {
        let current = Int32(nases[sockets[s].nas].current)
        guard sockets[s].slots[id].server != current else { return }
        sockets[s].slots[id].server = current
        sockets[s].slots[id].serverAttempts = 0
        if !sockets[s].slots[id].moved {
            sockets[s].slots[id].moved = true
            report.requestsMoved += 1
        }
    }

    // MARK: Receiving

    private func receive(socket s: Int, now: inout UInt64) {
        let fd = sockets[s].fd
        while true {
            let n = tg_udp_batch_receive(fd, receiveBatch)
            guard n > 0 else { return }
            now = monotonicNanoseconds()
            for i in 0..<UInt32(n) {
                var length: UInt32 = 0
                var truncated: Int32 = 0
                let slot = tg_udp_batch_slot(receiveBatch, i, &length, &truncated)!
                var addressLength: socklen_t = 0
                let source = tg_udp_batch_address(receiveBatch, i, &addressLength)!
                guard truncated == 0, isTarget(source, addressLength, nas: sockets[s].nas) else {
                    report.ignoredDatagrams += 1
                    continue
                }
                handleDatagram(UnsafeRawBufferPointer(start: slot, count: Int(length)), socket: s, now: now)
            }
            if UInt32(n) < Self.receiveBatchCapacity { return }
        }
    }

    /// Whether a datagram comes from one of the NAS's servers (a late answer from a server it
    /// gave up still counts).
    private func isTarget(_ address: UnsafePointer<sockaddr>, _ length: socklen_t, nas n: Int) -> Bool {
        nases[n].servers.contains { isServer(address, length, $0) }
    }

    private func isServer(_ address: UnsafePointer<sockaddr>, _ length: socklen_t, _ server: Destination) -> Bool {
        guard length == server.length else { return false }
        return withUnsafeBytes(of: server.address) { target in
            let received = UnsafeRawBufferPointer(start: address, count: Int(length))
            if Int32(address.pointee.sa_family) == AF_INET {
                // Family, port and address; sin_zero may hold anything.
                return memcmp(received.baseAddress!, target.baseAddress!, 8) == 0
            }
            // Family, port, address (skipping flowinfo); scope id too.
            let port = memcmp(received.baseAddress!, target.baseAddress!, 4) == 0
            let address = memcmp(received.baseAddress! + 8, target.baseAddress! + 8, 16) == 0
            return port && address
        }
    }

    private func handleDatagram(_ datagram: UnsafeRawBufferPointer, socket s: Int, now: UInt64) {
        guard let response = try? RADIUSPacket(decoding: datagram), response.code == .accountingResponse else {
            report.ignoredDatagrams += 1
            return
        }
        let id = Int(response.identifier)
        let secret = nases[sockets[s].nas].nas.secret
        let slot = sockets[s].slots[id]
        if slot.busy && verifies(response, slot.authenticator, secret) {
            samples.append(now &- slot.firstSent)
            report.acknowledged += 1
            let flow = slot.flow
            recordAcknowledged(flow: flow, step: slot.step)
            release(socket: s, identifier: id)
            stepFinished(flow)
            return
        }
        if let previous = slot.previousAuthenticator, verifies(response, previous, secret) {
            report.lateResponses += 1
        } else if slot.busy {
            report.badResponses += 1
        } else {
            report.ignoredDatagrams += 1
        }
    }

    private func verifies(_ response: RADIUSPacket, _ requestAuthenticator: Authenticator, _ secret: [UInt8]) -> Bool {
        guard response.verifyResponseAuthenticator(requestAuthenticator: requestAuthenticator, secret: secret, crypto: crypto) else {
            return false
        }
        return response.verifyMessageAuthenticator(secret: secret, requestAuthenticator: requestAuthenticator, crypto: crypto) != .invalid
    }

    private func recordAcknowledged(flow f: Int32, step: Int32) {
        guard let session = flows[Int(f)].session else { return }
        let event = session.events[Int(step)]
        flows[Int(f)].anyAcknowledged = true
        if let upload = event.upload { flows[Int(f)].acknowledgedUpload = max(flows[Int(f)].acknowledgedUpload, upload) }
        if let download = event.download { flows[Int(f)].acknowledgedDownload = max(flows[Int(f)].acknowledgedDownload, download) }
    }

    private func release(socket s: Int, identifier id: Int) {
        sockets[s].slots[id].busy = false
        sockets[s].slots[id].previousAuthenticator = sockets[s].slots[id].authenticator
        sockets[s].slots[id].generation &+= 1
        sockets[s].slots[id].packet = []
        sockets[s].identifiers.release(UInt8(id))
        sockets[s].outstanding -= 1
        outstanding -= 1
    }

    /// A request of the flow was answered or given up: queue its next step, or complete it.
    private func stepFinished(_ f: Int32) {
        flows[Int(f)].outstanding -= 1
        if isReady(f) {
            if !flows[Int(f)].queued {
                flows[Int(f)].queued = true
                nases[Int(flows[Int(f)].nas)].ready.pushBack(f)
            }
        } else if !hasNextStep(f) && flows[Int(f)].outstanding == 0 && !flows[Int(f)].queued {
            completeFlow(f)
        }
    }

    private func completeFlow(_ f: Int32) {
        let flow = flows[Int(f)]
        if flow.session != nil && flow.anyAcknowledged {
            report.acknowledgedTotals.add(UsageTotals(sessions: 1, upload: flow.acknowledgedUpload, download: flow.acknowledgedDownload))
        }
        flows[Int(f)] = Flow(nas: -1)
        freeFlows.append(f)
    }

    private func appendLabel(flow f: Int32, step: Int32) {
        guard report.unansweredRequests.count < options.unansweredDetailLimit else { return }
        let flow = flows[Int(f)]
        let nas = nases[Int(flow.nas)].label
        if let session = flow.session {
            let kind: String
            switch session.events[Int(step)].kind {
            case .start: kind = "Start"
            case .interimUpdate: kind = "Interim-Update"
            case .stop: kind = "Stop"
            }
            report.unansweredRequests.append(RequestLabel(nas: nas, sessionID: session.sessionID, index: Int(step), kind: kind))
        } else {
            let kind: String
            switch flow.message! {
            case .accountingOn: kind = "Accounting-On"
            case .accountingOff: kind = "Accounting-Off"
            case .statusServer: kind = "Status-Server"
            }
            report.unansweredRequests.append(RequestLabel(nas: nas, sessionID: nil, index: Int(flow.messageIndex), kind: kind))
        }
    }

    // MARK: End of run

    /// Counts what is left when the run stops: outstanding requests as unanswered, steps and
    /// sessions never started as not sent.
    private func finish() {
        for s in sockets.indices {
            for id in 0..<256 where sockets[s].slots[id].busy {
                report.unanswered += 1
                appendLabel(flow: sockets[s].slots[id].flow, step: sockets[s].slots[id].step)
                let flow = sockets[s].slots[id].flow
                release(socket: s, identifier: id)
                flows[Int(flow)].outstanding -= 1
            }
        }
        for f in flows.indices where flows[f].nas >= 0 {
            report.notSent += remainingSteps(flows[f])
            if flows[f].session != nil && flows[f].anyAcknowledged {
                report.acknowledgedTotals.add(
                    UsageTotals(sessions: 1, upload: flows[f].acknowledgedUpload, download: flows[f].acknowledgedDownload))
            }
        }
        for n in nases.indices {
            report.notSent += nases[n].messages.count - nases[n].nextMessage
            while nases[n].nextSession < nases[n].sessions.count {
                let session = nases[n].sessions.session(at: nases[n].nextSession)
                nases[n].nextSession += 1
                countExpected(session)
                report.notSent += session.events.reduce(0) { $0 + 1 + newIdentifierCopies($1) }
            }
        }
    }

    private func remainingSteps(_ flow: Flow) -> Int {
        guard let session = flow.session else { return flow.event == 0 ? 1 : 0 }
        var remaining = 0
        for index in Int(flow.event)..<session.events.count {
            remaining += 1 + newIdentifierCopies(session.events[index])
        }
        return remaining - Int(flow.copy)
    }
}

extension String {
    fileprivate func replacingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
