import Foundation
import Storage
import Synchronization

/// Makes the collector's database unreachable on demand: new connections are refused and
/// `begin` ends the open ones, as a database restart does.
public final class OutageSwitch: Sendable {
    public let down = Atomic<Bool>(false)

    public init() {}

    public func begin(_ connection: PostgresConnection) throws {
        down.store(true, ordering: .relaxed)
        // Twice: a connection being made while the switch turned is ended the second time.
        for _ in 0..<2 {
            try connection.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
            usleep(200_000)
        }
    }

    public func end() { down.store(false, ordering: .relaxed) }

    public func connect(_ url: String) throws -> PostgresConnection {
        if down.load(ordering: .relaxed) { throw PostgresError(.connection, message: "database down (test outage)") }
        return try PostgresConnection(url: url)
    }
}
