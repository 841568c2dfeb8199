import CUDPShim
import RADIUS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Timers: retransmissions, timeouts and failover to the next server.
extension SimulatorEngine {
    func expireTimers(now: UInt64) {
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
                timers.pushBack(
                    Timer(socket: timer.socket, identifier: timer.identifier, generation: timer.generation, due: now &+ timeoutNanoseconds))
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
            Int(slot.serverAttempts) >= options.failoverAfter
        else { return }
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
}
