/// The open sessions of every tenant, for the platform's `/metrics` gauge. Read by the
/// collector's housekeeping across tenants (as the stale-session reaper works), so it runs
/// outside any tenant transaction.
public enum OpenSessions {
    /// How many sessions have had events and are not stopped, all tenants together.
    public static func count(_ connection: PostgresConnection) throws -> Int {
        let result = try connection.query("SELECT count(*) FROM sessions WHERE stopped_at IS NULL AND has_events")
        return Int(result.int64(row: 0, column: 0))
    }
}
