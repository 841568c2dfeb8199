import CUDPShim
import RADIUS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// End of run: what is left counted as unanswered or not sent.
extension SimulatorEngine {
    /// Counts what is left when the run stops: outstanding requests as unanswered, steps and
    /// sessions never started as not sent.
    func finish() {
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
