import Foundation
import Storage

/// The first column of the first row of `sql` as a whole number: a `count(*)`, an id, a length.
///
/// A NULL, a missing row or a value that is not a whole number throws rather than standing in
/// as a number: 0 would satisfy the many expectations of "none stored", -1 would only show as
/// some other mismatch, and either would hide a query that no longer asks what it should.
public func count(_ connection: PostgresConnection, _ sql: String) throws -> Int {
    let result = try connection.query(sql)
    guard let text = result.value(row: 0, column: 0), let value = Int(text) else {
        throw NotACount(sql: sql, value: result.rowCount == 0 ? "no row" : result.value(row: 0, column: 0) ?? "NULL")
    }
    return value
}

/// A query given to `count` answered something other than a whole number.
public struct NotACount: Error, CustomStringConvertible {
    public var sql: String
    public var value: String
    public var description: String { "\(sql) answered \(value), not a whole number: check the query" }
}

/// Polls `condition` every 20 ms until it holds or `seconds` have passed; its last answer.
public func waitUntil(seconds: Double, _ condition: () throws -> Bool) throws -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}

/// An answered packet is in the packet log; its sessions and usage follow once the merger
/// has applied it. Waits until every logged packet is merged.
public struct MergeTimeout: Error, CustomStringConvertible {
    public var unmerged: Int
    public var description: String { "\(unmerged) logged packets still not merged" }
}

/// Waits (at most `seconds`) until the merger has applied every packet in the log.
public func waitForMerge(_ connection: PostgresConnection, seconds: Double = 30) throws {
    guard try waitUntil(seconds: seconds, { try PacketLog.unmergedCount(connection) == 0 }) else {
        throw MergeTimeout(unmerged: try PacketLog.unmergedCount(connection))
    }
}

/// `waitForMerge` on a connection of its own to `url`.
public func waitForMerge(url: String, seconds: Double = 30) throws {
    try waitForMerge(PostgresConnection(url: url), seconds: seconds)
}

/// Work on a thread of its own, started at once, whose result a test awaits later. For a
/// test's load and its timeline of blocking steps and sleeps ("kill the collector once 1,000
/// packets are stored", "stop the database for 20 s"): the Swift concurrency pool has one
/// thread per core and is shared by every test running at once, so work started there (an
/// `async let`, a `Task.sleep`) can begin or end minutes late while other tests block it,
/// and a step would land before or after the load it was meant to interrupt.
public final class ThreadTask<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: UncheckedBox<Result<T, any Error>>?
    private var waiting: CheckedContinuation<UncheckedBox<Result<T, any Error>>, Never>?

    public init(_ body: @escaping () throws -> T) {
        let box = UncheckedBox(body)
        let thread = Thread { [self] in finish(UncheckedBox(Result { try box.value() })) }
        thread.name = "test-thread-task"
        thread.start()
    }

    /// What the body returned or threw, once it has.
    public var value: T {
        get async throws {
            let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<UncheckedBox<Result<T, any Error>>, Never>) in
                let done: UncheckedBox<Result<T, any Error>>? = lock.withLock {
                    if result == nil { waiting = continuation }
                    return result
                }
                if let done { continuation.resume(returning: done) }
            }
            return try outcome.value.get()
        }
    }

    private func finish(_ outcome: UncheckedBox<Result<T, any Error>>) {
        let continuation: CheckedContinuation<UncheckedBox<Result<T, any Error>>, Never>? = lock.withLock {
            result = outcome
            defer { waiting = nil }
            return waiting
        }
        continuation?.resume(returning: outcome)
    }
}

/// Carries a value that is only ever used by one thread at a time across to another.
public struct UncheckedBox<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
