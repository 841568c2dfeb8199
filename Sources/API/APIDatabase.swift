import Foundation
import NIOPosix
import Storage

/// Runs the API's database work on threads of its own, never on the event loops or the
/// Swift concurrency pool: libpq calls block. Each job takes a connection from a small pool
/// (one per thread at most) and returns it, unless the connection broke.
public final class APIDatabase: @unchecked Sendable {
    let url: String
    let threads: Int
    private let pool: NIOThreadPool
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    /// Longest a statement of an API request may run, milliseconds.
    let statementTimeout: Int

    public init(url: String, threads: Int = 8, statementTimeout: Int = 30_000) {
        self.url = url
        self.threads = threads
        self.statementTimeout = statementTimeout
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    /// Runs `body` with a connection on a pool thread.
    public func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await pool.runIfActive { [self] in
            let connection = try checkout()
            defer { checkin(connection) }
            return try body(connection)
        }
    }

    public func shutdown() async throws {
        try await pool.shutdownGracefully()
        lock.withLock { idle.removeAll() }
    }

    private func checkout() throws -> PostgresConnection {
        if let connection = lock.withLock({ idle.popLast() }), connection.isConnected { return connection }
        let connection = try PostgresConnection(url: url)
        try connection.execute("SET statement_timeout = \(statementTimeout)")
        return connection
    }

    private func checkin(_ connection: PostgresConnection) {
        guard connection.isConnected else { return }
        // A request that failed mid-transaction must not leave it open for the next one.
        if connection.inTransaction { try? connection.execute("ROLLBACK") }
        lock.withLock { if idle.count < threads { idle.append(connection) } }
    }
}
