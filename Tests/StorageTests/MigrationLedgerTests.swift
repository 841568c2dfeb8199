import Storage
import TestSupport
import Testing

/// The ledger (schema_migrations) is how a database tells which versions it has: its rows and
/// their form stay what every earlier release wrote, so a database migrated by any of them is
/// recognised, and only versions it lacks are applied.
@Suite("Migration ledger: versions and names as earlier releases recorded them", .enabled(if: TestDatabase.available))
struct MigrationLedgerTests {
    /// Each version and its name, as written to the ledger since the version was first applied.
    static let recorded: [[String?]] = [
        ["1", "tenants, NAS devices, sessions, usage, raw packets"],
        ["2", "plans, subscribers, invoices"],
        ["3", "spool replay progress"],
        ["4", "API tokens"],
        ["5", "daily usage kept with the hourly buckets"],
        ["6", "session generations"],
        ["7", "NAS secret length and the Message-Authenticator requirement"],
        ["8", "installation id, the identity spools record"],
        ["9", "the packet log: append streams and their merge positions"],
        ["10", "NAS dynamic-authorization settings: CoA port, CoA secret, vendor profile"],
        ["11", "quota crossings, restrictions, top-ups and enforcement requests"],
        ["12", "webhooks: endpoints, the delivery outbox, attempts, NAS activity"],
        ["13", "console users, their sessions, the audit log of staff actions"],
        ["14", "console usage pages: a subscriber's days by subscriber, merge positions readable by tenants"],
        ["16", "the console's NAS health: enforcement requests by NAS, NAS reboots readable per tenant"],
        ["17", "usage per subscriber and billing cycle kept with the daily rows"],
        ["18", "datagrams dropped per NAS, reason and hour"],
        ["19", "radacct import: imported sessions, row keys, runs and their totals"],
    ]

    @Test("A fresh database records versions 1-14 and 16-19, in order, under their names")
    func freshLedger() throws {
        let (_, connection) = try TestDatabase.fresh()
        #expect(try connection.query("SELECT version, name FROM schema_migrations ORDER BY version").rows == Self.recorded)
        #expect(Migrator.latestVersion == 19)
        #expect(try Migrator.currentVersion(connection) == 19)
    }

    @Test("A database whose ledger an earlier release wrote is up to date: nothing runs")
    func earlierLedger() throws {
        let admin = try TestDatabase.connect()
        let name = "tg_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try admin.execute("CREATE DATABASE \(name)")
        let url = try #require(TestDatabase.url).replacingOccurrences(of: "postgresql:///postgres?", with: "postgresql:///\(name)?")
        let connection = try PostgresConnection(url: url)
        // The ledger exactly as earlier releases created and filled it, a day ago.
        try connection.execute(
            """
            CREATE TABLE schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        for row in Self.recorded {
            try connection.query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now() - interval '1 day')",
                [row[0]!, row[1]!])
        }
        #expect(try Migrator.migrate(connection) == [])
        #expect(try Migrator.currentVersion(connection) == 19)
        // Had any version run, its tables would be here beside the ledger.
        #expect(
            try connection.query("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')").rows
                == [["schema_migrations"]])
        #expect(try connection.query("SELECT count(*) FROM schema_migrations WHERE applied_at > now() - interval '1 hour'").rows == [["0"]])
    }
}
