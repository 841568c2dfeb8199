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
