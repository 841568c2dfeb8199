import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Storage
import TestSupport

@testable import Console

/// A database of two tenants ("alpha" and "bravo"), console users of each role, and the
/// console's router; tests reach it through `StaffBrowser`, which signs in as a browser does.
final class StaffConsoleHarness: @unchecked Sendable {
    let url: String
    let connection: PostgresConnection
    let a: Tenant
    let b: Tenant
    let database: APIDatabase
    let router: Router<BasicRequestContext>
    let settings: ConsoleSettings

    /// Every user of the harness signs in with this.
    static let password = "correct horse battery staple"

    init(settings: ConsoleSettings = ConsoleSettings(), users: [(email: String, role: TokenRole, tenant: String?)] = []) throws {
        (url, connection) = try TestDatabase.fresh()
        let tenants = TenantStore(connection: connection)
        a = try tenants.create(slug: "alpha", name: "Alpha ISP", currency: "EUR", timeZone: "Europe/Vienna")
        b = try tenants.create(slug: "bravo", name: "Bravo ISP", currency: "EUR", timeZone: "Europe/Vienna")
        database = APIDatabase(url: url, threads: 4)
        self.settings = settings
        router = Router()
        var logger = Logger(label: "console-test")
        logger.logLevel = .error
        TollgateConsole(database: database, cipher: TestDatabase.cipher, settings: settings, logger: logger).register(on: router)
        // One hash for every user: bcrypt at cost 12 takes a while, and the users differ by email.
        let hash = try PasswordHasher.hash(Self.password)
        for user in users {
            _ = try ConsoleUserStore(connection: connection).create(
                tenant: user.tenant.map { $0 == "alpha" ? a : b }, email: user.email,
                role: user.role, passwordHash: hash)
        }
    }

    deinit {
        let database = self.database
        Task { try? await database.shutdown() }
    }

    /// The tenant of a slug of the harness.
    func tenant(_ slug: String) -> Tenant { slug == "alpha" ? a : b }

    func withBrowser<T: Sendable>(_ body: @Sendable (StaffBrowser) async throws -> T) async throws -> T {
        let app = Application(router: router)
        return try await app.test(.router) { client in try await body(StaffBrowser(client: client)) }
    }
}
