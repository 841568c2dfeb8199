// The schema the migrations build, compared with the committed Snapshots/schema.sql beside
// this file: any change to the schema, meant or not, shows up here as a diff to review.
//
// After adding a migration (or when the test fails for a change that is meant), regenerate the
// snapshot and commit it with the migration:
//
//     scripts/schema-snapshot
//
// which runs this suite with TOLLGATE_UPDATE_SCHEMA_SNAPSHOT=1 under scripts/test: the test then
// writes the file instead of comparing. Review `git diff Tests/StorageTests/Snapshots` before
// committing; it should show exactly what the new migration means to change.
import Foundation
import TestSupport
import Testing

@Suite("Schema snapshot: pg_dump of a migrated database", .enabled(if: TestDatabase.available))
struct SchemaSnapshotTests {
    static let snapshotPath: String = {
        let directory = String(#filePath[..<#filePath.lastIndex(of: "/")!])
        return directory + "/Snapshots/schema.sql"
    }()

    static var updating: Bool { ProcessInfo.processInfo.environment["TOLLGATE_UPDATE_SCHEMA_SNAPSHOT"] == "1" }

    @Test("A freshly migrated database's schema is Snapshots/schema.sql, line for line")
    func schemaMatchesSnapshot() throws {
        let (url, _) = try TestDatabase.fresh()
        // postgresql:///NAME?host=...: the database's name, which the dump must not depend on.
        let database = String(url.dropFirst("postgresql:///".count).prefix { $0 != "?" })
        let schema = try SchemaDump.schema(url: url, database: database)
        // The dump is of the migrated database, not of an empty one: the ledger and the last
        // migration's tables are in it.
        #expect(schema.contains("CREATE TABLE public.schema_migrations ("))
        #expect(schema.contains("CREATE TABLE public.radacct_import_totals ("))

        if Self.updating {
            try schema.write(toFile: Self.snapshotPath, atomically: true, encoding: .utf8)
            print("wrote \(Self.snapshotPath) (\(schema.split(separator: "\n").count) lines)")
            return
        }
        guard let snapshot = FileManager.default.contents(atPath: Self.snapshotPath) else {
            Issue.record("\(Self.snapshotPath) is missing: create it with scripts/schema-snapshot")
            return
        }
        let expected = String(decoding: snapshot, as: UTF8.self)
        guard let diff = LineDiff(expected: lines(expected), actual: lines(schema)) else { return }
        Issue.record(
            """
            the migrated schema differs from the snapshot (first difference below). If the change \
            is meant, regenerate the snapshot with scripts/schema-snapshot and commit it with the \
            migration.
            \(diff.unified(expectedName: "Tests/StorageTests/Snapshots/schema.sql", actualName: "pg_dump of a migrated database"))
            """)
    }

    private func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
