import Dispatch
import Logging
import RADIUS

#if canImport(Glibc)
    import Glibc
#endif

/// Sends CoA-Requests and Disconnect-Requests (RFC 5176) to many NAS at once over one UDP
/// socket, retransmits on a `RetrySchedule`, validates the answers, and reports one outcome
/// per request.
///
/// All state lives on one serial queue: a Dispatch read source for answers and one timer
/// source for every retransmission. Identifiers are kept per destination (address and port);
/// no two requests in flight to a destination share one. When all 256 are held, new requests
/// queue until one frees, and a retransmission reuses its own request's oldest Identifier.
public final class DynamicAuthorizationClient: Sendable {
    /// Counters since the client started.
    public struct Statistics: Sendable, Hashable {
        /// Requests handed to `send`.
        public var requests = 0
        /// Datagrams sent, first transmissions and retransmissions.
        public var transmissions = 0
        public var retransmissions = 0
        /// Sends the kernel refused (the retransmission timer covers them like a lost datagram).
        public var sendFailures = 0
        public var acks = 0
        public var naks = 0
        public var timeouts = 0
        /// Datagrams dropped, by reason; never taken as outcomes.
        public var dropped: [DynamicAuthorizationResponseError.Reason: Int] = [:]
        /// Requests waiting for an outcome.
        public var inFlight = 0

        public var droppedTotal: Int { dropped.values.reduce(0, +) }
    }

    private let queue: DispatchQueue
    private let completions: DispatchQueue
    private let core: Core

    /// Opens the socket and starts its read source. `schedule` is `.standard` (2 s, doubling,
    /// 5 transmissions) in production; tests pass shorter waits.
    public init(schedule: RetrySchedule = .standard, logger: Logger) throws {
        let socket = try DynamicAuthorizationSocket.open()
        queue = DispatchQueue(label: "tollgate.dynamic-authorization")
        completions = DispatchQueue(label: "tollgate.dynamic-authorization.completions")
        core = Core(socket: socket, schedule: schedule, logger: logger, queue: queue, completions: completions)
        core.start()
    }

    deinit {
        shutdown()
    }

    /// Sends `message` to `target`; `completion` runs exactly once, on the client's completion
    /// queue, with the outcome. A target whose host is not a numeric address, a message that
    /// cannot be encoded, and a send after `shutdown()` end as `.timeout(attempts: 0)`.
    public func send(
        _ message: DynamicAuthorizationMessage, to target: DynamicAuthorizationTarget,
        completion: @escaping @Sendable (DynamicAuthorizationOutcome) -> Void
    ) {
        let core = self.core
        queue.async { core.submit(message, to: target, completion: completion) }
    }

    /// Sends `message` to `target` and returns its outcome.
    public func send(_ message: DynamicAuthorizationMessage, to target: DynamicAuthorizationTarget) async -> DynamicAuthorizationOutcome {
        await withCheckedContinuation { continuation in
            send(message, to: target) { continuation.resume(returning: $0) }
        }
    }

    /// The local port answers must come back to (for diagnostics and tests).
    public var localPort: UInt16 { core.localPort }

    /// A snapshot of the counters.
    public var statistics: Statistics {
        let core = self.core
        return queue.sync { core.statistics }
    }

    /// Stops the client: requests still in flight end as `.timeout` with the transmissions
    /// sent so far, the read and timer sources are cancelled and the socket closed. Outcomes
    /// already reported have run when it returns (unless it is called from a completion).
    /// Calling it again does nothing.
    public func shutdown() {
        let core = self.core
        let stopped = queue.sync { core.stop() }
        guard stopped else { return }
        core.sourcesCancelled.wait()
        if DispatchQueue.getSpecific(key: Core.completionQueueKey) == nil {
            completions.sync {}
        }
    }
}

extension DynamicAuthorizationClient {
    /// The client's state; every method runs on `queue`.
    final class Core: @unchecked Sendable {
        static let completionQueueKey = DispatchSpecificKey<Bool>()

