import CivilCalendar
import Foundation
import Logging
import Prometheus
import Rating
import Storage
import Synchronization

/// Acts on committed usage: evaluates the subscribers each merge touched against their quota
/// policies, sends the CoA and Disconnect requests the store records, and records their
/// outcomes (with fallbacks). Also sends what nobody is sending (a top-up's restores, the
/// requests of a collector that stopped) and lifts restrictions whose period ended.
///
/// All database work runs on one thread with its own connection; the merge hook only adds
/// subscribers to a set and signals it, so it never holds the merger up.
public final class Enforcer: Sendable {
    /// What `[enforcement]` in the configuration sets.
    public struct Configuration: Sendable, Hashable {
        /// Evaluate quotas and send requests at all (default true).
        public var enabled = true
        /// Folder of vendor profiles, NAME.toml each (default `Config/vendors`).
        public var vendorDirectory = "Config/vendors"
        /// How long a collector keeps a request it sends before another may take it over, whole
        /// seconds (default 120 s: longer than the 62 s of five tries with doubling waits).
        public var lease: Duration = .seconds(120)
        /// How often requests nobody sends are looked for (default 1 s).
        public var pollInterval: Duration = .seconds(1)
        /// How often restrictions of a past period are lifted (default 30 s).
        public var sweepInterval: Duration = .seconds(30)
        /// Subscribers evaluated per database round trip (default 2000).
        public var roundLimit = 2000

        public init() {}

        /// The lease as the quota store counts it.
        var leaseSeconds: Int { Int(lease.wholeSeconds) }
    }

    struct Pending {
        var touched: [Int64: Set<String>] = [:]
        var outcomes: [(request: EnforcementRequest, outcome: DynamicAuthorizationOutcome, summary: String)] = []
        var stopping = false
    }

    struct Targets {
        var byNAS: [Int64: NASDynamicAuthorization] = [:]
        var loadedAt: [Int64: Date] = [:]
    }

    let configuration: Configuration
    let connect: @Sendable () throws -> PostgresConnection
    let cipher: SecretCipher
    let profiles: VendorProfiles
    let client: DynamicAuthorizationClient
    let logger: Logger
    /// Unix seconds now: which cycle, day and week it is (tests move it).
    let clock: @Sendable () -> Int64
    public let metrics: EnforcementMetrics
    /// This collector's name on the requests it claims.
    public let claimant = UUID()
    private let pending = Mutex(Pending())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let cache = QuotaStore.TermsCache()
    private let started = Atomic<Bool>(false)

    public init(
        configuration: Configuration, cipher: SecretCipher, profiles: VendorProfiles, client: DynamicAuthorizationClient,
        metrics: EnforcementMetrics = EnforcementMetrics(), logger: Logger,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
        connect: @escaping @Sendable () throws -> PostgresConnection
    ) {
        self.configuration = configuration
        self.cipher = cipher
        self.profiles = profiles
        self.client = client
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        self.connect = connect
    }

    /// The merge hook: subscribers whose usage was just committed. Never blocks.
    public func usageCommitted(_ subscribers: [TenantSubscriber]) {
        guard configuration.enabled, !subscribers.isEmpty else { return }
        pending.withLock { state in
            for subscriber in subscribers { state.touched[subscriber.tenantID, default: []].insert(subscriber.subscriber) }
        }
        wake.signal()
    }

    /// Starts the enforcement thread.
    public func start() {
        guard configuration.enabled, !started.exchange(true, ordering: .relaxed) else { return }
        let thread = Thread { [self] in run() }
        thread.name = "tg-enforcer"
        thread.start()
    }

    /// Stops the thread after the current round; requests in flight finish in the client (and
    /// their outcomes are recorded) only while it runs: what is left is claimed again after
    /// the lease, by this or another collector.
    public func stop() {
        guard started.load(ordering: .relaxed) else { return }
        pending.withLock { $0.stopping = true }
        wake.signal()
        finished.wait()
    }

    // MARK: - The thread

