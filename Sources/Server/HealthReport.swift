import Collector
import Foundation
import Storage

/// What /healthz says about the collector.
///
/// - `unavailable` (HTTP 503): accounting is not answered, NAS devices should fail over
///   (Status-Server is not answered either): neither the database nor the spool can take a
///   batch, or the spool holds batches still being replayed (so new ones must go there too)
///   and cannot take more.
/// - `degraded` (200): accounting is answered, but the spool folder holds batches written for
///   another database, which wait for an operator (`tollgate spool`), or usage lags the answers
///   by more than `mergeLagLimit` (the merger is behind or no collector leads the merge).
/// - `spooling` (200): the database is away or the replay is catching up; batches are durable in the spool.
/// - `ok` (200).
public struct HealthReport: Sendable {
    public var accepting: Bool
    public var databaseUp: Bool
    public var spooling: Bool
    public var spoolBytes: Int
    /// Why the spool cannot take a batch, if it cannot.
    public var spoolRefusal: String?
    /// The database the collector writes to.
    public var database: DatabaseIdentity?
    public var foreign: [ForeignSpool]
    /// Age of the oldest answered packet whose usage is not visible yet, seconds.
    public var mergeLagSeconds: Double
    /// Whether this collector leads the merge (else another does, or none: see the lag).
    public var mergeLeader: Bool
    /// Lag past which the report says `degraded`, seconds.
    public static let mergeLagLimit = 60.0

    public init(
        accepting: Bool, databaseUp: Bool, spooling: Bool, spoolBytes: Int, spoolRefusal: String?, database: DatabaseIdentity?,
        foreign: [ForeignSpool], mergeLagSeconds: Double = 0, mergeLeader: Bool = false
    ) {
        self.mergeLagSeconds = mergeLagSeconds
        self.mergeLeader = mergeLeader
        self.accepting = accepting
        self.databaseUp = databaseUp
        self.spooling = spooling
        self.spoolBytes = spoolBytes
        self.spoolRefusal = spoolRefusal
        self.database = database
        self.foreign = foreign
    }

    public init(_ collector: Collector) {
        self.init(
            accepting: collector.isAccepting, databaseUp: collector.isHealthy, spooling: collector.isSpooling,
            spoolBytes: collector.metrics.spoolBytes.load(ordering: .relaxed), spoolRefusal: collector.spoolRefusal,
            database: collector.database, foreign: collector.foreignSpools,
            mergeLagSeconds: collector.metrics.mergeLagSeconds, mergeLeader: collector.merger?.isLeader ?? false)
    }

    public var status: String {
        if !accepting { return "unavailable" }
        if !foreign.isEmpty || mergeLagSeconds > Self.mergeLagLimit { return "degraded" }
        return spooling ? "spooling" : "ok"
    }

    public var httpStatus: Int { accepting ? 200 : 503 }

    /// The JSON body (keys sorted).
    public var json: String {
        var body: [String: Any] = ["status": status, "database": databaseUp ? "up" : "down", "spool_bytes": spoolBytes]
        if !accepting {
            body["reason"] =
                (spooling && databaseUp
                    ? "the spool holds batches still being replayed, so new ones go there too, and it cannot take a batch"
                    : "database not taking writes and the spool cannot take a batch") + (spoolRefusal.map { " (\($0))" } ?? "")
        }
        var spool: [String: Any] = [:]
        if let database { spool["database"] = Self.object(database) }
        if let spoolRefusal { spool["refusal"] = spoolRefusal }
        if !foreign.isEmpty {
            spool["foreign"] = foreign.map { other -> [String: Any] in
                var entry: [String: Any] = ["segments": other.segments, "bytes": other.bytes]
                if let database = other.database { entry["written_for"] = Self.object(database) } else { entry["written_for"] = NSNull() }
                return entry
            }
            spool["action"] =
                "tollgate spool status; tollgate spool replay --database-url URL (into the database they were written for) or tollgate spool set-aside"
        }
        body["spool"] = spool
        var merge: [String: Any] = ["lag_seconds": (mergeLagSeconds * 1000).rounded() / 1000, "leader": mergeLeader]
        if mergeLagSeconds > Self.mergeLagLimit {
            merge["reason"] =
                "usage lags the answers by more than \(Int(Self.mergeLagLimit)) s: the merger is behind, or no collector leads the merge"
        }
        body["merge"] = merge
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func object(_ identity: DatabaseIdentity) -> [String: Any] {
        [
            "installation_id": identity.installationID.uuidString.lowercased(), "system_identifier": String(identity.systemIdentifier),
            "database": identity.databaseName,
        ]
    }
}