        struct Request {
            let message: DynamicAuthorizationMessage
            let secret: [UInt8]
            let destination: UDPDestination
            let completion: @Sendable (DynamicAuthorizationOutcome) -> Void
            var attempt: DynamicAuthorizationAttempt
            /// Every transmission's Identifier and Request Authenticator, all held until the outcome.
            var transmissions: [(identifier: UInt8, authenticator: Authenticator)] = []
        }

        let socket: DynamicAuthorizationSocket
        let schedule: RetrySchedule
        let logger: Logger
        let queue: DispatchQueue
        let completions: DispatchQueue
        let localPort: UInt16
        let sourcesCancelled = DispatchSemaphore(value: 0)
        private var readSource: DispatchSourceRead?
        private var timerSource: DispatchSourceTimer?

        private(set) var statistics = Statistics()
        private var requests: [UInt64: Request] = [:]
        private var pools: [UDPDestination: IdentifierPool] = [:]
        /// First transmissions waiting for a free Identifier, per destination.
        private var backlogs: [UDPDestination: FIFO<UInt64>] = [:]
        private var timers: RetryTimers
        private var armedDeadline: UInt64?
        private var nextSerial: UInt64 = 1
        private var isStopped = false
        private let crypto = RADIUSCrypto()
        private var buffer = [UInt8](repeating: 0, count: RADIUSPacket.maximumLength + 1)
        private var lastDropWarning: UInt64 = 0
        private var dropsSinceWarning = 0