    private func run() {
        var connection: PostgresConnection?
        var targets = Targets()
        var nextPoll = Date()
        var nextSweep = Date()
        defer { finished.signal() }
        while true {
            let timeout = min(nextPoll, nextSweep).timeIntervalSinceNow
            _ = wake.wait(timeout: .now() + max(0, timeout))
            let work = pending.withLock { state -> Pending in
                let taken = state
                state.touched = [:]
                state.outcomes = []
                return taken
            }
            do {
                if connection == nil { connection = try connect() }
                guard let db = connection else { continue }
                try record(work.outcomes, db, &targets)
                let withQuotas = try QuotaStore(connection: db).tenantsWithQuotaWork(Array(work.touched.keys))
                for (tenantID, users) in work.touched.sorted(by: { $0.key < $1.key }) where withQuotas.contains(tenantID) {
                    let sorted = users.sorted()
                    for start in stride(from: 0, to: sorted.count, by: configuration.roundLimit) {
                        let chunk = Array(sorted[start..<min(start + configuration.roundLimit, sorted.count)])
                        let round = try QuotaStore(connection: db).enforce(
                            tenantID: tenantID, users: chunk, now: clock(),
                            claimant: claimant, lease: configuration.leaseSeconds, cache: cache)
                        metrics.evaluated.increment(by: Int64(round.evaluated))
                        for crossing in round.crossings {
                            metrics.crossed(crossing.action.rawValue)
                            logger.info(
                                "quota crossed",
                                metadata: [
                                    "tenant": "\(tenantID)", "user": "\(crossing.userName)",
                                    "threshold": "\(crossing.threshold)", "action": "\(crossing.action.rawValue)",
                                ])
                        }
                        try send(round.requests, db, &targets)
                    }
                }
                // Stopping: what was received and touched is recorded and evaluated, then no more.
                if work.stopping { return }
                if Date() >= nextPoll {
                    nextPoll = Date().addingTimeInterval(configuration.pollInterval / .seconds(1))
                    try send(QuotaStore(connection: db).claimPending(claimant: claimant, lease: configuration.leaseSeconds), db, &targets)
                }
                if Date() >= nextSweep {
                    nextSweep = Date().addingTimeInterval(configuration.sweepInterval / .seconds(1))
                    try send(
                        QuotaStore(connection: db).liftExpired(
                            now: clock(), claimant: claimant,
                            lease: configuration.leaseSeconds), db, &targets)
                }
            } catch {
                if work.stopping {
                    logger.error(
                        "enforcement stopped with a round unfinished; its requests are taken over after the lease", metadata: ["error": "\(error)"])
                    return
                }
                logger.error("enforcement round failed; retrying", metadata: ["error": "\(error)"])
                connection = nil
                // What was taken goes back: the next round evaluates it again (crossings are
                // recorded once whatever happens), and outcomes are recorded again.
                pending.withLock { state in
                    for (tenant, users) in work.touched { state.touched[tenant, default: []].formUnion(users) }
                    state.outcomes.insert(contentsOf: work.outcomes, at: 0)
                }
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    /// Sends requests; one that cannot be built (no profile, no address) is recorded as failed.
    private func send(_ requests: [EnforcementRequest], _ connection: PostgresConnection, _ targets: inout Targets) throws {
        guard !requests.isEmpty else { return }
        var unreadable: [Int64: String] = [:]
        let missing = Set(requests.map(\.nasID)).filter { nas in targets.loadedAt[nas].map { $0.timeIntervalSinceNow < -30 } ?? true }
        if !missing.isEmpty {
            for (tenantID, nasIDs) in Dictionary(grouping: requests.filter { missing.contains($0.nasID) }, by: \.tenantID) {
                let ids = Set(nasIDs.map(\.nasID))
                do {
                    let found = try NASStore(connection: connection, cipher: cipher).dynamicAuthorization(tenantID: tenantID, nasIDs: Array(ids))
                    for nas in ids {
                        targets.byNAS[nas] = found[nas]
                        targets.loadedAt[nas] = Date()
                    }
                } catch let error as StoreError {
                    // One tenant's unreadable NAS settings (a secret the key does not open) fail
                    // that tenant's requests, never everyone's.
                    logger.error("NAS dynamic-authorization settings unreadable", metadata: ["tenant": "\(tenantID)", "error": "\(error)"])
                    unreadable[tenantID] = error.message
                }
            }
        }
        for request in requests {
            let built: (message: DynamicAuthorizationMessage, target: DynamicAuthorizationTarget)
            do {
                if let problem = unreadable[request.tenantID] { throw EnforcementError("the NAS settings cannot be read: \(problem)") }
                built = try Self.message(
                    for: request, nas: targets.byNAS[request.nasID].flatMap { $0.tenantID == request.tenantID ? $0 : nil },
                    profiles: profiles)
            } catch {
                logger.warning("enforcement request not sent", metadata: ["request": "\(request.id)", "error": "\(error)"])
                try record([(request, .timeout(attempts: 0), "not sent: \(error)")], connection, &targets, failed: true)
                continue
            }
            metrics.inFlight.increment()
            let summary = built.message.summary
            client.send(built.message, to: built.target) { [self] outcome in
                metrics.inFlight.decrement()
                pending.withLock { $0.outcomes.append((request, outcome, summary)) }
                wake.signal()
            }
        }
    }

    /// The message and where it goes, from the NAS's settings and vendor profile.
    static func message(for request: EnforcementRequest, nas: NASDynamicAuthorization?, profiles: VendorProfiles) throws
        -> (message: DynamicAuthorizationMessage, target: DynamicAuthorizationTarget)
    {
        guard let nas else {
            throw EnforcementError(
                "NAS \(request.nasID) has no dynamic-authorization address: it was removed, is registered as a network rather than one address, or shares its address with another tenant's NAS"
            )
        }
        guard let profile = profiles.profile(nas.vendor) else {
            throw EnforcementError(
                "NAS '\(nas.name)' names vendor profile '\(nas.vendor)', which is not loaded (known: \(profiles.names.joined(separator: ", ")))")
        }
        guard let action = EnforcementAction(rawValue: request.action) else { throw EnforcementError("unknown action '\(request.action)'") }
        // The settings carry one host address: NAS registered as a network have none.
        let host = nas.address
        let identity = SessionIdentity(
            userName: request.userName, acctSessionID: request.acctSessionID,
            nasIPAddress: host, nasIdentifier: nas.identifier,
            framedIPAddress: request.framedIPAddress)
        let message = try profile.request(
            for: action, session: identity, rate: action == .throttle ? request.rate : nil,
            planRate: action == .restore ? request.rate : nil)
        return (message, DynamicAuthorizationTarget(host: host, port: UInt16(clamping: nas.port), secret: nas.secret))
    }

    /// Records outcomes (one transaction per tenant); sends the fallbacks they bring.
    private func record(
        _ items: [(request: EnforcementRequest, outcome: DynamicAuthorizationOutcome, summary: String)],
        _ connection: PostgresConnection, _ targets: inout Targets, failed: Bool = false
    ) throws {
        guard !items.isEmpty else { return }
        var outcomes: [QuotaStore.Outcome] = []
        outcomes.reserveCapacity(items.count)
        let now = Date().timeIntervalSince1970
        for item in items {
            let request = item.request
            let status: EnforcementStatus
            var errorCause: UInt32?
            var detail = item.summary
            switch item.outcome {
            case .ack: status = .acked
            case .nak(let cause, _):
                status = .naked
                errorCause = cause
                if let cause { detail = "Error-Cause \(cause)" + (Self.errorCauses[cause].map { " (\($0))" } ?? "") + "; " + item.summary }
            case .timeout(let attempts):
                status = failed ? .failed : .timeout
                if !failed { detail = "no answer to \(attempts) transmissions; " + item.summary }
            }
            metrics.finished(action: request.action, outcome: status.rawValue)
            if status == .acked {
                metrics.decisionToAck.record(.microseconds(max(0, Int64((now - request.decidedAt) * 1_000_000))))
            } else {
                logger.warning(
                    "enforcement request \(status.rawValue)",
                    metadata: [
                        "request": "\(request.id)", "user": "\(request.userName)",
                        "action": "\(request.action)", "detail": "\(detail)",
                    ])
            }
            outcomes.append(
                QuotaStore.Outcome(request: request, status: status, attempts: item.outcome.attempts, errorCause: errorCause, detail: detail))
        }
        let fallbacks = try QuotaStore(connection: connection).complete(outcomes, claimant: claimant, lease: configuration.leaseSeconds)
        try send(fallbacks, connection, &targets)
    }

    /// RFC 5176 section 3.6 Error-Cause values, for the log.
    static let errorCauses: [UInt32: String] = [
        201: "Residual Session Context Removed", 202: "Invalid EAP Packet (Ignored)", 401: "Unsupported Attribute",
        402: "Missing Attribute", 403: "NAS Identification Mismatch", 404: "Invalid Request", 405: "Unsupported Service",
        406: "Unsupported Extension", 407: "Invalid Attribute Value", 501: "Administratively Prohibited",
        502: "Request Not Routable (Proxy)", 503: "Session Context Not Found", 504: "Session Context Not Removable",
        505: "Other Proxy Processing Error", 506: "Resources Unavailable", 507: "Request Initiated", 508: "Multiple Session Selection Unsupported",
    ]
}

/// Why an enforcement request could not be sent.
public struct EnforcementError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
