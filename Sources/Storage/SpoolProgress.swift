/// Reads and moves a spool's replay position.
public enum SpoolProgress {
    /// The committed position of spool `spoolID` (a UUID), `.start` when it has none.
    public static func position(_ connection: PostgresConnection, spoolID: String) throws -> SpoolPosition {
        let result = try connection.query("SELECT record, items FROM spool_progress WHERE spool_id = $1", [spoolID])
        guard result.rowCount == 1 else { return .start }
        let c = try result.columns("record", "items")
        return SpoolPosition(record: result.int64(row: 0, column: c[0]), items: Int(result.int64(row: 0, column: c[1])))
    }

    /// The statement that moves spool `spoolID` to `position`; run it in the transaction
    /// that commits the packets up to there. A position never moves back: a lower one leaves
    /// the stored one as it is (records behind it would otherwise be written twice).
    public static func advance(spoolID: String, to position: SpoolPosition) -> Statement {
        Statement(
            """
            INSERT INTO spool_progress (spool_id, record, items) VALUES ($1, $2, $3)
            ON CONFLICT (spool_id) DO UPDATE SET record = excluded.record, items = excluded.items, updated_at = now()
            WHERE (spool_progress.record, spool_progress.items) < (excluded.record, excluded.items)
            """, [spoolID, String(position.record), String(position.items)])
    }
}
