/// What an import run did with the rows it read: kept with the run and summed over resumptions.
public struct RadacctImportCounts: Codable, Sendable, Equatable {
    public var rowsRead: Int64 = 0
    public var imported: Int64 = 0
    /// Rows not imported, by `RadacctSkip` raw value.
    public var skipped: [String: Int64] = [:]
    /// Imported rows of each `RadacctQuirk` kind (a row may have several).
    public var quirks: [String: Int64] = [:]
    /// Rows skipped as `unknown-nas`, by NASIPAddress (and NAS-Identifier when present).
    public var unknownNAS: [String: Int64] = [:]
    /// The first unreadable rows: where and why.
    public var unreadable: [String] = []

    /// At most this many unreadable rows are described; all are counted.
    public static let describedUnreadable = 20
    /// At most this many distinct unknown NAS are listed; all their rows are counted.
    public static let listedUnknownNAS = 1000

    public init() {}

    enum CodingKeys: String, CodingKey {
        case rowsRead = "rows_read"
        case imported, skipped, quirks
        case unknownNAS = "unknown_nas"
        case unreadable
    }

    /// Counts as a run recorded them; keys it did not record count nothing.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rowsRead = try container.decodeIfPresent(Int64.self, forKey: .rowsRead) ?? 0
        imported = try container.decodeIfPresent(Int64.self, forKey: .imported) ?? 0
        skipped = try container.decodeIfPresent([String: Int64].self, forKey: .skipped) ?? [:]
        quirks = try container.decodeIfPresent([String: Int64].self, forKey: .quirks) ?? [:]
        unknownNAS = try container.decodeIfPresent([String: Int64].self, forKey: .unknownNAS) ?? [:]
        unreadable = try container.decodeIfPresent([String].self, forKey: .unreadable) ?? []
    }

    /// Counts a row skipped before it reached the database.
    public mutating func skip(_ reason: RadacctSkip, nas: String? = nil, message: String? = nil) {
        skipped[reason.rawValue, default: 0] += 1
        if let nas, unknownNAS[nas] != nil || unknownNAS.count < Self.listedUnknownNAS { unknownNAS[nas, default: 0] += 1 }
        if let message, unreadable.count < Self.describedUnreadable { unreadable.append(message) }
    }

    /// Counts a batch's database verdicts (`import`, `resumed`: imported before an
    /// interruption of this run, or a skip reason) and the quirks of the rows imported.
    public mutating func add(verdicts: [String: Int], importedQuirks: [RadacctQuirk: Int64]) {
        for (verdict, count) in verdicts {
            if verdict == "import" || verdict == "resumed" { imported += Int64(count) } else { skipped[verdict, default: 0] += Int64(count) }
        }
        for (quirk, count) in importedQuirks { quirks[quirk.rawValue, default: 0] += count }
    }

    public var skippedTotal: Int64 { skipped.values.reduce(0, +) }
}

/// One subscriber's imported rows: the source's octets next to what its hourly usage got.
public struct RadacctSubscriberTotals: Codable, Sendable, Equatable {
    public var subscriber: String
    public var sessions: Int64
    public var sourceUpload: Int64
    public var sourceDownload: Int64
    public var importedUpload: Int64
    public var importedDownload: Int64
    public var importedSeconds: Int64

    public init(
        subscriber: String, sessions: Int64, sourceUpload: Int64, sourceDownload: Int64,
        importedUpload: Int64, importedDownload: Int64, importedSeconds: Int64
    ) {
        self.subscriber = subscriber
        self.sessions = sessions
        self.sourceUpload = sourceUpload
        self.sourceDownload = sourceDownload
        self.importedUpload = importedUpload
        self.importedDownload = importedDownload
        self.importedSeconds = importedSeconds
    }

    enum CodingKeys: String, CodingKey {
        case subscriber, sessions
        case sourceUpload = "source_upload_bytes"
        case sourceDownload = "source_download_bytes"
        case
            importedUpload = "imported_upload_bytes"
        case importedDownload = "imported_download_bytes"
        case
            importedSeconds = "imported_session_seconds"
    }

    /// Whether the hourly usage got exactly the source's octets.
    public var isEqual: Bool { sourceUpload == importedUpload && sourceDownload == importedDownload }
}

extension RadacctImportCounts {
    /// Adds what `other` counted (rows read, skips, unknown NAS, unreadable rows).
    public mutating func merge(_ other: RadacctImportCounts) {
        rowsRead += other.rowsRead
        imported += other.imported
        for (key, count) in other.skipped { skipped[key, default: 0] += count }
        for (key, count) in other.quirks { quirks[key, default: 0] += count }
        for (key, count) in other.unknownNAS where unknownNAS[key] != nil || unknownNAS.count < Self.listedUnknownNAS {
            unknownNAS[key, default: 0] += count
        }
        unreadable += other.unreadable.prefix(max(0, Self.describedUnreadable - unreadable.count))
    }
}