        init(socket: DynamicAuthorizationSocket, schedule: RetrySchedule, logger: Logger, queue: DispatchQueue, completions: DispatchQueue) {
            self.socket = socket
            self.schedule = schedule
            self.logger = logger
            self.queue = queue
            self.completions = completions
            self.timers = RetryTimers(transmissions: schedule.transmissions)
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            _ = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket.descriptor, $0, &length) }
            }
            localPort = UDPDestination(storage)?.port ?? 0
            completions.setSpecific(key: Self.completionQueueKey, value: true)
        }

        /// Creates and resumes the sources. Runs in nonisolated code; the handlers are @Sendable.
        func start() {
            let read = DispatchSource.makeReadSource(fileDescriptor: socket.descriptor, queue: queue)
            let timer = DispatchSource.makeTimerSource(queue: queue)
            let group = DispatchGroup()
            group.enter()
            group.enter()
            read.setEventHandler { @Sendable [self] in self.readAvailable() }
            read.setCancelHandler { @Sendable in group.leave() }
            timer.setEventHandler { @Sendable [self] in self.timerFired() }
            timer.setCancelHandler { @Sendable in group.leave() }
            let descriptor = socket.descriptor
            let cancelled = sourcesCancelled
            group.notify(queue: queue) { @Sendable in
                close(descriptor)
                cancelled.signal()
            }
            readSource = read
            timerSource = timer
            read.resume()
            timer.resume()
        }

        // MARK: Requests

        func submit(
            _ message: DynamicAuthorizationMessage, to target: DynamicAuthorizationTarget,
            completion: @escaping @Sendable (DynamicAuthorizationOutcome) -> Void
        ) {
            statistics.requests += 1
            guard !isStopped else {
                report(.timeout(attempts: 0), to: completion)
                return
            }
            guard let destination = UDPDestination(host: target.host, port: target.port) else {
                logger.error("dynamic-authorization target is not a numeric IP address", metadata: ["host": "\(target.host)"])
                report(.timeout(attempts: 0), to: completion)
                return
            }
            let serial = nextSerial
            nextSerial += 1
            var request = Request(
                message: message, secret: target.secret, destination: destination, completion: completion,
                attempt: DynamicAuthorizationAttempt(schedule: schedule))
            let action = request.attempt.start()
            requests[serial] = request
            statistics.inFlight += 1
            run(action, for: serial)
        }

        private func run(_ action: DynamicAuthorizationAttempt.Action, for serial: UInt64) {
            switch action {
            case .transmit(let number):
                guard let request = requests[serial] else { return }
                let destination = request.destination
                let crowded = (pools[destination]?.isFull ?? false) || backlogs[destination] != nil
                if number > 1, crowded, let oldest = request.transmissions.first?.identifier {
                    // No Identifier to spare: the retransmission takes over the request's own
                    // oldest one (an answer to that transmission no longer validates), so a
                    // retransmission never waits and every request reaches its outcome.
                    requests[serial]?.transmissions.removeFirst()
                    transmit(serial, identifier: oldest)
                } else if let identifier = pools[destination, default: IdentifierPool()].acquire(for: serial) {
                    transmit(serial, identifier: identifier)
                } else {
                    backlogs[destination, default: FIFO()].append(serial)
                }
            case .startTimer(let transmission, let wait):
                let deadline = DispatchTime.now().uptimeNanoseconds + Self.nanoseconds(wait)
                timers.arm(.init(deadline: deadline, request: serial, transmission: transmission))
                if armedDeadline.map({ deadline < $0 }) ?? true { armTimer(at: deadline) }
            case .finish(let outcome):
                finish(serial, outcome)
            case .none:
                break
            }
        }

        private func transmit(_ serial: UInt64, identifier: UInt8) {
            guard var request = requests[serial], case .transmitting(let number) = request.attempt.state else {
                return
            }
            let packet: RADIUSPacket
            do {
                packet = try request.message.encode(
                    identifier: identifier, eventTimestamp: UInt32(truncatingIfNeeded: time(nil)),
                    secret: request.secret, crypto: crypto)
            } catch {
                logger.error(
                    "dynamic-authorization request cannot be encoded",
                    metadata: [
                        "nas": "\(request.destination)", "request": "\(request.message.summary)", "error": "\(error)",
                    ])
                pools[request.destination]?.release(identifier)
                let action = request.attempt.abandon()
                requests[serial] = request
                run(action, for: serial)
                return
            }
            request.transmissions.append((identifier, packet.authenticator))
            statistics.transmissions += 1
            if number > 1 { statistics.retransmissions += 1 }
            if let error = socket.send(packet.bytes, to: request.destination) {
                statistics.sendFailures += 1
                logger.warning(
                    "dynamic-authorization send failed",
                    metadata: [
                        "nas": "\(request.destination)", "error": "\(String(cString: strerror(error)))",
                    ])
            }
            let action = request.attempt.transmitted()
            requests[serial] = request
            run(action, for: serial)
        }

        private func finish(_ serial: UInt64, _ outcome: DynamicAuthorizationOutcome) {
            guard let request = requests.removeValue(forKey: serial) else { return }
            statistics.inFlight -= 1
            switch outcome {
            case .ack: statistics.acks += 1
            case .nak: statistics.naks += 1
            case .timeout: statistics.timeouts += 1
            }
            for transmission in request.transmissions {
                pools[request.destination]?.release(transmission.identifier)
            }
            report(outcome, to: request.completion)
            serveBacklog(of: request.destination)
        }

        /// Hands freed Identifiers to the first transmissions waiting for them.
        private func serveBacklog(of destination: UDPDestination) {
            guard !isStopped else { return }
            while var backlog = backlogs[destination], !(pools[destination]?.isFull ?? false) {
                let serial = backlog.popFirst()
                backlogs[destination] = backlog.isEmpty ? nil : backlog
                guard let serial else { break }
                guard let request = requests[serial], case .transmitting = request.attempt.state else { continue }
                guard let identifier = pools[destination, default: IdentifierPool()].acquire(for: serial) else { break }
                transmit(serial, identifier: identifier)
            }
            if pools[destination]?.isEmpty == true && backlogs[destination] == nil {
                pools[destination] = nil
            }
        }

        private func report(_ outcome: DynamicAuthorizationOutcome, to completion: @escaping @Sendable (DynamicAuthorizationOutcome) -> Void) {
            completions.async { completion(outcome) }
        }

        // MARK: Answers

        private func readAvailable() {
            while let (count, source) = socket.receive(into: &buffer) {
                handle(count: count, source: source)
            }
        }

        private func handle(count: Int, source: sockaddr_storage) {
            guard let origin = UDPDestination(source) else { return }
            guard count <= RADIUSPacket.maximumLength else {
                return drop(.init(.oversized, "more than 4096 octets"), from: origin)
            }
            guard count >= RADIUSPacket.minimumLength else {
                return drop(.init(.malformed, "\(count) octets; a RADIUS header is 20"), from: origin)
            }
            let identifier = buffer[1]
            guard let serial = pools[origin]?.owner(of: identifier), var request = requests[serial],
                let transmission = request.transmissions.last(where: { $0.identifier == identifier })
            else {
                return drop(.init(.unknownIdentifier, "no request in flight to this address and port has Identifier \(identifier)"), from: origin)
            }
            let datagram = Array(buffer[0..<count])
            switch DynamicAuthorizationReply.validate(
                datagram, kind: request.message.kind, identifier: identifier,
                requestAuthenticator: transmission.authenticator, secret: request.secret, crypto: crypto)
            {
            case .failure(let error):
                drop(error, from: origin)
            case .success(let reply):
                let action = request.attempt.received(reply)
                requests[serial] = request
                if case .finish(let outcome) = action {
                    logger.debug(
                        "dynamic-authorization answered",
                        metadata: [
                            "nas": "\(origin)", "request": "\(request.message.summary)", "outcome": "\(outcome)",
                        ])
                }
                run(action, for: serial)
            }
        }

        /// Counts a dropped datagram and logs it, at most one warning per 10 s.
        private func drop(_ error: DynamicAuthorizationResponseError, from origin: UDPDestination) {
            statistics.dropped[error.reason, default: 0] += 1
            dropsSinceWarning += 1
            let now = DispatchTime.now().uptimeNanoseconds
            if lastDropWarning == 0 || now - lastDropWarning >= 10_000_000_000 {
                logger.warning(
                    "dynamic-authorization answer dropped",
                    metadata: [
                        "from": "\(origin)", "reason": "\(error.reason.rawValue)", "detail": "\(error.detail)",
                        "dropped_since_last_warning": "\(dropsSinceWarning)",
                    ])
                lastDropWarning = now
                dropsSinceWarning = 0
            }
        }

        // MARK: Timers

        private func armTimer(at deadline: UInt64) {
            armedDeadline = deadline
            timerSource?.schedule(deadline: DispatchTime(uptimeNanoseconds: deadline), repeating: .never, leeway: .milliseconds(1))
        }

        private func timerFired() {
            armedDeadline = nil
            for entry in timers.popDue(now: DispatchTime.now().uptimeNanoseconds) {
                guard var request = requests[entry.request] else { continue }
                let action = request.attempt.timerFired(transmission: entry.transmission)
                requests[entry.request] = request
                run(action, for: entry.request)
            }
            if let earliest = timers.earliestDeadline, armedDeadline.map({ earliest < $0 }) ?? true {
                armTimer(at: earliest)
            }
        }

        private static func nanoseconds(_ duration: Duration) -> UInt64 {
            let (seconds, attoseconds) = duration.components
            return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        }

        // MARK: Shutdown

        /// Ends every request and cancels the sources; false when already stopped.
        func stop() -> Bool {
            guard !isStopped else { return false }
            isStopped = true
            for serial in requests.keys.sorted() {
                guard var request = requests[serial] else { continue }
                let action = request.attempt.abandon()
                requests[serial] = request
                run(action, for: serial)
            }
            backlogs.removeAll()
            readSource?.cancel()
            timerSource?.cancel()
            return true
        }
    }
}
