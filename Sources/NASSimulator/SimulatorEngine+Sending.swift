import CUDPShim
import RADIUS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Sending: flows to requests, requests to send batches, under the rate and the window.
extension SimulatorEngine {
    private func refillTokens(now: UInt64) {
        guard let rate = options.rate, rate > 0 else { return }
        let burst = max(1, rate / 250)
        tokens = min(burst, tokens + Double(now &- lastRefill) * rate / 1e9)
        lastRefill = now
    }

    private var mayStartRequest: Bool {
        outstanding < options.window && (options.rate == nil || tokens >= 1)
    }

    func issueRequests(now: UInt64) {
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

    func countExpected(_ session: SimulatedSession) {
        let (upload, download) = session.finalCounters
        let totals = UsageTotals(sessions: 1, upload: upload, download: download)
        report.expected.add(totals)
        if options.collectPerUserTotals {
            report.expectedPerUser[session.userName, default: UsageTotals()].add(totals)
        }
    }

    func newIdentifierCopies(_ event: SessionEvent) -> Int {
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

    func hasNextStep(_ f: Int32) -> Bool {
        let flow = flows[Int(f)]
        if let session = flow.session { return Int(flow.event) < session.events.count }
        return flow.event == 0
    }

    func isReady(_ f: Int32) -> Bool {
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

    func queueSend(socket s: Int, _ bytes: [UInt8]) {
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

    func flushSends() {
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
}
