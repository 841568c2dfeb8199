import Accounting
import Rating

/// Raw packet partitions: created ahead, dropped after the retention period.
public enum PacketRetention {
    /// Ensures daily partitions from yesterday to `daysAhead` days ahead exist and drops
    /// those older than `retentionDays`. Returns the partitions dropped.
    @discardableResult
    public static func maintain(_ connection: PostgresConnection, retentionDays: Int, daysAhead: Int = 2, today: Int64? = nil) throws -> [String] {
        var now = today
        if now == nil {
            now = Int64(try connection.query("SELECT extract(epoch FROM now())::bigint").value(row: 0, column: 0) ?? "0")
        }
        let todayDays = (now ?? 0) / 86400
        for offset in -1...daysAhead {
            let day = todayDays + Int64(offset)
            let name = "accounting_packets_" + Timestamps.utcText(seconds: day * 86400, microseconds: 0).prefix(10).replacingDashes()
            let from = Timestamps.utcText(seconds: day * 86400, microseconds: 0)
            let to = Timestamps.utcText(seconds: (day + 1) * 86400, microseconds: 0)
            let exists = try connection.query("SELECT to_regclass($1) IS NOT NULL", [name]).value(row: 0, column: 0) == "t"
            if !exists {
                do {
                    try connection.execute("CREATE TABLE \(name) PARTITION OF accounting_packets FOR VALUES FROM ('\(from)') TO ('\(to)')")
                } catch let error as PostgresError where error.sqlState == SQLState.duplicateTable {
                    // Created by another collector meanwhile.
                }
            }
        }
        guard retentionDays > 0 else { return [] }
        let cutoff = todayDays - Int64(retentionDays)
        let partitions = try connection.query(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'accounting_packets'::regclass AND c.relname ~ '^accounting_packets_[0-9]{8}$'
            ORDER BY 1
            """)
        var dropped: [String] = []
        for row in 0..<partitions.rowCount {
            guard let name = partitions.value(row: row, column: 0) else { continue }
            let digits = name.suffix(8)
            guard let y = Int(digits.prefix(4)), let m = Int(digits.dropFirst(4).prefix(2)), let d = Int(digits.suffix(2)) else { continue }
            if Timestamps.days(year: y, month: m, day: d) < cutoff {
                // A partition still holding packets the merger has not applied stays. Checked with
                // the log locked (as the drop locks it anyway, for milliseconds): an append of an
                // old receipt time (a spool replay) cannot slip in between the check and the drop.
                try connection.query("BEGIN")
                do {
                    try connection.query("LOCK TABLE accounting_packets IN ACCESS EXCLUSIVE MODE")
                    let unmerged =
                        try connection.query(
                            """
                            SELECT EXISTS (SELECT 1 FROM \(name) p JOIN log_streams s ON s.id = p.stream WHERE p.seq > s.merged_seq)
                            """
                        ).value(row: 0, column: 0) == "t"
                    if unmerged {
                        try connection.query("ROLLBACK")
                        continue
                    }
                    try connection.query("DROP TABLE IF EXISTS \(name)")
                    try connection.query("COMMIT")
                } catch {
                    if connection.isConnected && connection.inTransaction { try? connection.query("ROLLBACK") }
                    throw error
                }
                dropped.append(name)
            }
        }
        return dropped
    }
}

extension Substring {
    fileprivate func replacingDashes() -> String { String(self.filter { $0 != "-" }) }
}
