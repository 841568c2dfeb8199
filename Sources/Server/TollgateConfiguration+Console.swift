import Console
import TOML

extension TollgateConfiguration {
    /// Reads `[console]`; every key is optional and named in its error.
    mutating func applyConsole(_ table: [String: TOMLValue]) throws {
        for (key, value) in table {
            let name = "console.\(key)"
            switch key {
            case "idle_timeout_minutes": console.idleTimeout = try value.duration(name, in: 1...(7 * 24 * 60), .minutes)
            case "session_hours": console.lifetime = try value.duration(name, in: 1...(30 * 24), .hours)
            case "login_attempts": console.loginAttempts = try value.integer(name, in: 1...1000)
            case "login_window_minutes": console.loginWindow = try value.duration(name, in: 1...1440, .minutes)
            case "secure_cookies":
                consoleSecureCookies = try value.boolean(name)
            default: throw Error("unknown key '\(name)'")
            }
        }
        guard console.lifetime >= console.idleTimeout else {
            throw Error("console.session_hours must be at least console.idle_timeout_minutes")
        }
    }
}
