import Foundation

/// Which database a collector writes to, as a spool records it: a spool is replayed only
/// into the database whose identity it carries.
///
/// Three parts, each catching another way of being pointed elsewhere:
/// - `installationID`: a UUID created by migration 8 and kept in the one-row table
///   `installation`. Another tollgate database has another one, so one ISP's spool can
///   never reach another's. A logical copy (pg_dump and restore) carries it along.
/// - `systemIdentifier`: the cluster's identifier from `pg_control_system()`, set by
///   initdb. A physical copy (base backup, restore, a promoted standby) keeps it, so a
///   failover or a restore of the same database still counts as the same; a dump restored
///   into another cluster (a staging copy, a migration, pg_upgrade) does not.
/// - `databaseName`: a copy made inside the same cluster (CREATE DATABASE ... TEMPLATE,
///   a dump restored under another name) differs here.
///
/// Same installation but another cluster or name is a *copy*: never replayed into
/// automatically, but `tollgate spool replay --allow-copy` may replay into it (a migration).
public struct DatabaseIdentity: Hashable, Sendable, CustomStringConvertible {
    public var installationID: UUID
    public var systemIdentifier: Int64
    public var databaseName: String

    public init(installationID: UUID, systemIdentifier: Int64, databaseName: String) {
        self.installationID = installationID
        self.systemIdentifier = systemIdentifier
        self.databaseName = databaseName
    }

    /// Whether `other` is this database or a copy of it (the same installation).
    public func isSameInstallation(as other: DatabaseIdentity) -> Bool { installationID == other.installationID }

    public var description: String {
        "installation \(installationID.uuidString.lowercased()), cluster \(systemIdentifier), database \(databaseName)"
    }

    /// The identity of the database `connection` is connected to.
    public static func read(_ connection: PostgresConnection) throws -> DatabaseIdentity {
        let exists = try connection.query("SELECT to_regclass('installation') IS NOT NULL").value(row: 0, column: 0) == "t"
        guard exists else {
            throw PostgresError(.result, message: "the database has no installation id (schema older than version 8): run `tollgate migrate`")
        }
        let result = try connection.query(
            """
            SELECT i.id::text AS installation_id, s.system_identifier::text AS system_identifier, current_database() AS database
            FROM installation i, pg_control_system() s
            """)
        let c = try result.columns("installation_id", "system_identifier", "database")
        guard result.rowCount == 1, let id = result.value(row: 0, column: c[0]).flatMap(UUID.init(uuidString:)),
            let system = result.value(row: 0, column: c[1]).flatMap({ Int64($0) }), let name = result.value(row: 0, column: c[2])
        else {
            throw PostgresError(.result, message: "the table installation must hold exactly one row: restore it from a backup of this database")
        }
        return DatabaseIdentity(installationID: id, systemIdentifier: system, databaseName: name)
    }
}
