/// Applies the schema migrations that a database has not seen yet, each in its own
/// transaction, under an advisory lock so that several collectors starting at once do not
/// race.
public enum Migrator {
    /// The newest schema version this build knows.
    public static var latestVersion: Int { Migrations.all.last?.version ?? 0 }

    /// Applies pending migrations; returns the versions applied.
    @discardableResult
    public static func migrate(_ connection: PostgresConnection) throws -> [Int] {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        return try connection.transaction { connection in
            // Key: "tollgate" in ASCII, so unrelated advisory locks do not collide.
            try connection.execute("SELECT pg_advisory_xact_lock(7308604897068083557)")
            let applied = Set(try connection.query("SELECT version FROM schema_migrations").rows.compactMap { $0[0].flatMap { Int($0) } })
            if let newest = applied.max(), newest > latestVersion {
                throw PostgresError(
                    .result, message: "the database schema is version \(newest), newer than this build's \(latestVersion): upgrade tollgate")
            }
            var done: [Int] = []
            for migration in Migrations.all where !applied.contains(migration.version) {
                try connection.execute(migration.sql)
                try connection.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [String(migration.version), migration.name])
                done.append(migration.version)
            }
            return done
        }
    }

    /// The schema version of the database (0 when never migrated).
    public static func currentVersion(_ connection: PostgresConnection) throws -> Int {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL").value(row: 0, column: 0) == "t"
        guard exists else { return 0 }
        return Int(try connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations").value(row: 0, column: 0) ?? "0") ?? 0
    }
}
