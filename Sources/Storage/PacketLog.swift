import Accounting

/// The packet log (`accounting_packets`): the durable record an Accounting-Response waits
/// for, the merger's input and the audit trail at once.
///
/// Rows come in *streams*: one per appending connection, numbered 1, 2, 3 ... and committed
/// in that order by their only appender, so "every row of stream S up to N" is a position
/// that no later commit can fall behind (a single sequence shared by concurrent appenders
/// could: a merger reading past a gap would skip the row that commits into it later). The
/// appender holds a session advisory lock on its stream while it lives; the merger retires
/// a stream only once that lock is free (the appender is gone) and every row is merged.
public enum PacketLog {
    /// Advisory lock class of stream locks ("TGLS"); the stream id is the second key.
    static let streamLockClass: Int32 = 0x5447_4C53

    private static func lockKey(_ stream: Int64) -> String { String(stream % Int64(Int32.max)) }

    /// Opens a new stream for this connection and locks it for the connection's life. The
    /// lock is taken before the stream is visible, so the merger never sees it unlocked
    /// while its appender lives.
    public static func openStream(_ connection: PostgresConnection) throws -> Int64 {
        try connection.query("BEGIN")
        do {
            let id = try connection.query("INSERT INTO log_streams DEFAULT VALUES RETURNING id").int64(row: 0, column: 0)
            try connection.query("SELECT pg_advisory_lock($1, $2::integer)", [String(streamLockClass), lockKey(id)])
            try connection.query("COMMIT")
            return id
        } catch {
            if connection.isConnected && connection.inTransaction { try? connection.execute("ROLLBACK") }
            throw error
        }
    }

    static let copySQL = """
        COPY accounting_packets (tenant_id, received_at, nas_id, status_type, user_name, acct_session_id, packet, stream, seq)
        FROM STDIN (FORMAT binary)
        """

    /// The rows of `entries` as stream `stream` numbered from `firstSeq`, in binary COPY format.
    static func copyRows(_ entries: [LogEntry], stream: Int64, firstSeq: Int64) -> [UInt8] {
        var rows = BinaryCopyRows(reservingCapacity: entries.reduce(0) { $0 + $1.packet.count + 120 })
        for (offset, entry) in entries.enumerated() {
            rows.startRow(columns: 9)
            rows.append(entry.tenantID)
            rows.appendTimestamp(microseconds: entry.receivedAt)
            rows.append(entry.nasID)
            rows.append(entry.statusType.map { Int64($0) })
            rows.append(entry.userName.map(SanitizedKey.clean))
            rows.append(entry.sessionID.map(SanitizedKey.clean))
            rows.appendBytes(entry.packet)
            rows.append(stream)
            rows.append(firstSeq + Int64(offset))
        }
        return rows.finish()
    }

    /// Up to `limit` unmerged rows of every active stream, in stream and sequence order.
    public static func readUnmerged(_ connection: PostgresConnection, limitPerStream limit: Int) throws -> [LoggedPacket] {
        let result = try connection.queryBinary(
            """
            SELECT p.stream, p.seq, p.tenant_id, p.nas_id, p.received_at, p.packet
            FROM log_streams s CROSS JOIN LATERAL (
                SELECT stream, seq, tenant_id, nas_id, received_at, packet FROM accounting_packets
                WHERE stream = s.id AND seq > s.merged_seq ORDER BY seq LIMIT $1) p
            WHERE s.retired_at IS NULL
            ORDER BY p.stream, p.seq
            """, [String(limit)])
        let stream = try result.column("stream")
        let seq = try result.column("seq")
        let tenantID = try result.column("tenant_id")
        let nasID = try result.column("nas_id")
        let receivedAt = try result.column("received_at")
        let packet = try result.column("packet")
        var packets: [LoggedPacket] = []
        packets.reserveCapacity(result.rowCount)
        for row in 0..<result.rowCount {
            packets.append(
                LoggedPacket(
                    stream: result.binaryInt64(row: row, column: stream), seq: result.binaryInt64(row: row, column: seq),
                    tenantID: result.binaryInt64(row: row, column: tenantID), nasID: result.binaryInt64(row: row, column: nasID),
                    receivedAt: result.binaryTimestamp(row: row, column: receivedAt),
                    packet: result.binaryBytes(row: row, column: packet)))
        }
        return packets
    }

