import Foundation

extension PostgresConnection {
    /// Makes every COMMIT on this connection wait until it is durable, whatever the server,
    /// database or role is configured with (`synchronous_commit = off` would let an answered
    /// packet vanish in a server crash). A stronger setting (`remote_apply`) is kept.
    /// Behind a pooler in transaction mode a session setting does not stay with the client:
    /// write transactions also run `durableCommit`.
    public func requireDurableCommits() throws {
        try query(Self.durableCommitSQL(local: false))
    }

    /// The statement that makes the COMMIT of the transaction it runs in durable (as
    /// `requireDurableCommits`, for this transaction only): it holds behind a pooler in
    /// transaction mode (PgBouncer), where the server session, and whatever another client
    /// set on it, changes from one transaction to the next. Run it before COMMIT.
    public static let durableCommit = Statement(durableCommitSQL(local: true))

    private static func durableCommitSQL(local: Bool) -> String {
        """
        SELECT set_config('synchronous_commit',
                          CASE current_setting('synchronous_commit') WHEN 'remote_apply' THEN 'remote_apply' ELSE 'on' END, \(local))
        """
    }

    /// Throws unless this session can write: a hot standby (the same identity as its primary)
    /// or a database, role or server set to `default_transaction_read_only` answers every
    /// read but refuses every write. Thrown as SQLSTATE 25006, as such a write would fail.
    public func requireWritable() throws {
        let result = try query("SELECT pg_is_in_recovery() AS in_recovery, current_setting('transaction_read_only') AS read_only")
        let c = try result.columns("in_recovery", "read_only")
        let inRecovery = result.value(row: 0, column: c[0]) == "t"
        guard !inRecovery, result.value(row: 0, column: c[1]) == "off" else {
            throw PostgresError(
                .statement, sqlState: SQLState.readOnlyTransaction,
                message: inRecovery
                    ? "the database is a standby in recovery and refuses writes; point the collector at the primary"
                    : "the database refuses writes (transaction_read_only is on: see default_transaction_read_only of the server, database or role)")
        }
    }
}
