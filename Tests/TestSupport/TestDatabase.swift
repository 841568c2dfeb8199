import Foundation
import Storage

#if canImport(Glibc)
    import Glibc
#endif

/// The private PostgreSQL that `scripts/test` starts, handed over in TOLLGATE_TEST_DATABASE_URL.
///
/// Without it the integration tests are skipped when run by hand, but fail under
/// `scripts/test` (TOLLGATE_TEST_REQUIRE_DATABASE=1), so CI can never pass without them.
public enum TestDatabase {
    public static var url: String? { getenv("TOLLGATE_TEST_DATABASE_URL").map { String(cString: $0) } }
    public static var required: Bool { getenv("TOLLGATE_TEST_REQUIRE_DATABASE").map { String(cString: $0) == "1" } ?? false }
    public static var available: Bool { url != nil || required }

    /// A new, migrated database of its own, so suites never see each other's rows.
    public static func fresh() throws -> (url: String, connection: PostgresConnection) {
        let admin = try connect()
        let name = "tg_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try admin.execute("CREATE DATABASE \(name)")
        guard let base = url else { throw PostgresError(.connection, message: "no test database") }
        let databaseURL = base.replacingOccurrences(of: "postgresql:///postgres?", with: "postgresql:///\(name)?")
        let connection = try PostgresConnection(url: databaseURL)
        try Migrator.migrate(connection)
        return (databaseURL, connection)
    }

    public static let cipher = try! SecretCipher(hexKey: String(repeating: "ab", count: 32))

    public static func connect() throws -> PostgresConnection {
        guard let url else {
            throw PostgresError(.connection, message: "TOLLGATE_TEST_DATABASE_URL is not set: run the tests with scripts/test")
        }
        return try PostgresConnection(url: url)
    }
}
