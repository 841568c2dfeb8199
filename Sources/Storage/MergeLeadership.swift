import Accounting

/// The merge leadership of a database: a session advisory lock ("TGMG"), held by the
/// merger's connection while it lives and released by PostgreSQL when it ends.
public enum MergeLeadership {
    static let lockClass: Int32 = 0x5447_4D47

    /// Takes the leadership on `connection` if no other connection holds it.
    public static func tryAcquire(_ connection: PostgresConnection) throws -> Bool {
        try connection.query("SELECT pg_try_advisory_lock($1, 0)", [String(lockClass)]).value(row: 0, column: 0) == "t"
    }

    /// Begins this leader's epoch and returns it. Waits for merge transactions of an earlier
    /// leader still in flight; from then on theirs fail their fence.
    public static func beginEpoch(_ connection: PostgresConnection) throws -> Int64 {
        try connection.query("UPDATE merge_leadership SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch").int64(row: 0, column: 0)
    }

    /// The statement that fails the transaction it runs in unless `epoch` is still the
    /// leader's; every merge transaction runs it.
    public static func fence(_ epoch: Int64) -> Statement {
        Statement("SELECT merge_fence($1)", [String(epoch)])
    }

    /// Gives the leadership up (a merger that stops while its connection stays open).
    public static func release(_ connection: PostgresConnection) throws {
        try connection.query("SELECT pg_advisory_unlock($1, 0)", [String(lockClass)])
    }
}
