import Console
import Collector
import Enforcement
import TOML
import Foundation
import Storage

/// Everything `tollgate serve` is configured with. Each field documents its default; the
/// file (`Config/tollgate.toml` shows every key), then environment variables, then
/// command-line flags override it.
public struct TollgateConfiguration: Sendable {
    /// libpq URL of the database. Default empty: an embedded PostgreSQL in `dataDirectory`.
    /// Environment: TOLLGATE_DATABASE_URL.
    public var databaseURL: String?
    /// Folder for the embedded PostgreSQL cluster and its generated secret key. Default
    /// `.tollgate` in the working directory. Environment: TOLLGATE_DATA_DIRECTORY.
    public var dataDirectory = ".tollgate"
    /// 64 hex digits (32 bytes) that seal NAS secrets at rest. Default empty: required with
    /// an external database, generated into the data folder in embedded mode.
    /// Environment: TOLLGATE_SECRET_KEY.
    public var secretKey: String?
    /// Address of the HTTP port (/healthz, /metrics). Default 127.0.0.1:9813.
    /// Environment: TOLLGATE_HTTP.
    public var http = "127.0.0.1:9813"
    /// trace, debug, info, notice, warning, error or critical. Default info.
    /// Environment: TOLLGATE_LOG_LEVEL.
    public var logLevel = "info"
    /// HTTP and management API limits ([api] in the file).
    public var api = APISettings()
    /// Collector settings ([collector] and [[listener]] in the file).
    public var collector = CollectorConfiguration()
    /// Folder of the on-disk spool. Default empty: `spool` in the data folder.
    public var spoolDirectory: String?
    /// Most octets the spool may hold; 0 turns spooling off. Default 1 GiB.
    public var spoolMaxBytes = 1 << 30
    /// Most NAS devices one tenant may register (API and CLI). Default 10000.
    /// Environment: TOLLGATE_NAS_LIMIT_PER_TENANT.
    public var nasLimitPerTenant = NASStore.defaultLimit
    /// Webhook delivery and the NAS silence watcher ([webhooks] in the file).
    public var webhooks = WebhookConfiguration()
    /// Quota enforcement: CoA and Disconnect requests ([enforcement] in the file).
    public var enforcement = Enforcer.Configuration()
    /// The billing console's sessions and sign-in limits ([console] in the file).
    public var console = ConsoleSettings()
    /// `[console] secure_cookies`: mark the console's cookies Secure whatever the HTTP port
    /// does (behind a proxy that terminates TLS), or not; nil: when the port has TLS.
    public var consoleSecureCookies: Bool?

    /// The spool as configured (nil when turned off).
    public var spool: SpoolConfiguration? {
        guard spoolMaxBytes > 0 else { return nil }
        var spool = SpoolConfiguration(directory: spoolDirectory ?? (dataDirectory + "/spool"))
        spool.maxBytes = spoolMaxBytes
        spool.segmentBytes = max(1 << 20, min(64 << 20, spoolMaxBytes / 8))
        return spool
    }

    public init() {}

    public struct Error: Swift.Error, CustomStringConvertible, Sendable {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Reads the file at `path` (if any), then applies environment variables.
    public static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TollgateConfiguration {
        var configuration = TollgateConfiguration()
        if let path {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw Error("cannot read configuration file \(path): \(error.localizedDescription)")
            }
            do {
                try configuration.apply(try TOMLSubset.parse(text))
            } catch let error as TOMLError {
                throw Error("\(path): \(error)")
            } catch let error as Error {
                throw Error("\(path): \(error.description)")
            }
        }
        try configuration.applyEnvironment(environment)
        return configuration
    }

