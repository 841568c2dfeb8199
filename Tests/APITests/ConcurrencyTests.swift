import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Storage
import TestSupport
import Testing

@testable import API

@Suite("Per-tenant database limits")
struct TenantSlotsTests {
    @Test("At most `limit` jobs per tenant run; the rest wait in arrival order; other tenants are not affected")
    func slots() {
        var slots = TenantSlots(limit: 2)
        let first = [slots.acquire(1, ticket: 1), slots.acquire(1, ticket: 2), slots.acquire(1, ticket: 3), slots.acquire(1, ticket: 4)]
        #expect(first == [true, true, false, false], "two run, two wait")
        let other = slots.acquire(2, ticket: 5)
        #expect(other, "tenant 2 has slots of its own")
        #expect(slots.runningCount(1) == 2 && slots.waitingCount(1) == 2)
        let handedOver = slots.release(1)
        #expect(handedOver == 3, "the first waiting job gets the slot")
        let gaveUp = slots.abandon(1, ticket: 4)
        let tooLate = slots.abandon(1, ticket: 3)
        #expect(gaveUp, "a waiting job may give up")
        #expect(!tooLate, "one that already has a slot cannot")
        let freed = [slots.release(1), slots.release(1)]
        #expect(freed == [nil, nil])
        #expect(slots.runningCount(1) == 0 && slots.waitingCount(1) == 0)
        let again = slots.acquire(1, ticket: 6)
        #expect(again, "free again")
    }
}

/// Blocks database jobs until the test lets them go, so saturation is a state, not a race.
final class Gate: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var entered = 0

    func pass() {
        lock.withLock { entered += 1 }
        semaphore.wait()
    }

    var waiting: Int { lock.withLock { entered } }

    func open(_ count: Int) { for _ in 0..<count { semaphore.signal() } }
}

/// Collects what finished, in order.
actor Order {
    var events: [String] = []
    func add(_ event: String) { events.append(event) }
}

@Suite("Database work under load", .enabled(if: TestDatabase.available), .serialized)
struct LoadTests {
    @Test("Tenant A's saturated report work holds neither token checks nor tenant B; A's excess waits, then is 429")
    func saturation() async throws {
        let world = try APIWorld()
        // A long queue wait: on a busy machine the test itself may take many seconds between steps.
        let database = APIDatabase(url: world.url, threads: 6, authThreads: 1, tenantConcurrency: 2, queueWait: .seconds(300))
        let gate = Gate()
        let order = Order()
        let a = world.a.id
        let b = world.b.id
        // Two of A's jobs take A's slots and block; two more queue behind them.
        var blocked: [Task<Void, any Error>] = []
        for i in 0..<4 {
            blocked.append(
                Task {
                    try await database.run(tenant: a) { connection in
                        _ = try connection.query("SELECT 1")
                        gate.pass()
                    }
                    await order.add("a\(i)")
                })
        }
        while gate.waiting < 2 || database.limiter.load(a).waiting < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(database.limiter.load(a) == (running: 2, waiting: 2))
        #expect(gate.waiting == 2, "only two of A's jobs reached the database")

        // A token check and tenant B's work finish while A is held.
        let token = world.token("alpha.readonly")
        let principal = try await database.authenticate { connection in try TokenStore(connection: connection).authenticate(token) }
        await order.add("token")
        #expect(principal?.tenant?.id == a)
        let bCount = try await database.run(tenant: b) { connection in
            try connection.tenantTransaction(b) { try $0.query("SELECT count(*) FROM nas_devices").value(row: 0, column: 0) }
        }
        await order.add("b")
        #expect(bCount == "1")

        gate.open(4)
        for task in blocked { try await task.value }
        let events = await order.events
        #expect(Array(events.prefix(2)) == ["token", "b"], "\(events)")
        #expect(Set(events.dropFirst(2)) == ["a0", "a1", "a2", "a3"], "\(events)")
        #expect(database.limiter.load(a) == (running: 0, waiting: 0))
        try await database.shutdown()
    }

    @Test("A request over its tenant's limit that waits too long is 429 with Retry-After")
    func busy() async throws {
        let world = try APIWorld()
        let database = APIDatabase(url: world.url, threads: 4, authThreads: 1, tenantConcurrency: 1, queueWait: .milliseconds(200))
        let gate = Gate()
        let held = Task { try await database.run(tenant: world.a.id) { _ in gate.pass() } }
        while gate.waiting < 1 { try await Task.sleep(for: .milliseconds(10)) }
        let router = Router()
        var logger = Logger(label: "api-test")
        logger.logLevel = .critical
        TollgateAPI(database: database, cipher: TestDatabase.cipher, logger: logger).register(on: router)
        let app = Application(router: router)
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/nas", method: .get, headers: [.authorization: "Bearer \(world.token("alpha.operator"))"])
            #expect(response.status == .tooManyRequests)
            #expect(response.headers[.retryAfter] == "1")
            #expect(String(buffer: response.body).contains("\"busy\""))
            // B is not refused meanwhile.
            let other = try await client.execute(uri: "/v1/nas", method: .get, headers: [.authorization: "Bearer \(world.token("bravo.operator"))"])
            #expect(other.status == .ok)
        }
        gate.open(1)
        try await held.value
        try await database.shutdown()
    }

    @Test("A known path with a method it does not have is 405 with Allow; an unknown path stays 404")
    func methodNotAllowed() async throws {
        let world = try APIWorld()
        try await world.withClient { client in
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.put, "/v1/nas", "GET, POST"), (.delete, "/v1/tenants", "GET, POST"), (.get, "/v1/nas/edge/secret", "POST"),
                (.post, "/v1/invoices/7", "GET"), (.put, "/v1/nas/x", "DELETE, GET, PATCH"), (.delete, "/v1/usage", "GET"),
            ]
            for (method, path, allow) in cases {
                let response = try await client.send(method, path, token: world.token("alpha.operator"))
                #expect(response.status == 405, "\(method) \(path): \(response.status)")
                #expect(response.headers[.allow] == allow, "\(method) \(path): \(response.headers[.allow] ?? "no Allow")")
            }
            #expect(try await client.send(.get, "/v1/nothing", token: world.token("alpha.operator")).status == 404)
            #expect(try await client.send(.get, "/v1/nas/a/b/c", token: world.token("alpha.operator")).status == 404)
        }
    }
}
