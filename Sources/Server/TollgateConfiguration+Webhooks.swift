import CivilCalendar
import Enforcement
import TOML

extension TollgateConfiguration {
    /// Reads `[webhooks]`; every key is optional and named in its error.
    mutating func applyWebhooks(_ table: [String: TOMLValue]) throws {
        for (key, value) in table {
            let name = "webhooks.\(key)"
            switch key {
            case "enabled":
                webhooks.enabled = try value.boolean(name)
            case "poll_ms": webhooks.pollInterval = try value.duration(name, in: 50...60_000, .milliseconds)
            case "batch": webhooks.batch = try value.integer(name, in: 1...1000)
            case "timeout_seconds": webhooks.timeout = try value.duration(name, in: 1...120, .seconds)
            case "lease_seconds": webhooks.lease = try value.duration(name, in: 10...3600, .seconds)
            case "retry_initial_seconds": webhooks.backoff.initial = try value.duration(name, in: 1...3600, .seconds)
            case "retry_max_seconds": webhooks.backoff.maximum = try value.duration(name, in: 1...86_400, .seconds)
            case "give_up_after_seconds": webhooks.backoff.giveUpAfter = try value.duration(name, in: 60...(30 * 86_400), .seconds)
            case "max_attempts": webhooks.backoff.maxAttempts = try value.integer(name, in: 1...1000)
            case "silence_check_seconds": webhooks.silenceCheckInterval = try value.duration(name, in: 1...3600, .seconds)
            case "silence_default_interval_seconds": webhooks.silenceDefaultInterval = try value.duration(name, in: 10...86_400, .seconds)
            case "silence_intervals": webhooks.silenceIntervals = try value.integer(name, in: 1...100)
            default: throw Error("unknown key '\(name)'")
            }
        }
        guard webhooks.lease > webhooks.timeout else {
            throw Error(
                "webhooks.lease_seconds (\(webhooks.lease.wholeSeconds)) must be longer than webhooks.timeout_seconds (\(webhooks.timeout.wholeSeconds))"
            )
        }
        guard webhooks.backoff.maximum >= webhooks.backoff.initial else {
            throw Error("webhooks.retry_max_seconds must be at least webhooks.retry_initial_seconds")
        }
    }
}
