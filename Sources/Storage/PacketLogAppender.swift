import Accounting

/// Appends to the packet log on one connection, as one stream. Use from one thread.
public final class PacketLogAppender {
    public let connection: PostgresConnection
    public let stream: Int64
    private var nextSeq: Int64 = 1

    public init(connection: PostgresConnection) throws {
        self.connection = connection
        stream = try PacketLog.openStream(connection)
    }

    /// Appends `entries` and commits durably (`alsoRun` goes into the same transaction: a
    /// spool replay moves its position there). Throws without committing anything on any
    /// failure; a commit whose answer was lost may still have happened: the caller keeps
    /// the packets (spools them), and merging them twice adds nothing.
    public func append(_ entries: [LogEntry], alsoRun: [Statement] = []) throws {
        let data = PacketLog.copyRows(entries, stream: stream, firstSeq: nextSeq)
        do {
            // Statements that observe the connection's response timeout (a plain exec would not).
            _ = try connection.pipeline([.begin, PostgresConnection.durableCommit])
            if !entries.isEmpty { try connection.copyIn(PacketLog.copySQL, data) }
            if alsoRun.isEmpty {
                try connection.query("COMMIT")
            } else {
                _ = try connection.pipeline(alsoRun + [.commit])
            }
            nextSeq += Int64(entries.count)
        } catch {
            if connection.isConnected && connection.inTransaction { try? connection.execute("ROLLBACK") }
            throw error
        }
    }
}
