import Enforcement
import Foundation
import Server
import TestSupport
import Testing

private func load(_ text: String) throws -> TollgateConfiguration {
    let path = temporaryPath("tollgate", suffix: ".toml")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try TollgateConfiguration.load(path: path, environment: [:])
}

@Suite("Configuration: [webhooks]")
struct WebhookConfigurationTests {
    @Test("The shipped example carries the documented defaults")
    func example() throws {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        let configuration = try TollgateConfiguration.load(path: path + "/Config/tollgate.toml", environment: [:])
        #expect(configuration.webhooks == WebhookConfiguration())
        let defaults = WebhookConfiguration()
        #expect(
            defaults.enabled && defaults.pollInterval == .seconds(1) && defaults.batch == 32 && defaults.timeout == .seconds(10)
                && defaults.lease == .seconds(60))
        #expect(defaults.backoff == WebhookBackoff(initial: .seconds(10), maximum: .seconds(3600), giveUpAfter: .seconds(86_400), maxAttempts: 30))
        #expect(defaults.silenceCheckInterval == .seconds(60) && defaults.silenceDefaultInterval == .seconds(600) && defaults.silenceIntervals == 3)
    }

    @Test("Every key is read; bad values are refused naming the key")
    func keys() throws {
        let configuration = try load(
            """
            [webhooks]
            enabled = false
            poll_ms = 250
            batch = 8
            timeout_seconds = 5
            lease_seconds = 30
            retry_initial_seconds = 2
            retry_max_seconds = 600
            give_up_after_seconds = 7200
            max_attempts = 12
            silence_check_seconds = 15
            silence_default_interval_seconds = 300
            silence_intervals = 4
            """)
        let webhooks = configuration.webhooks
        #expect(
            !webhooks.enabled && webhooks.pollInterval == .milliseconds(250) && webhooks.batch == 8 && webhooks.timeout == .seconds(5)
                && webhooks.lease == .seconds(30))
        #expect(webhooks.backoff == WebhookBackoff(initial: .seconds(2), maximum: .seconds(600), giveUpAfter: .seconds(7200), maxAttempts: 12))
        #expect(webhooks.silenceCheckInterval == .seconds(15) && webhooks.silenceDefaultInterval == .seconds(300) && webhooks.silenceIntervals == 4)
        for (bad, key) in [
            ("enabled = 1", "webhooks.enabled"), ("batch = 0", "webhooks.batch"), ("timeout_seconds = 121", "webhooks.timeout_seconds"),
            ("lease_seconds = 10", "webhooks.lease_seconds"), ("retry_initial_seconds = 20\nretry_max_seconds = 10", "webhooks.retry_max_seconds"),
            ("silence_intervals = 0", "webhooks.silence_intervals"), ("colour = \"blue\"", "webhooks.colour"),
        ] {
            #expect {
                try load("[webhooks]\n\(bad)\n")
            } throws: { error in
                "\(error)".contains(key)
            }
        }
    }
}