    mutating func apply(_ document: [String: TOMLValue]) throws {
        for (key, value) in document {
            switch key {
            case "database_url": databaseURL = nonEmpty(try string(value, key))
            case "data_directory": dataDirectory = try string(value, key)
            case "secret_key": secretKey = nonEmpty(try string(value, key))
            case "http": http = try address(value, key)
            case "log_level": logLevel = try level(try string(value, key), key)
            case "nas_limit_per_tenant": nasLimitPerTenant = try integer(value, key, 1...1_000_000)
            case "collector":
                guard case .table(let table) = value else { throw Error("collector must be a [collector] table") }
                try applyCollector(table)
            case "api":
                guard case .table(let table) = value else { throw Error("api must be an [api] table") }
                try applyAPI(table)
            case "enforcement":
                guard case .table(let table) = value else { throw Error("enforcement must be an [enforcement] table") }
                try applyEnforcement(table)
            case "webhooks":
                guard case .table(let table) = value else { throw Error("webhooks must be a [webhooks] table") }
                try applyWebhooks(table)
            case "console":
                guard case .table(let table) = value else { throw Error("console must be a [console] table") }
                try applyConsole(table)
            case "listener":
                guard case .tables(let tables) = value else { throw Error("listener must be [[listener]] tables") }
                collector.listeners = try tables.map(Self.listener)
                try checkListeners()
            default:
                throw Error("unknown key '\(key)'")
            }
        }
    }

    mutating func applyCollector(_ table: [String: TOMLValue]) throws {
        for (key, value) in table {
            let name = "collector.\(key)"
            switch key {
            case "max_batch": collector.pipeline.maxBatch = try integer(value, name, 1...100_000)
            case "max_delay_ms": collector.pipeline.maxDelayMicroseconds = Int64(try integer(value, name, 0...1000)) * 1000
            case "writers": collector.pipeline.writers = try integer(value, name, 1...64)
            case "max_pending": collector.pipeline.maxPending = try integer(value, name, 1...10_000_000)
            case "stale_session_timeout": collector.staleSessionTimeout = try integer(value, name, 60...(30 * 86_400))
            case "packet_retention_days": collector.packetRetentionDays = try integer(value, name, 0...3650)
            case "receive_buffer_bytes": collector.receiveBufferBytes = try integer(value, name, 65_536...(1 << 30))
            case "registry_refresh_seconds": collector.registryRefreshInterval = Double(try integer(value, name, 1...3600))
            case "maintenance_seconds": collector.maintenanceInterval = Double(try integer(value, name, 1...86_400))
            case "merge_batch": collector.merge.batchPerStream = try integer(value, name, 100...1_000_000)
            case "merge_workers": collector.merge.workers = try integer(value, name, 1...16)
            case "merge_cache_sessions": collector.merge.cacheCapacity = try integer(value, name, 1000...100_000_000)
            case "commit_timeout_ms": collector.pipeline.commitTimeoutMilliseconds = try integer(value, name, 100...600_000)
            case "spool_directory": spoolDirectory = nonEmpty(try string(value, name))
            case "spool_max_bytes": spoolMaxBytes = try integer(value, name, 0...(1 << 50))
            default: throw Error("unknown key '\(name)'")
            }
        }
    }

    mutating func applyAPI(_ table: [String: TOMLValue]) throws {
        for (key, value) in table {
            let name = "api.\(key)"
            switch key {
            case "database_threads": api.databaseThreads = try integer(value, name, 1...256)
            case "auth_threads": api.authThreads = try integer(value, name, 1...64)
            case "tenant_concurrency": api.tenantConcurrency = try integer(value, name, 1...256)
            case "queue_wait_ms": api.queueWaitMilliseconds = try integer(value, name, 0...600_000)
            case "statement_timeout_ms": api.statementTimeoutMilliseconds = try integer(value, name, 100...86_400_000)
            case "idle_timeout_seconds": api.idleTimeoutSeconds = try integer(value, name, 1...86_400)
            case "read_timeout_seconds": api.readTimeoutSeconds = try integer(value, name, 1...3600)
            case "max_connections": api.maxConnections = try integer(value, name, 1...1_000_000)
            case "tls_certificate": api.tlsCertificate = nonEmpty(try string(value, name))
            case "tls_key": api.tlsKey = nonEmpty(try string(value, name))
            default: throw Error("unknown key '\(name)'")
            }
        }
        guard (api.tlsCertificate == nil) == (api.tlsKey == nil) else {
            throw Error("api.tls_certificate and api.tls_key go together: set both for HTTPS, or neither")
        }
    }

