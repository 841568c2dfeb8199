import Enforcement
import TOML

extension TollgateConfiguration {
    /// Reads `[enforcement]`; every key is optional and named in its error.
    mutating func applyEnforcement(_ table: [String: TOMLValue]) throws {
        for (key, value) in table {
            let name = "enforcement.\(key)"
            switch key {
            case "enabled":
                guard case .boolean(let enabled) = value else { throw Error("\(name) must be true or false") }
                enforcement.enabled = enabled
            case "vendor_directory": enforcement.vendorDirectory = try string(value, name)
            case "lease_seconds": enforcement.leaseSeconds = try integer(value, name, 70...3600)
            case "poll_ms": enforcement.pollMilliseconds = try integer(value, name, 50...60_000)
            case "sweep_seconds": enforcement.sweepSeconds = try integer(value, name, 1...3600)
            case "round_limit": enforcement.roundLimit = try integer(value, name, 1...100_000)
            default: throw Error("unknown key '\(name)'")
            }
        }
    }
}
