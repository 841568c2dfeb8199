import Hummingbird

/// The chunks of a streaming CSV export, read by one step at a time of its reservation.
final class CSVExport: @unchecked Sendable {
    /// Rows fetched and sent at once.
    static let chunkRows = 1000
    let next: (Int) throws -> ByteBuffer?

    init(next: @escaping (Int) throws -> ByteBuffer?) {
        self.next = next
    }
}