    static func listener(_ table: [String: TOMLValue]) throws -> ListenerConfiguration {
        var listener = ListenerConfiguration()
        for (key, value) in table {
            switch key {
            case "name":
                listener.name = try string(value, "listener.name")
                guard isListenerName(listener.name) else {
                    throw Error("listener.name '\(listener.name)' must be 1-63 characters of a-z, 0-9, '-' and '_'")
                }
            case "address": listener.address = try address(value, "listener.address")
            case "tenant": listener.tenant = nonEmpty(try string(value, "listener.tenant"))
            default: throw Error("unknown key 'listener.\(key)'")
            }
        }
        return listener
    }

    func checkListeners() throws {
        guard !collector.listeners.isEmpty else { throw Error("at least one [[listener]] is needed") }
        var names = Set<String>()
        for listener in collector.listeners where !names.insert(listener.name).inserted {
            throw Error("listener name '\(listener.name)' is used twice")
        }
    }

    mutating func applyEnvironment(_ environment: [String: String]) throws {
        if let value = environment["TOLLGATE_DATABASE_URL"] { databaseURL = nonEmpty(value) }
        if let value = environment["TOLLGATE_DATA_DIRECTORY"], !value.isEmpty { dataDirectory = value }
        if let value = environment["TOLLGATE_SECRET_KEY"] { secretKey = nonEmpty(value) }
        if let value = environment["TOLLGATE_HTTP"], !value.isEmpty { http = try Self.address(.string(value), "TOLLGATE_HTTP") }
        if let value = environment["TOLLGATE_LOG_LEVEL"], !value.isEmpty { logLevel = try Self.level(value, "TOLLGATE_LOG_LEVEL") }
        if let value = environment["TOLLGATE_NAS_LIMIT_PER_TENANT"], !value.isEmpty {
            guard let limit = Int(value), (1...1_000_000).contains(limit) else {
                throw Error("TOLLGATE_NAS_LIMIT_PER_TENANT must be a whole number between 1 and 1000000, not \(value)")
            }
            nasLimitPerTenant = limit
        }
    }

    /// Replaces the listeners with `--listen` addresses: the first is named "default",
    /// the others "listen-2", "listen-3", ... unless given as NAME=ADDRESS.
    public mutating func overrideListeners(_ addresses: [String]) throws {
        guard !addresses.isEmpty else { return }
        collector.listeners = try addresses.enumerated().map { index, text in
            var name = index == 0 ? "default" : "listen-\(index + 1)"
            var address = text
            if let equals = text.firstIndex(of: "=") {
                name = String(text[..<equals])
                address = String(text[text.index(after: equals)...])
            }
            guard Self.isListenerName(name) else { throw Error("--listen: bad listener name '\(name)'") }
            return ListenerConfiguration(name: name, address: try Self.address(.string(address), "--listen"))
        }
        try checkListeners()
    }

    public mutating func overrideHTTP(_ text: String) throws {
        http = try Self.address(.string(text), "--http")
    }

    // MARK: Value checks

    func string(_ value: TOMLValue, _ key: String) throws -> String { try Self.string(value, key) }
    func integer(_ value: TOMLValue, _ key: String, _ range: ClosedRange<Int>) throws -> Int {
        guard case .integer(let n) = value else { throw Error("\(key) must be a whole number") }
        guard range.contains(n) else { throw Error("\(key) must be between \(range.lowerBound) and \(range.upperBound), not \(n)") }
        return n
    }
    private func address(_ value: TOMLValue, _ key: String) throws -> String { try Self.address(value, key) }
    private func level(_ text: String, _ key: String) throws -> String { try Self.level(text, key) }

    static func string(_ value: TOMLValue, _ key: String) throws -> String {
        guard case .string(let s) = value else { throw Error("\(key) must be a quoted string") }
        return s
    }

    static func address(_ value: TOMLValue, _ key: String) throws -> String {
        let text = try string(value, key)
        guard SocketAddress(hostPort: text) != nil else {
            throw Error("\(key) '\(text)' must be host:port, [ipv6]:port or *:port with a numeric address")
        }
        return text
    }

    static func level(_ text: String, _ key: String) throws -> String {
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(text) else { throw Error("\(key) must be one of \(levels.joined(separator: ", ")), not '\(text)'") }
        return text
    }

    static func isListenerName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return (1...63).contains(bytes.count) && bytes.enumerated().allSatisfy { i, b in
            (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || (i > 0 && (b == 45 || b == 95))
        }
    }
}

private func nonEmpty(_ s: String) -> String? { s.isEmpty ? nil : s }
