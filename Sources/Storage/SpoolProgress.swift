/// Where the replay of one collector's spool stands: the spool record and how many of its
/// packets are committed. Kept in the database so that it moves in the same transaction
/// as the packets it describes.
public struct SpoolPosition: Hashable, Comparable, Sendable {
    /// Sequence number of the record (records are numbered from 1).
    public var record: Int64
    /// Packets of that record committed; a record is done when this equals its count.
    public var items: Int

    public init(record: Int64, items: Int) {
        self.record = record
        self.items = items
    }

    public static let start = SpoolPosition(record: 0, items: 0)

    public static func < (a: SpoolPosition, b: SpoolPosition) -> Bool { (a.record, a.items) < (b.record, b.items) }
}

/// Reads and moves a spool's replay position.
public enum SpoolProgress {
    /// The committed position of spool `spoolID` (a UUID), `.start` when it has none.
    public static func position(_ connection: PostgresConnection, spoolID: String) throws -> SpoolPosition {
        let result = try connection.query("SELECT record, items FROM spool_progress WHERE spool_id = $1", [spoolID])
        guard result.rowCount == 1 else { return .start }
        return SpoolPosition(record: result.int64(row: 0, column: 0), items: Int(result.int64(row: 0, column: 1)))
    }

    /// The statement that moves spool `spoolID` to `position`; run it in the transaction
    /// that commits the packets up to there. A position never moves back: a lower one leaves
    /// the stored one as it is (records behind it would otherwise be written twice).
    public static func advance(spoolID: String, to position: SpoolPosition) -> (sql: String, parameters: [String?]) {
        ("""
            INSERT INTO spool_progress (spool_id, record, items) VALUES ($1, $2, $3)
            ON CONFLICT (spool_id) DO UPDATE SET record = excluded.record, items = excluded.items, updated_at = now()
            WHERE (spool_progress.record, spool_progress.items) < (excluded.record, excluded.items)
            """, [spoolID, String(position.record), String(position.items)])
    }
}
