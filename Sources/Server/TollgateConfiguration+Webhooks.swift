import Enforcement
import TOML

extension TollgateConfiguration {
    /// Reads `[webhooks]`; every key is optional and named in its error.
    mutating func applyWebhooks(_ table: [String: TOMLValue]) throws {
        func integer(_ value: TOMLValue, _ name: String, _ range: ClosedRange<Int>) throws -> Int {
            guard case .integer(let n) = value else { throw Error("\(name) must be a whole number") }
            guard range.contains(n) else { throw Error("\(name) must be between \(range.lowerBound) and \(range.upperBound), not \(n)") }
            return n
        }
        for (key, value) in table {
            let name = "webhooks.\(key)"
            switch key {
            case "enabled":
                guard case .boolean(let enabled) = value else { throw Error("\(name) must be true or false") }
                webhooks.enabled = enabled
            case "poll_ms": webhooks.pollInterval = Double(try integer(value, name, 50...60_000)) / 1000
            case "batch": webhooks.batch = try integer(value, name, 1...1000)
            case "timeout_seconds": webhooks.timeout = Double(try integer(value, name, 1...120))
            case "lease_seconds": webhooks.leaseSeconds = try integer(value, name, 10...3600)
            case "retry_initial_seconds": webhooks.backoff.initial = Double(try integer(value, name, 1...3600))
            case "retry_max_seconds": webhooks.backoff.maximum = Double(try integer(value, name, 1...86_400))
            case "give_up_after_seconds": webhooks.backoff.giveUpAfter = Double(try integer(value, name, 60...(30 * 86_400)))
            case "max_attempts": webhooks.backoff.maxAttempts = try integer(value, name, 1...1000)
            case "silence_check_seconds": webhooks.silenceCheckInterval = Double(try integer(value, name, 1...3600))
            case "silence_default_interval_seconds": webhooks.silenceDefaultInterval = try integer(value, name, 10...86_400)
            case "silence_intervals": webhooks.silenceIntervals = try integer(value, name, 1...100)
            default: throw Error("unknown key '\(name)'")
            }
        }
        guard Double(webhooks.leaseSeconds) > webhooks.timeout else {
            throw Error("webhooks.lease_seconds (\(webhooks.leaseSeconds)) must be longer than webhooks.timeout_seconds (\(Int(webhooks.timeout)))")
        }
        guard webhooks.backoff.maximum >= webhooks.backoff.initial else {
            throw Error("webhooks.retry_max_seconds must be at least webhooks.retry_initial_seconds")
        }
    }
}
