import Collector
import Console
import Foundation
import Server
import TestSupport
import Testing

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
        #expect(crlf.http.description == "127.0.0.1:9900")
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
        #expect(configuration.http == defaults.http && defaults.http.description == "127.0.0.1:9813")
        #expect(configuration.dataDirectory == defaults.dataDirectory)
        #expect(configuration.collector.pipeline.maxBatch == defaults.collector.pipeline.maxBatch)
        #expect(
            configuration.collector.pipeline.maxDelay == defaults.collector.pipeline.maxDelay
                && defaults.collector.pipeline.maxDelay == .milliseconds(2))
        #expect(configuration.collector.pipeline.writers == defaults.collector.pipeline.writers)
        #expect(
            configuration.collector.staleSessionTimeout == defaults.collector.staleSessionTimeout
                && defaults.collector.staleSessionTimeout == .seconds(1800))
        #expect(configuration.collector.packetRetentionDays == defaults.collector.packetRetentionDays)
        #expect(configuration.collector.receiveBufferBytes == defaults.collector.receiveBufferBytes)
        #expect(configuration.collector.listeners == defaults.collector.listeners)
        #expect(
            configuration.collector.pipeline.commitTimeout == defaults.collector.pipeline.commitTimeout
                && defaults.collector.pipeline.commitTimeout == .seconds(10))
        #expect(
            configuration.collector.merge.batchPerStream == defaults.collector.merge.batchPerStream
                && defaults.collector.merge.batchPerStream == 10_000)
        #expect(configuration.collector.merge.workers == defaults.collector.merge.workers && defaults.collector.merge.workers == 2)
        #expect(
            configuration.collector.merge.cacheCapacity == defaults.collector.merge.cacheCapacity && defaults.collector.merge.cacheCapacity == 400_000
        )
        #expect(configuration.spoolDirectory == nil && configuration.spoolMaxBytes == defaults.spoolMaxBytes)
        #expect(configuration.enforcement == defaults.enforcement)
        #expect(
            defaults.enforcement.enabled && defaults.enforcement.vendorDirectory == "Config/vendors" && defaults.enforcement.lease == .seconds(120)
                && defaults.enforcement.pollInterval == .milliseconds(1000) && defaults.enforcement.sweepInterval == .seconds(30)
                && defaults.enforcement.roundLimit == 2000)
        #expect(configuration.spool?.directory == ".tollgate/spool")
        #expect(configuration.nasLimitPerTenant == defaults.nasLimitPerTenant && defaults.nasLimitPerTenant == 10_000)
        #expect(configuration.api == defaults.api)
        #expect(configuration.console == defaults.console)
        #expect(
            defaults.console
                == ConsoleSettings(
                    idleTimeout: .seconds(1800), lifetime: .seconds(43_200), secureCookies: false,
                    loginAttempts: 5, loginWindow: .seconds(300)))
    }

    @Test("The [console] keys: read, and refused by name")
    func console() throws {
        let configuration = try load(
            """
            [console]
            idle_timeout_minutes = 15
            session_hours = 8
            login_attempts = 3
            login_window_minutes = 10
            """)
        #expect(
            configuration.console
                == ConsoleSettings(
                    idleTimeout: .seconds(900), lifetime: .seconds(28_800), secureCookies: false,
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
        let configuration = try load(
            """
            [enforcement]
            enabled = false
            vendor_directory = "/etc/tollgate/vendors"
            lease_seconds = 300
            poll_ms = 250
            sweep_seconds = 5
            round_limit = 500
            """)
        #expect(!configuration.enforcement.enabled && configuration.enforcement.vendorDirectory == "/etc/tollgate/vendors")
        #expect(configuration.enforcement.lease == .seconds(300) && configuration.enforcement.pollInterval == .milliseconds(250))
        #expect(configuration.enforcement.sweepInterval == .seconds(5) && configuration.enforcement.roundLimit == 500)
        for bad in ["lease_seconds = 60", "poll_ms = 10", "sweep_seconds = 0", "round_limit = 0", "enabled = 1", "vendor_directory = 3", "speed = 1"]
        {
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
        let configuration = try load(
            """
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
        expected.queueWait = .milliseconds(2500)
        expected.statementTimeout = .milliseconds(60000)
        expected.idleTimeout = .seconds(15)
        expected.readTimeout = .seconds(5)
        expected.maxConnections = 100
        expected.tlsCertificate = "/etc/tollgate/cert.pem"
        expected.tlsKey = "/etc/tollgate/key.pem"
        #expect(configuration.api == expected)
        let defaults = APISettings()
        #expect(defaults.tenantConcurrency == 4 && defaults.maxConnections == 512 && defaults.tlsCertificate == nil)
    }

    @Test("Spool settings: folder, size limit, off with 0; the commit timeout")
    func spool() throws {
        let c = try load(
            """
            data_directory = "/var/lib/tollgate"
            [collector]
            spool_max_bytes = 5000000
            commit_timeout_ms = 2500
            """)
        #expect(c.spool?.directory == "/var/lib/tollgate/spool")
        #expect(c.spool?.maxBytes == 5_000_000)
        #expect(c.spool?.segmentBytes == 1 << 20)
        #expect(c.collector.pipeline.commitTimeout == .milliseconds(2500))
        let elsewhere = try load("[collector]\nspool_directory = \"/srv/spool\"")
        #expect(elsewhere.spool?.directory == "/srv/spool")
        #expect(try load("[collector]\nspool_max_bytes = 0").spool == nil)
        #expect(throws: TollgateConfiguration.Error.self) { try load("[collector]\ncommit_timeout_ms = 5") }
        #expect(throws: TollgateConfiguration.Error.self) { try load("[collector]\nspool_max_bytes = -1") }
    }

    @Test("Listeners, dedicated tenants and collector settings are read")
    func listeners() throws {
        let c = try load(
            """
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
        #expect(c.http == (try SocketAddress(parsing: "[::1]:9000")) && c.http.host == "::1" && c.http.port == 9000)
        #expect(c.collector.pipeline.maxBatch == 500)
        #expect(c.collector.pipeline.maxDelay == .milliseconds(5))
        #expect(
            c.collector.listeners == [
                ListenerConfiguration(name: "shared", address: try SocketAddress(parsing: "0.0.0.0:1813")),
                ListenerConfiguration(name: "acme", address: try SocketAddress(parsing: "[::]:1814"), tenant: "acme"),
            ])
        #expect(c.collector.listeners.map(\.address.description) == ["0.0.0.0:1813", "[::]:1814"])
    }

    @Test("Environment variables override the file")
    func environment() throws {
        let c = try load(
            "database_url = \"postgresql:///a\"\nlog_level = \"debug\"\n",
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

    @Test("Full TOML: inline tables, dotted keys, multi-line strings, hex and arrays of inline tables configure as the long forms do")
    func fullTOML() throws {
        let c = try load(
            """
            data_directory = '''
            /var/lib/tollgate'''
            collector = { max_batch = 77, writers = 3 }
            api.tenant_concurrency = 6
            api.max_connections = 0x100
            listener = [{ name = "a", address = "127.0.0.1:1813" }, { name = "b", address = "[::1]:1814", tenant = "beta" }]
            [webhooks]
            poll_ms = 2_500
            """)
        #expect(c.dataDirectory == "/var/lib/tollgate")
        #expect(c.collector.pipeline.maxBatch == 77 && c.collector.pipeline.writers == 3)
        #expect(c.api.tenantConcurrency == 6 && c.api.maxConnections == 256)
        #expect(c.collector.listeners.map(\.name) == ["a", "b"])
        #expect(c.collector.listeners.map(\.address.description) == ["127.0.0.1:1813", "[::1]:1814"])
        #expect(c.collector.listeners.map(\.tenant) == [nil, "beta"])
        #expect(c.webhooks.pollInterval == .milliseconds(2500))
    }

    @Test("Every duration key reads into the exact Duration of its documented unit")
    func durations() throws {
        let c = try load(
            """
            [collector]
            max_delay_ms = 7
            commit_timeout_ms = 2500
            stale_session_timeout = 600
            registry_refresh_seconds = 3
            maintenance_seconds = 90
            [api]
            queue_wait_ms = 1500
            statement_timeout_ms = 45000
            idle_timeout_seconds = 20
            read_timeout_seconds = 4
            [enforcement]
            lease_seconds = 150
            poll_ms = 75
            sweep_seconds = 12
            [webhooks]
            poll_ms = 250
            timeout_seconds = 7
            lease_seconds = 40
            silence_check_seconds = 15
            silence_default_interval_seconds = 300
            [console]
            idle_timeout_minutes = 15
            session_hours = 8
            login_window_minutes = 10
            """)
        #expect(c.collector.pipeline.maxDelay == .milliseconds(7))
        #expect(c.collector.pipeline.commitTimeout == .milliseconds(2500))
        #expect(c.collector.staleSessionTimeout == .seconds(600))
        #expect(c.collector.registryRefreshInterval == .seconds(3))
        #expect(c.collector.maintenanceInterval == .seconds(90))
        #expect(c.api.queueWait == .milliseconds(1500) && c.api.statementTimeout == .seconds(45))
        #expect(c.api.idleTimeout == .seconds(20) && c.api.readTimeout == .seconds(4))
        #expect(
            c.enforcement.lease == .seconds(150) && c.enforcement.pollInterval == .milliseconds(75) && c.enforcement.sweepInterval == .seconds(12))
        #expect(c.webhooks.pollInterval == .milliseconds(250) && c.webhooks.timeout == .seconds(7) && c.webhooks.lease == .seconds(40))
        #expect(c.webhooks.silenceCheckInterval == .seconds(15) && c.webhooks.silenceDefaultInterval == .seconds(300))
        #expect(c.console.idleTimeout == .seconds(900) && c.console.lifetime == .seconds(28_800) && c.console.loginWindow == .seconds(600))
        let defaults = TollgateConfiguration()
        #expect(defaults.collector.registryRefreshInterval == .seconds(2) && defaults.collector.maintenanceInterval == .seconds(60))
        #expect(defaults.api.queueWait == .seconds(10) && defaults.api.statementTimeout == .seconds(30))
        #expect(defaults.api.idleTimeout == .seconds(60) && defaults.api.readTimeout == .seconds(30))
        #expect(defaults.webhooks.silenceCheckInterval == .seconds(60) && defaults.webhooks.silenceDefaultInterval == .seconds(600))
    }

    @Test(
        "A value of the wrong TOML type is refused naming the key, whatever form the file used",
        arguments: [
            ("[collector]\nmax_batch = 1.5", "collector.max_batch must be a whole number"),
            ("collector = { max_delay_ms = \"5\" }", "collector.max_delay_ms must be a whole number"),
            ("http = 9813", "http must be a quoted string"),
            ("database_url = 2026-01-31", "database_url must be a quoted string"),
            ("webhooks.enabled = \"yes\"", "webhooks.enabled must be true or false"),
            ("[api]\nqueue_wait_ms = 600001", "api.queue_wait_ms must be between 0 and 600000, not 600001"),
            ("listener = [{ name = \"a\", port = 1813 }]", "unknown key 'listener.port'"),
            ("listener = [1, 2]", "listener must be [[listener]] tables"),
        ] as [(String, String)])
    func wrongTypes(text: String, message: String) {
        do {
            _ = try load(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test("A syntax error names the file, the line and the column")
    func syntaxErrorPosition() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-\(UUID().uuidString).toml").path
        try "[collector]\nmax_batch = 500\nwriters = = 2\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try TollgateConfiguration.load(path: path, environment: [:])
            Issue.record("accepted")
        } catch {
            #expect("\(error)".hasPrefix("\(path): line 3, column 11: "), "\(error)")
        }
    }

    @Test(
        "Addresses from the file, the environment and the flags: IPv4, [IPv6]:port and *:port; refusals say why",
        arguments: [
            ("127.0.0.1:9900", "127.0.0.1:9900"),
            ("[::1]:9000", "[::1]:9000"),
            ("[2001:db8::7]:0", "[2001:db8::7]:0"),
            ("*:9813", "0.0.0.0:9813"),
            (":1813", "0.0.0.0:1813"),
            ("[::]:65535", "[::]:65535"),
        ] as [(String, String)])
    func addresses(text: String, formatted: String) throws {
        #expect(try load("http = \"\(text)\"\n").http.description == formatted)
        #expect(try load("", environment: ["TOLLGATE_HTTP": text]).http.description == formatted)
        var c = TollgateConfiguration()
        try c.overrideHTTP(text)
        #expect(c.http.description == formatted)
        try c.overrideListeners([text])
        #expect(c.collector.listeners.map(\.address.description) == [formatted])
        // The formatted address reads back as the same address.
        #expect(try SocketAddress(parsing: formatted) == c.http && c.http.port == UInt16(formatted.split(separator: ":").last!)!)
    }

    @Test(
        "Bad addresses are refused naming the key and the reason",
        arguments: [
            ("http = \"127.0.0.1\"", "http '127.0.0.1' must be host:port, [ipv6]:port or *:port with a numeric address: no :port"),
            (
                "http = \"127.0.0.1:65536\"",
                "http '127.0.0.1:65536' must be host:port, [ipv6]:port or *:port with a numeric address: the port 65536 is not between 0 and 65535"
            ),
            ("http = \"127.0.0.1:-1\"", "the port '-1' is not a number"),
            ("http = \"::1:9000\"", "an IPv6 address goes in brackets, as [::1]:1813"),
            ("http = \"[::1:9000\"", "'[' without ']' around the IPv6 address"),
            ("http = \"[::1]9000\"", "no :port after the bracketed address"),
            ("http = \"localhost:9813\"", "'localhost' is not a numeric IPv4 or IPv6 address"),
            ("http = \"256.0.0.1:9813\"", "'256.0.0.1' is not a numeric IPv4 or IPv6 address"),
            ("[[listener]]\naddress = \"10.0.0.1\"", "listener.address '10.0.0.1' must be host:port"),
        ] as [(String, String)])
    func badAddresses(text: String, message: String) {
        do {
            _ = try load(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test(
        "Bad keys and values stop start-up with a message naming them",
        arguments: [
            ("bogus = 1", "unknown key 'bogus'"),
            ("[collector]\nmax_batch = 0", "collector.max_batch must be between"),
            ("[collector]\nwriters = \"two\"", "collector.writers must be a whole number"),
            ("[collector]\nturbo = true", "unknown key 'collector.turbo'"),
            ("http = \"localhost\"", "http 'localhost' must be host:port"),
            ("log_level = \"loud\"", "log_level must be one of"),
            ("[[listener]]\nname = \"Bad Name\"", "listener.name"),
            ("[[listener]]\nport = 1813", "unknown key 'listener.port'"),
            ("[[listener]]\nname = \"a\"\n[[listener]]\nname = \"a\"", "used twice"),
            ("database_url = postgres", ": line 1, column 16: Error while parsing value: could not determine value type (strings need quotes)"),
            ("database_url = \"x", ": line 1, column 18: Error while parsing string: encountered end-of-file"),
            ("[collector\n", ": line 1, column 11: Error while parsing table header: expected ']'"),
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
