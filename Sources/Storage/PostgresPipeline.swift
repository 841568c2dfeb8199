import CLibPQ
import Glibc

/// Statements in flight on a connection in pipeline mode (see `PostgresConnection.withPipeline`).
public final class PostgresPipeline {
    let connection: PostgresConnection
    /// Statement counts of the groups sent and not yet read, oldest first.
    var groups: [Int] = []

    init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Sends a group of statements and a sync point; the server starts on them at once.
    public func send(_ statements: [Statement]) throws {
        for statement in statements { try connection.sendInPipeline(statement) }
        try connection.syncPipeline()
        groups.append(statements.count)
    }

    /// The results of the oldest group not yet read, in order. A failed statement is thrown
    /// after its group is drained (the statements after it in the group did not run).
    public func receive() throws -> [PostgresResult] {
        guard !groups.isEmpty else { return [] }
        let count = groups.removeFirst()
        return try connection.receiveFromPipeline(count: count)
    }
}
