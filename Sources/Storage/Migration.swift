/// One schema version: its number, the name the ledger (schema_migrations) records for it,
/// and the SQL that makes it, run in one transaction by `Migrator`.
struct Migration: Sendable {
    let version: Int
    let name: String
    let sql: String

    /// `file`: the version's SQL file as SwiftPM embeds it (`PackageResources`), UTF-8.
    init(_ version: Int, _ name: String, _ file: [UInt8]) {
        self.version = version
        self.name = name
        self.sql = String(decoding: file, as: UTF8.self)
    }
}
