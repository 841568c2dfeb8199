import Foundation
import RadacctImport

/// What `tollgate import radacct` was asked to do.
public struct RadacctImportOptions: Sendable {
    public var tenantID: Int64
    /// The zone of times written without an offset (MySQL datetime, PostgreSQL timestamp).
    public var timeZone: TimeZone
    /// Only rows that started at or after `since` and before `until` (seconds since 1970).
    public var since: Int64?
    public var until: Int64?
    public var nasMap: [RadacctNASMapEntry]
    /// Every batch is checked against the database and rolled back.
    public var dryRun: Bool
    /// Rows per batch.
    public var batchSize: Int
    /// Take up an unfinished run of the same source and options.
    public var resume: Bool
    /// Connections writing parts of each batch at once, when no collector leads the merge.
    public var writers: Int

    public init(
        tenantID: Int64, timeZone: TimeZone, since: Int64? = nil, until: Int64? = nil, nasMap: [RadacctNASMapEntry] = [],
        dryRun: Bool = false, batchSize: Int = 10_000, resume: Bool = true, writers: Int = 2
    ) {
        self.tenantID = tenantID
        self.timeZone = timeZone
        self.since = since
        self.until = until
        self.nasMap = nasMap
        self.dryRun = dryRun
        self.batchSize = batchSize
        self.resume = resume
        self.writers = writers
    }
}
