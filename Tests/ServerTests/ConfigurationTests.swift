import Collector
import Console
import Foundation
import Server
import Testing
import TestSupport

private let repository: String = {
    var path = #filePath
    for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
    return path
}()

private func load(_ text: String, environment: [String: String] = [:]) throws -> TollgateConfiguration {
    let path = temporaryPath("tollgate", suffix: ".toml")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try TollgateConfiguration.load(path: path, environment: environment)
}

@Suite("Configuration")
struct ConfigurationTests {
    @Test("A file with CRLF line endings (edited on Windows) reads as the same file with LF")
    func crlfLineEndings() throws {
        let text = "http = \"127.0.0.1:9900\"\n[collector]\nmax_batch = 77 # a comment\n[console]\nlogin_attempts = 9\n"
        let crlf = try load(text.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(crlf.http == "127.0.0.1:9900")
        #expect(crlf.collector.pipeline.maxBatch == 77)
        #expect(crlf.console.loginAttempts == 9)
        #expect(crlf.console == (try load(text)).console)
    }

    @Test("The shipped example parses and equals the documented defaults")
    func example() throws {
        let configuration = try TollgateConfiguration.load(path: repository + "/Config/tollgate.toml", environment: [:])
        let defaults = TollgateConfiguration()
        #expect(configuration.databaseURL == nil)
        #expect(configuration.secretKey == nil)
        #expect(configuration.http == defaults.http)
        #expect(configuration.dataDirectory == defaults.dataDirectory)
        #expect(configuration.collector.pipeline.maxBatch == defaults.collector.pipeline.maxBatch)
        #expect(configuration.collector.pipeline.maxDelayMicroseconds == defaults.collector.pipeline.maxDelayMicroseconds)
        #expect(configuration.collector.pipeline.writers == defaults.collector.pipeline.writers)
        #expect(configuration.collector.staleSessionTimeout == defaults.collector.staleSessionTimeout)
        #expect(configuration.collector.packetRetentionDays == defaults.collector.packetRetentionDays)
        #expect(configuration.collector.receiveBufferBytes == defaults.collector.receiveBufferBytes)
        #expect(configuration.collector.listeners == defaults.collector.listeners)
        #expect(configuration.collector.pipeline.commitTimeoutMilliseconds == defaults.collector.pipeline.commitTimeoutMilliseconds)
        #expect(configuration.collector.merge.batchPerStream == defaults.collector.merge.batchPerStream && defaults.collector.merge.batchPerStream == 10_000)
        #expect(configuration.collector.merge.workers == defaults.collector.merge.workers && defaults.collector.merge.workers == 2)
        #expect(configuration.collector.merge.cacheCapacity == defaults.collector.merge.cacheCapacity && defaults.collector.merge.cacheCapacity == 400_000)
        #expect(configuration.spoolDirectory == nil && configuration.spoolMaxBytes == defaults.spoolMaxBytes)
        #expect(configuration.enforcement == defaults.enforcement)
        #expect(defaults.enforcement.enabled && defaults.enforcement.vendorDirectory == "Config/vendors" && defaults.enforcement.leaseSeconds == 120
                 && defaults.enforcement.pollMilliseconds == 1000 && defaults.enforcement.sweepSeconds == 30 && defaults.enforcement.roundLimit == 2000)
        #expect(configuration.spool?.directory == ".tollgate/spool")
        #expect(configuration.nasLimitPerTenant == defaults.nasLimitPerTenant && defaults.nasLimitPerTenant == 10_000)
        #expect(configuration.api == defaults.api)
        #expect(configuration.console == defaults.console)
        #expect(defaults.console == ConsoleSettings(idleTimeout: .seconds(1800), lifetime: .seconds(43_200), secureCookies: false,
                                                    loginAttempts: 5, loginWindow: .seconds(300)))
    }

    @Test("The [console] keys: read, and refused by name")
    func console() throws {
        let configuration = try load("""
            [console]
            idle_timeout_minutes = 15
            session_hours = 8
            login_attempts = 3
            login_window_minutes = 10
            """)
        #expect(configuration.console == ConsoleSettings(idleTimeout: .seconds(900), lifetime: .seconds(28_800), secureCookies: false,
                                                         loginAttempts: 3, loginWindow: .seconds(600)))
        #expect(configuration.consoleSecureCookies == nil)
        #expect(try load("[console]\nsecure_cookies = true\n").consoleSecureCookies == true)
        #expect(try load("[console]\nsecure_cookies = false\n").consoleSecureCookies == false)
        #expect(try load("").console == ConsoleSettings())
        let refusals: [(String, String)] = [
            ("idle_timeout_minutes = 0", "console.idle_timeout_minutes must be between 1 and 10080, not 0"),
            ("idle_timeout_minutes = \"30\"", "console.idle_timeout_minutes must be a whole number"),
            ("session_hours = 721", "console.session_hours must be between 1 and 720, not 721"),
            ("login_attempts = 0", "console.login_attempts must be between 1 and 1000, not 0"),
            ("login_window_minutes = 1441", "console.login_window_minutes must be between 1 and 1440, not 1441"),
            ("remember_me = 1", "unknown key 'console.remember_me'"),
            ("secure_cookies = \"yes\"", "console.secure_cookies must be true or false"),
            ("idle_timeout_minutes = 180\nsession_hours = 2", "console.session_hours must be at least console.idle_timeout_minutes"),
        ]
        for (text, message) in refusals {
            do {
                _ = try load("[console]\n\(text)\n")
                Issue.record("accepted: \(text)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
        do {
            _ = try load("console = 1\n")
            Issue.record("accepted console = 1")
        } catch {
            #expect("\(error)".contains("console must be a [console] table"), "\(error)")
        }
    }

    @Test("The merger's keys: read, and refused out of range by name")
    func merge() throws {
        let configuration = try load("[collector]\nmerge_batch = 2500\nmerge_workers = 3\nmerge_cache_sessions = 50000\n")
        #expect(configuration.collector.merge.batchPerStream == 2500)
        #expect(configuration.collector.merge.workers == 3)
        #expect(configuration.collector.merge.cacheCapacity == 50_000)
        for bad in ["merge_batch = 99", "merge_workers = 0", "merge_workers = 17", "merge_cache_sessions = 10", "merge_batch = \"many\""] {
            #expect {
                try load("[collector]\n\(bad)\n")
            } throws: { error in
                "\(error)".contains("collector.\(bad.split(separator: " ")[0])")
            }
        }
    }

    @Test("The [enforcement] keys: read, and refused by name")
    func enforcement() throws {
        let configuration = try load("""
            [enforcement]
            enabled = false
            vendor_directory = "/etc/tollgate/vendors"
            lease_seconds = 300
            poll_ms = 250
            sweep_seconds = 5
            round_limit = 500
            """)
        #expect(!configuration.enforcement.enabled && configuration.enforcement.vendorDirectory == "/etc/tollgate/vendors")
        #expect(configuration.enforcement.leaseSeconds == 300 && configuration.enforcement.pollMilliseconds == 250)
        #expect(configuration.enforcement.sweepSeconds == 5 && configuration.enforcement.roundLimit == 500)
        for bad in ["lease_seconds = 60", "poll_ms = 10", "sweep_seconds = 0", "round_limit = 0", "enabled = 1", "vendor_directory = 3", "speed = 1"] {
            #expect {
                try load("[enforcement]\n\(bad)\n")
            } throws: { error in
                "\(error)".contains("enforcement.\(bad.split(separator: " ")[0])")
            }
        }
    }

    @Test("nas_limit_per_tenant from the file and the environment, refused out of range")
    func nasLimit() throws {
        #expect(try load("nas_limit_per_tenant = 3\n").nasLimitPerTenant == 3)
        #expect(try load("nas_limit_per_tenant = 3\n", environment: ["TOLLGATE_NAS_LIMIT_PER_TENANT": "7"]).nasLimitPerTenant == 7)
        #expect(throws: TollgateConfiguration.Error.self) { try load("nas_limit_per_tenant = 0\n") }
        #expect(throws: TollgateConfiguration.Error.self) { try load("", environment: ["TOLLGATE_NAS_LIMIT_PER_TENANT": "many"]) }
    }

    @Test("The [api] table: limits, timeouts and TLS files")
    func api() throws {
        let configuration = try load("""
            [api]
            database_threads = 12
            auth_threads = 3
            tenant_concurrency = 6
            queue_wait_ms = 2500
            statement_timeout_ms = 60000
            idle_timeout_seconds = 15
            read_timeout_seconds = 5
            max_connections = 100
            tls_certificate = "/etc/tollgate/cert.pem"
            tls_key = "/etc/tollgate/key.pem"
            [[listener]]
            address = "127.0.0.1:1813"
            """)
        var expected = APISettings()
        expected.databaseThreads = 12
        expected.authThreads = 3
        expected.tenantConcurrency = 6
        expected.queueWaitMilliseconds = 2500
        expected.statementTimeoutMilliseconds = 60000
        expected.idleTimeoutSeconds = 15
        expected.readTimeoutSeconds = 5
        expected.maxConnections = 100
        expected.tlsCertificate = "/etc/tollgate/cert.pem"
        expected.tlsKey = "/etc/tollgate/key.pem"
        #expect(configuration.api == expected)
        let defaults = APISettings()
        #expect(defaults.tenantConcurrency == 4 && defaults.maxConnections == 512 && defaults.tlsCertificate == nil)
    }

    @Test("Spool settings: folder, size limit, off with 0; the commit timeout")
    func spool() throws {
        let c = try load("""
            data_directory = "/var/lib/tollgate"
            [collector]
            spool_max_bytes = 5000000
            commit_timeout_ms = 2500
            """)
        #expect(c.spool?.directory == "/var/lib/tollgate/spool")
        #expect(c.spool?.maxBytes == 5_000_000)
        #expect(c.spool?.segmentBytes == 1 << 20)
        #expect(c.collector.pipeline.commitTimeoutMilliseconds == 2500)
        let elsewhere = try load("[collector]\nspool_directory = \"/srv/spool\"")
        #expect(elsewhere.spool?.directory == "/srv/spool")
        #expect(try load("[collector]\nspool_max_bytes = 0").spool == nil)
        #expect(throws: TollgateConfiguration.Error.self) { try load("[collector]\ncommit_timeout_ms = 5") }
        #expect(throws: TollgateConfiguration.Error.self) { try load("[collector]\nspool_max_bytes = -1") }
    }

    @Test("Listeners, dedicated tenants and collector settings are read")
    func listeners() throws {
        let c = try load("""
            http = "[::1]:9000"
            [collector]
            max_batch = 500
            max_delay_ms = 5
            [[listener]]
            name = "shared"
            address = "0.0.0.0:1813"
            [[listener]]
            name = "acme"
            address = "[::]:1814"   # IPv6, dual stack
            tenant = "acme"
            """)
        #expect(c.http == "[::1]:9000")
        #expect(c.collector.pipeline.maxBatch == 500)
        #expect(c.collector.pipeline.maxDelayMicroseconds == 5000)
        #expect(c.collector.listeners == [ListenerConfiguration(name: "shared", address: "0.0.0.0:1813"),
                                          ListenerConfiguration(name: "acme", address: "[::]:1814", tenant: "acme")])
    }

    @Test("Environment variables override the file")
    func environment() throws {
        let c = try load("database_url = \"postgresql:///a\"\nlog_level = \"debug\"\n",
                         environment: ["TOLLGATE_DATABASE_URL": "postgresql:///b", "TOLLGATE_SECRET_KEY": "k", "TOLLGATE_LOG_LEVEL": "error"])
        #expect(c.databaseURL == "postgresql:///b")
        #expect(c.secretKey == "k")
        #expect(c.logLevel == "error")
    }

    @Test("--listen replaces the listeners; NAME=ADDRESS names them")
    func listenFlags() throws {
        var c = TollgateConfiguration()
        try c.overrideListeners(["127.0.0.1:1813", "acme=127.0.0.1:1814"])
        #expect(c.collector.listeners.map(\.name) == ["default", "acme"])
        #expect(throws: TollgateConfiguration.Error.self) { try c.overrideListeners(["nonsense"]) }
        #expect(throws: TollgateConfiguration.Error.self) { try c.overrideListeners(["1.2.3.4:1", "x=1.2.3.4:1", "x=1.2.3.4:2"]) }
    }

    @Test("Bad keys and values stop start-up with a message naming them", arguments: [
        ("bogus = 1", "unknown key 'bogus'"),
        ("[collector]\nmax_batch = 0", "collector.max_batch must be between"),
        ("[collector]\nwriters = \"two\"", "collector.writers must be a whole number"),
        ("[collector]\nturbo = true", "unknown key 'collector.turbo'"),
        ("http = \"localhost\"", "http 'localhost' must be host:port"),
        ("log_level = \"loud\"", "log_level must be one of"),
        ("[[listener]]\nname = \"Bad Name\"", "listener.name"),
        ("[[listener]]\nport = 1813", "unknown key 'listener.port'"),
        ("[[listener]]\nname = \"a\"\n[[listener]]\nname = \"a\"", "used twice"),
        ("database_url = postgres", "line 1: unsupported value"),
        ("database_url = \"x", "line 1: unterminated string"),
        ("[collector\n", "line 1: unclosed [table]"),
        ("[api]\ntenant_concurrency = 0", "api.tenant_concurrency must be between 1 and 256"),
        ("[api]\nturbo = 1", "unknown key 'api.turbo'"),
        ("[api]\ntls_certificate = \"/c.pem\"", "api.tls_certificate and api.tls_key go together"),
        ("api = 1", "api must be an [api] table"),
    ] as [(String, String)])
    func errors(text: String, message: String) {
        do {
            _ = try load(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
