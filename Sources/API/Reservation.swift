import Foundation
import Storage

/// A connection held by one multi-step job; one step uses it at a time.
///
/// One that is dropped unfinished (a response body never written because the client went
/// away first) gives its slot back and closes its connection, which rolls back whatever the
/// job had open.
final class Reservation: @unchecked Sendable {
    let tenant: Int64
    let connection: PostgresConnection
    private let lock = NSLock()
    private var finished = false
    private let releaseSlot: @Sendable () -> Void

    init(tenant: Int64, connection: PostgresConnection, releaseSlot: @escaping @Sendable () -> Void) {
        self.tenant = tenant
        self.connection = connection
        self.releaseSlot = releaseSlot
    }

    /// True the first time only: the caller then returns the connection and the slot.
    func markFinished() -> Bool {
        lock.withLock {
            defer { finished = true }
            return !finished
        }
    }

    deinit {
        if markFinished() { releaseSlot() }
    }
}