    /// The statement that records streams merged up to the given sequence numbers; run it in
    /// the transaction that applies those rows. A position never moves back.
    public static func advance(_ positions: [Int64: Int64]) -> Statement {
        var streams = ArrayParameter()
        var seqs = ArrayParameter()
        for (stream, seq) in positions.sorted(by: { $0.key < $1.key }) {
            streams.append(stream)
            seqs.append(seq)
        }
        return Statement(
            """
            UPDATE log_streams s SET merged_seq = greatest(s.merged_seq, v.seq)
            FROM unnest($1::bigint[], $2::bigint[]) AS v(id, seq) WHERE s.id = v.id
            """, [streams.literal, seqs.literal])
    }

    /// The statement that deletes rows once merged (when packets are not kept for audits).
    public static func deleteMerged(_ positions: [Int64: Int64]) -> Statement {
        var streams = ArrayParameter()
        var seqs = ArrayParameter()
        for (stream, seq) in positions.sorted(by: { $0.key < $1.key }) {
            streams.append(stream)
            seqs.append(seq)
        }
        return Statement(
            """
            DELETE FROM accounting_packets p USING unnest($1::bigint[], $2::bigint[]) AS v(id, seq)
            WHERE p.stream = v.id AND p.seq <= v.seq
              AND NOT EXISTS (SELECT 1 FROM log_refusals r WHERE r.stream = p.stream AND r.seq = p.seq)
            """, [streams.literal, seqs.literal])
    }

    /// The statement that records a logged packet the merger could not apply; run it in the
    /// transaction that moves the stream's position past it.
    public static func refusal(stream: Int64, seq: Int64, error: String) -> Statement {
        Statement(
            """
            INSERT INTO log_refusals (stream, seq, error) VALUES ($1, $2, $3)
            ON CONFLICT (stream, seq) DO UPDATE SET error = excluded.error, refused_at = now()
            """, [String(stream), String(seq), String(String(decoding: TextRepair.sanitized(error.utf8), as: UTF8.self).prefix(2000))])
    }

    /// Retires streams whose appender is gone (its lock is free) and whose rows are all
    /// merged, so the merger stops looking at them. Returns how many.
    @discardableResult
    public static func retireFinished(_ connection: PostgresConnection) throws -> Int {
        let candidates = try connection.query(
            """
            SELECT id FROM log_streams s WHERE retired_at IS NULL AND opened_at < now() - interval '2 seconds'
              AND NOT EXISTS (SELECT 1 FROM accounting_packets p WHERE p.stream = s.id AND p.seq > s.merged_seq)
            ORDER BY id
            """)
        var retired = 0
        for row in 0..<candidates.rowCount {
            let id = candidates.int64(row: row, column: 0)
            let key = [String(streamLockClass), lockKey(id)]
            guard try connection.query("SELECT pg_try_advisory_lock($1, $2::integer)", key).value(row: 0, column: 0) == "t" else { continue }
            defer { _ = try? connection.query("SELECT pg_advisory_unlock($1, $2::integer)", key) }
            // Checked again under the lock: the appender may have committed rows before it went.
            retired += try connection.query(
                """
                UPDATE log_streams s SET retired_at = now() WHERE id = $1 AND retired_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM accounting_packets p WHERE p.stream = s.id AND p.seq > s.merged_seq)
                """, [String(id)]
            ).affectedRows
        }
        return retired
    }

    /// Receipt time (microseconds) of the oldest packet not merged yet; nil when none waits.
    public static func oldestUnmerged(_ connection: PostgresConnection) throws -> Int64? {
        let result = try connection.query(
            """
            SELECT (extract(epoch FROM min(p.received_at)) * 1000000)::bigint
            FROM log_streams s CROSS JOIN LATERAL (
                SELECT received_at FROM accounting_packets WHERE stream = s.id AND seq > s.merged_seq ORDER BY seq LIMIT 1) p
            WHERE s.retired_at IS NULL
            """)
        return result.value(row: 0, column: 0).flatMap { Int64($0) }
    }

    /// Packets appended and not merged yet, over every stream.
    public static func unmergedCount(_ connection: PostgresConnection) throws -> Int {
        Int(
            try connection.query(
                """
                SELECT count(*) FROM log_streams s JOIN accounting_packets p ON p.stream = s.id AND p.seq > s.merged_seq
                WHERE s.retired_at IS NULL
                """
            ).int64(row: 0, column: 0))
    }
}
