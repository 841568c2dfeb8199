/// One SQL statement with its text parameters, as sent in a pipeline or a transaction's
/// extra work (`alsoRun`). A statement whose result the sender reads back carries a `tag`:
/// results are matched to what they answer by it, never by the SQL text or a position that
/// an added statement would shift.
public struct Statement: Sendable {
    public var sql: String
    public var parameters: [String?]
    /// What the statement does, for the few whose results are read; nil for the others.
    var tag: Tag?

    public init(_ sql: String, _ parameters: [String?] = []) {
        self.sql = sql
        self.parameters = parameters
    }

    init(_ sql: String, _ parameters: [String?] = [], tag: Tag) {
        self.sql = sql
        self.parameters = parameters
        self.tag = tag
    }

    /// The statements whose results a store reads back from a pipeline.
    enum Tag: Hashable, Sendable {
        /// Accounting-On/Off closes a NAS's open sessions: how many it closed.
        case closeSessionsOfNAS
        /// The batch's hourly usage upsert: how many buckets it changed.
        case addHourlyUsage
        /// New session generations: their row ids (`RETURNING`), for the session cache.
        case insertSessions
        /// An invoice run's draft upsert: how many drafts it wrote.
        case upsertDrafts
        /// An invoice run's removal of drafts nobody is billed for any more.
        case removeDrafts
    }

    static let begin = Statement("BEGIN")
    static let commit = Statement("COMMIT")
}
