import Enforcement
import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Quota enforcement in `tollgate serve` (when `[enforcement] enabled`): the enforcer listens
/// to the merger's commits and sends CoA and Disconnect requests; stopped at shutdown after the
/// collector, so the last merges are still evaluated.
struct EnforcementService: Service {
    let enforcer: Enforcer?
    let client: DynamicAuthorizationClient?

    init(
        configuration: Enforcer.Configuration, cipher: SecretCipher, metrics: EnforcementMetrics, logger: Logger,
        connect: @escaping @Sendable () throws -> PostgresConnection
    ) throws {
        guard configuration.enabled else {
            enforcer = nil
            client = nil
            return
        }
        let profiles: VendorProfiles
        if FileManager.default.fileExists(atPath: configuration.vendorDirectory) {
            profiles = try VendorProfiles.load(directory: configuration.vendorDirectory)
            logger.info("vendor profiles loaded", metadata: ["directory": "\(configuration.vendorDirectory)", "profiles": "\(profiles.names)"])
        } else {
            // Crossings are still recorded and notified; each request is recorded as failed, naming the missing profile.
            profiles = .none
            logger.error(
                "enforcement.vendor_directory does not exist: no CoA or Disconnect request can be built until it names the folder of vendor profiles (the repository's Config/vendors)",
                metadata: ["directory": "\(configuration.vendorDirectory)"])
        }
        let client = try DynamicAuthorizationClient(logger: logger)
        self.client = client
        enforcer = Enforcer(
            configuration: configuration, cipher: cipher, profiles: profiles, client: client, metrics: metrics, logger: logger,
            connect: connect)
    }

    /// The merge hook.
    func usageCommitted(_ subscribers: [TenantSubscriber]) {
        enforcer?.usageCommitted(subscribers)
    }

    func start() {
        enforcer?.start()
    }

    func run() async throws {
        try? await gracefulShutdown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                enforcer?.stop()
                client?.shutdown()
                continuation.resume()
            }
            thread.start()
        }
    }
}
