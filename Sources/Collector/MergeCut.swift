import Storage

/// Which rows read from the log one merge applies: a cut consistent in receipt time across
/// streams.
///
/// A session's packets may be logged in different streams (two appenders take alternate
/// batches of one queue; a spool replay is a stream of its own). When one stream has a
/// backlog, reading the same number of rows from each would apply another stream's later
/// packets first (a Stop before its own session's Start, minutes apart). So when a stream
/// gave all the rows asked for, its last receipt time is a horizon, and every stream
/// contributes only its rows up to the lowest horizon (a prefix of each stream, so the
/// positions stay exact). The rest is read again next time.
enum MergeCut {
    /// The rows to apply (in stream and sequence order, as read) and whether more wait.
    static func cut(_ packets: [LoggedPacket], limitPerStream limit: Int) -> (packets: [LoggedPacket], more: Bool) {
        var counts: [Int64: Int] = [:]
        var lastReceived: [Int64: Int64] = [:]
        for packet in packets {
            counts[packet.stream, default: 0] += 1
            lastReceived[packet.stream] = packet.receivedAt
        }
        let full = counts.filter { $0.value >= limit }.keys
        guard let horizon = full.compactMap({ lastReceived[$0] }).min() else { return (packets, false) }
        var kept: [LoggedPacket] = []
        kept.reserveCapacity(packets.count)
        var stopped: Set<Int64> = []
        for packet in packets where !stopped.contains(packet.stream) {
            if packet.receivedAt > horizon {
                stopped.insert(packet.stream)
                continue
            }
            kept.append(packet)
        }
        return (kept, true)
    }
}
