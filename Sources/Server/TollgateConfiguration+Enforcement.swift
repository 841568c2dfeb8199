import Enforcement
import TOML

extension TollgateConfiguration {
    /// Reads `[enforcement]`; every key is optional and named in its error.
    mutating func applyEnforcement(_ table: [String: TOMLValue]) throws {
        for (key, value) in table {
            let name = "enforcement.\(key)"
            switch key {
            case "enabled":
                enforcement.enabled = try value.boolean(name)
            case "vendor_directory": enforcement.vendorDirectory = try value.string(name)
            case "lease_seconds": enforcement.lease = try value.duration(name, in: 70...3600, .seconds)
            case "poll_ms": enforcement.pollInterval = try value.duration(name, in: 50...60_000, .milliseconds)
            case "sweep_seconds": enforcement.sweepInterval = try value.duration(name, in: 1...3600, .seconds)
            case "round_limit": enforcement.roundLimit = try value.integer(name, in: 1...100_000)
            default: throw Error("unknown key '\(name)'")
            }
        }
    }
}
