import Storage

/// Which segments of a spool folder a `Spool` reads and replays: those written for one
/// database. Every other segment is left exactly as it is.
public struct SpoolClaim: Sendable {
    /// The database the spool's new segments are written for and whose segments it reads.
    public var database: DatabaseIdentity
    /// Whether segments from before identities were recorded (no header) count as this
    /// database's. A collector adopts them: they can only have been written for the database
    /// it used before this version, which is the one it is configured with unless an operator
    /// re-pointed it during the upgrade.
    public var adoptsUnidentified: Bool
    /// Whether segments of a copy of this database (same installation id, another cluster or
    /// name: a dump restored elsewhere, pg_upgrade) are read too. Only an operator asks for it.
    public var acceptsCopies: Bool

    /// What a collector claims: its database's segments and unidentified ones.
    public static func collector(_ database: DatabaseIdentity) -> SpoolClaim {
        SpoolClaim(database: database, adoptsUnidentified: true, acceptsCopies: false)
    }

    /// What `tollgate spool replay` claims: segments written for `database` (or, with
    /// `allowCopies`, for a database it is a copy of); never unidentified ones.
    public static func replay(into database: DatabaseIdentity, allowCopies: Bool) -> SpoolClaim {
        SpoolClaim(database: database, adoptsUnidentified: false, acceptsCopies: allowCopies)
    }

    /// Whether a segment with `header` (nil: written before identities) is claimed.
    public func claims(_ header: SegmentHeader?) -> Bool {
        guard let header else { return adoptsUnidentified }
        return header.database == database || (acceptsCopies && header.database.isSameInstallation(as: database))
    }
}

/// Segments in a spool folder written for another database than the one it is used with.
public struct ForeignSpool: Hashable, Sendable {
    /// The database they were written for; nil when written before identities were recorded.
    public var database: DatabaseIdentity?
    public var segments: Int
    public var bytes: Int

    public init(database: DatabaseIdentity?, segments: Int, bytes: Int) {
        self.database = database
        self.segments = segments
        self.bytes = bytes
    }
}
