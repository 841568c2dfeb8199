import Foundation
import RadacctImport

/// What a run did: its counts (over every resumption), the source's layout and the totals
/// per subscriber that make the integrity report.
public struct RadacctImportResult: Sendable {
    public var run: RadacctImportStore.Run
    public var layout: RadacctLayout.Generation?
    public var totals: [RadacctSubscriberTotals]
    /// Rows read and seconds spent by this invocation (not the resumed part).
    public var rowsThisTime: Int64
    public var seconds: Double
    /// Connections that wrote at once: several while the import held the merge leadership,
    /// one while a collector led.
    public var writers: Int
}
