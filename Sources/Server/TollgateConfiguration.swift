import Collector
import Console
import Enforcement
import Foundation
import Storage
import TOML

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
    public var http = SocketAddress(ipv4: 0x7f00_0001, port: 9813)
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
                try configuration.apply(try TOMLDocument.parse(text))
            } catch let error as TOMLError {
                throw Error("\(path): \(error)")
            } catch let error as TOMLKeyError {
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
            case "database_url": databaseURL = nonEmpty(try value.string(key))
            case "data_directory": dataDirectory = try value.string(key)
            case "secret_key": secretKey = nonEmpty(try value.string(key))
            case "http": http = try Self.address(try value.string(key), key)
            case "log_level": logLevel = try level(try value.string(key), key)
            case "nas_limit_per_tenant": nasLimitPerTenant = try value.integer(key, in: 1...1_000_000)
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
            case "max_batch": collector.pipeline.maxBatch = try value.integer(name, in: 1...100_000)
            case "max_delay_ms": collector.pipeline.maxDelay = try value.duration(name, in: 0...1000, .milliseconds)
            case "writers": collector.pipeline.writers = try value.integer(name, in: 1...64)
            case "max_pending": collector.pipeline.maxPending = try value.integer(name, in: 1...10_000_000)
            case "stale_session_timeout": collector.staleSessionTimeout = try value.duration(name, in: 60...(30 * 86_400), .seconds)
            case "packet_retention_days": collector.packetRetentionDays = try value.integer(name, in: 0...3650)
            case "receive_buffer_bytes": collector.receiveBufferBytes = try value.integer(name, in: 65_536...(1 << 30))
            case "registry_refresh_seconds": collector.registryRefreshInterval = try value.duration(name, in: 1...3600, .seconds)
            case "maintenance_seconds": collector.maintenanceInterval = try value.duration(name, in: 1...86_400, .seconds)
            case "merge_batch": collector.merge.batchPerStream = try value.integer(name, in: 100...1_000_000)
            case "merge_workers": collector.merge.workers = try value.integer(name, in: 1...16)
            case "merge_cache_sessions": collector.merge.cacheCapacity = try value.integer(name, in: 1000...100_000_000)
            case "commit_timeout_ms": collector.pipeline.commitTimeout = try value.duration(name, in: 100...600_000, .milliseconds)
            case "spool_directory": spoolDirectory = nonEmpty(try value.string(name))
            case "spool_max_bytes": spoolMaxBytes = try value.integer(name, in: 0...(1 << 50))
            default: throw Error("unknown key '\(name)'")
            }
        }
    }

    mutating func applyAPI(_ table: [String: TOMLValue]) throws {
        for (key, value) in table {
            let name = "api.\(key)"
            switch key {
            case "database_threads": api.databaseThreads = try value.integer(name, in: 1...256)
            case "auth_threads": api.authThreads = try value.integer(name, in: 1...64)
            case "tenant_concurrency": api.tenantConcurrency = try value.integer(name, in: 1...256)
            case "queue_wait_ms": api.queueWait = try value.duration(name, in: 0...600_000, .milliseconds)
            case "statement_timeout_ms": api.statementTimeout = try value.duration(name, in: 100...86_400_000, .milliseconds)
            case "idle_timeout_seconds": api.idleTimeout = try value.duration(name, in: 1...86_400, .seconds)
            case "read_timeout_seconds": api.readTimeout = try value.duration(name, in: 1...3600, .seconds)
            case "max_connections": api.maxConnections = try value.integer(name, in: 1...1_000_000)
            case "tls_certificate": api.tlsCertificate = nonEmpty(try value.string(name))
            case "tls_key": api.tlsKey = nonEmpty(try value.string(name))
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
                listener.name = try value.string("listener.name")
                guard isListenerName(listener.name) else {
                    throw Error("listener.name '\(listener.name)' must be 1-63 characters of a-z, 0-9, '-' and '_'")
                }
            case "address": listener.address = try address(try value.string("listener.address"), "listener.address")
            case "tenant": listener.tenant = nonEmpty(try value.string("listener.tenant"))
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
        if let value = environment["TOLLGATE_HTTP"], !value.isEmpty { http = try Self.address(value, "TOLLGATE_HTTP") }
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
            return ListenerConfiguration(name: name, address: try Self.address(address, "--listen"))
        }
        try checkListeners()
    }

    public mutating func overrideHTTP(_ text: String) throws {
        http = try Self.address(text, "--http")
    }

    // MARK: Value checks

    private func level(_ text: String, _ key: String) throws -> String { try Self.level(text, key) }

    /// The address `text` of `key` (a file key, an environment variable or a flag).
    static func address(_ text: String, _ key: String) throws -> SocketAddress {
        do {
            return try SocketAddress(parsing: text)
        } catch {
            throw Error("\(key) '\(text)' must be host:port, [ipv6]:port or *:port with a numeric address: \(error)")
        }
    }

    static func level(_ text: String, _ key: String) throws -> String {
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(text) else { throw Error("\(key) must be one of \(levels.joined(separator: ", ")), not '\(text)'") }
        return text
    }

    static func isListenerName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return (1...63).contains(bytes.count)
            && bytes.enumerated().allSatisfy { i, b in
                (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || (i > 0 && (b == 45 || b == 95))
            }
    }
}

private func nonEmpty(_ s: String) -> String? { s.isEmpty ? nil : s }
