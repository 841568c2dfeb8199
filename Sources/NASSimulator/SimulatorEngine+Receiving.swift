import CUDPShim
import RADIUS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Receiving: answers matched to their requests, flows completed.
extension SimulatorEngine {
    func receive(socket s: Int, now: inout UInt64) {
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

    func release(socket s: Int, identifier id: Int) {
        sockets[s].slots[id].busy = false
        sockets[s].slots[id].previousAuthenticator = sockets[s].slots[id].authenticator
        sockets[s].slots[id].generation &+= 1
        sockets[s].slots[id].packet = []
        sockets[s].identifiers.release(UInt8(id))
        sockets[s].outstanding -= 1
        outstanding -= 1
    }

    /// A request of the flow was answered or given up: queue its next step, or complete it.
    func stepFinished(_ f: Int32) {
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

    func completeFlow(_ f: Int32) {
        let flow = flows[Int(f)]
        if flow.session != nil && flow.anyAcknowledged {
            report.acknowledgedTotals.add(UsageTotals(sessions: 1, upload: flow.acknowledgedUpload, download: flow.acknowledgedDownload))
        }
        flows[Int(f)] = Flow(nas: -1)
        freeFlows.append(f)
    }

    func appendLabel(flow f: Int32, step: Int32) {
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
}
