import Storage
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The private PostgreSQL that `scripts/test` starts, handed over in TOLLGATE_TEST_DATABASE_URL.
///
/// Without it the integration tests are skipped when run by hand, but fail under
/// `scripts/test` (TOLLGATE_TEST_REQUIRE_DATABASE=1), so CI can never pass without them.
enum TestDatabase {
    static var url: String? { getenv("TOLLGATE_TEST_DATABASE_URL").map { String(cString: $0) } }
    static var required: Bool { getenv("TOLLGATE_TEST_REQUIRE_DATABASE").map { String(cString: $0) == "1" } ?? false }
    static var available: Bool { url != nil || required }

    static func connect() throws -> PostgresConnection {
        guard let url else {
            throw PostgresError(.connection, message: "TOLLGATE_TEST_DATABASE_URL is not set: run the tests with scripts/test")
        }
        return try PostgresConnection(url: url)
    }
}
