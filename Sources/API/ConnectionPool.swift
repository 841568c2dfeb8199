import Foundation
import NIOPosix
import Storage

/// Threads and the connections they use: each job takes a connection from the idle ones
/// (at most one per thread are kept) and returns it, unless the connection broke.
final class ConnectionPool: @unchecked Sendable {
    let url: String
    let threads: Int
    let statementTimeout: Int
    private let pool: NIOThreadPool
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []

    init(url: String, threads: Int, statementTimeout: Int) {
        self.url = url
        self.threads = max(1, threads)
        self.statementTimeout = statementTimeout
        pool = NIOThreadPool(numberOfThreads: self.threads)
        pool.start()
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await pool.runIfActive { [self] in
            let connection = try checkout()
            defer { checkin(connection) }
            return try body(connection)
        }
    }

    func runOnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }

    func shutdown() async throws {
        try await pool.shutdownGracefully()
        lock.withLock { idle.removeAll() }
    }

    func checkout() throws -> PostgresConnection {
        if let connection = lock.withLock({ idle.popLast() }), connection.isConnected { return connection }
        let connection = try PostgresConnection(url: url)
        try connection.execute("SET statement_timeout = \(statementTimeout)")
        return connection
    }

    func checkin(_ connection: PostgresConnection) {
        guard connection.isConnected else { return }
        // A request that failed mid-transaction must not leave it open for the next one.
        if connection.inTransaction { try? connection.execute("ROLLBACK") }
        lock.withLock { if idle.count < threads { idle.append(connection) } }
    }
}
