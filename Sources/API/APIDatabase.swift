import Foundation
import NIOPosix
import Storage
import Synchronization

/// Runs the API's database work on threads of its own, never on the event loops or the
/// Swift concurrency pool: libpq calls block.
///
/// Two pools: token checks run on a small one of their own, so that report queries can never
/// keep a request from being authenticated; everything else runs on the work pool, at most
/// `tenantConcurrency` jobs per tenant at once (the rest wait, then 429), so that one tenant's
/// exports cannot take every work thread from the others.
public final class APIDatabase: @unchecked Sendable {
    let url: String
    let work: ConnectionPool
    let auth: ConnectionPool
    /// Deliberately slow password checks (bcrypt) of the console's sign-in: threads of their
    /// own, so that a burst of sign-ins delays neither token checks nor reports.
    let passwords: NIOThreadPool
    /// Password checks running or waiting; beyond `passwordQueueLimit` a sign-in is refused
    /// at once rather than waiting behind a burst.
    private let passwordChecks = Atomic<Int>(0)
    static let passwordThreads = 2
    static let passwordQueueLimit = 32
    let limiter: TenantLimiter

    /// - Parameters:
    ///   - threads: work pool threads (and idle connections kept).
    ///   - authThreads: token-check threads.
    ///   - tenantConcurrency: most database jobs of one tenant at once (a streaming export
    ///     counts as one for as long as it streams).
    ///   - queueWait: longest a job over the limit waits for a slot before 429.
    ///   - statementTimeout: longest a statement of an API request may run, milliseconds.
    public init(
        url: String, threads: Int = 8, authThreads: Int = 2, tenantConcurrency: Int = 4,
        queueWait: Duration = .seconds(10), statementTimeout: Int = 30_000
    ) {
        self.url = url
        work = ConnectionPool(url: url, threads: threads, statementTimeout: statementTimeout)
        auth = ConnectionPool(url: url, threads: authThreads, statementTimeout: statementTimeout)
        passwords = NIOThreadPool(numberOfThreads: Self.passwordThreads)
        passwords.start()
        limiter = TenantLimiter(limit: tenantConcurrency, maxWait: queueWait)
    }

    /// Runs a password hash check (CPU-bound, no connection) on the password threads; throws
    /// `PasswordChecksBusy` when `passwordQueueLimit` checks are already running or waiting.
    public func checkPassword<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        guard passwordChecks.add(1, ordering: .relaxed).newValue <= Self.passwordQueueLimit else {
            passwordChecks.subtract(1, ordering: .relaxed)
            throw PasswordChecksBusy()
        }
        defer { passwordChecks.subtract(1, ordering: .relaxed) }
        return try await passwords.runIfActive(body)
    }

    /// Runs `body` with a connection on a work thread, within `tenant`'s limit (0: the
    /// platform's own work).
    public func run<T: Sendable>(tenant: Int64, _ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await limiter.acquire(tenant)
        defer { limiter.release(tenant) }
        return try await work.run(body)
    }

    /// Runs a token check on the token pool.
    public func authenticate<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await auth.run(body)
    }

    /// Takes a connection and a slot of `tenant` for a job of many steps (a streaming export),
    /// until `finish`.
    func reserve(tenant: Int64) async throws -> Reservation {
        try await limiter.acquire(tenant)
        do {
            let limiter = self.limiter
            return try await work.runOnThread { [work] in
                Reservation(tenant: tenant, connection: try work.checkout()) { limiter.release(tenant) }
            }
        } catch {
            limiter.release(tenant)
            throw error
        }
    }

    /// Runs one step of a reserved job on a work thread.
    func run<T: Sendable>(_ reservation: Reservation, _ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await work.runOnThread { try body(reservation.connection) }
    }

    /// Returns a reservation's connection (rolled back) and slot.
    func finish(_ reservation: Reservation) async {
        guard reservation.markFinished() else { return }
        _ = try? await work.runOnThread { [work] in work.checkin(reservation.connection) }
        limiter.release(reservation.tenant)
    }

    public func shutdown() async throws {
        try await work.shutdown()
        try await auth.shutdown()
        try await passwords.shutdownGracefully()
    }
}
