import Accounting
import Storage

/// What a merger holds while it leads: the leader's connection (which holds the advisory
/// lock and reads the log), its epoch, the coordinator's writer and the workers.
final class MergeLead {
    let connection: PostgresConnection
    private(set) var epoch: Int64
    /// Records the batch's Accounting-On/Off and moves the log positions (no cache: it locks
    /// what it changes).
    let coordinator: AccountingWriter
    let workers: [MergeWorker]

    init(connection: PostgresConnection, configuration: MergerConfiguration, connect: @escaping @Sendable () throws -> PostgresConnection) throws {
        self.connection = connection
        epoch = try MergeLeadership.beginEpoch(connection)
        coordinator = try AccountingWriter(connection: connection)
        let count = max(1, configuration.workers)
        workers = (0..<count).map {
            MergeWorker(name: "tg-merge-\($0)", cacheCapacity: max(1, configuration.cacheCapacity / count), connect: connect)
        }
    }

    /// The worker a session's packets go to: by tenant and User-Name, so a subscriber's
    /// sessions and usage rows belong to one worker.
    func share(of record: AccountingRecord) -> Int {
        var hasher = Hasher()
        hasher.combine(record.tenantID)
        // As the database keys sessions and usage: by the repaired User-Name.
        hasher.combine(SanitizedKey.clean(record.userName))
        return Int(UInt(bitPattern: hasher.finalize()) % UInt(workers.count))
    }

    /// Begins a new epoch: waits for merge transactions still in flight (a worker whose
    /// connection broke may still commit what it sent), and makes any that has not reached
    /// its fence fail it. Run before a failed batch is applied again.
    func renewEpoch() throws {
        epoch = try MergeLeadership.beginEpoch(connection)
    }

    func forgetCaches() {
        for worker in workers { worker.forgetCache() }
    }

    func stop() {
        for worker in workers { worker.stop() }
    }
}
