/// Something a radacct row does that live accounting never sees; the row is imported with the
/// adjustment each kind documents, and the integrity report counts the rows of each kind.
public enum RadacctQuirk: String, CaseIterable, Sendable, Codable, Comparable {
    /// No stop time (NULL): the session is imported open, up to its last update.
    case open = "open"
    /// Stop time `0000-00-00 00:00:00` (FreeRADIUS 1.x's NOT NULL default): imported open.
    case zeroStopTime = "zero-stop-time"
    /// Stop before start: the session is taken to end at start + session time.
    case stopBeforeStart = "stop-before-start"
    /// Session time more than five minutes shorter than stop - start: usage is still spread
    /// over start to stop (radacct keeps no interim history to say when it was used).
    case sessionTimeShort = "session-time-short"
    /// No start time: derived as stop - session time.
    case startDerived = "start-derived"
    /// NAS-Port-Id empty or NULL.
    case emptyPort = "empty-port"
    /// NASIPAddress 0.0.0.0 or empty: mapped only through the NAS map or NAS-Identifier.
    case unspecifiedNAS = "nas-0.0.0.0"
    /// Octet counters NULL: counted as 0.
    case nullCounters = "null-counters"
    /// Empty User-Name: kept as the subscriber "" (usage is never dropped).
    case emptyUserName = "empty-user-name"
    /// Gigawords columns folded into the octets (older layouts kept them apart).
    case gigawordsFolded = "gigawords-folded"
    /// Longer than 31 days: usage is spread over the last 31 days, as live accounting does.
    case spreadCapped = "spread-capped"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Why a radacct row was not imported.
public enum RadacctSkip: String, CaseIterable, Sendable, Codable, Comparable {
    /// Its NAS is none of the tenant's devices and not in the NAS map.
    case unknownNAS = "unknown-nas"
    /// A negative octet counter or session time: no usage can be derived from it.
    case negativeValues = "negative-values"
    /// Neither a start time nor a stop time with a session time.
    case noStartTime = "no-start-time"
    /// Values no session has: octets above 2^50 (a petabyte), a session time above ten
    /// years, times before 1980 or more than a day after the import, a key field longer
    /// than RADIUS allows (253 octets).
    case implausibleValues = "implausible-values"
    /// A number or time that does not read as one.
    case unreadable = "unreadable"
    /// Started outside `--since` / `--until`.
    case outsidePeriod = "outside-period"
    /// Imported before (same AcctUniqueId, or row key where it has none).
    case alreadyImported = "already-imported"
    /// The same session reached Tollgate's collector live (same NAS, Acct-Session-Id,
    /// User-Name and port, overlapping in time): counted once, from the live packets.
    case receivedLive = "received-live"
    /// A second row of the source with the same AcctUniqueId.
    case duplicateUniqueID = "duplicate-unique-id"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
