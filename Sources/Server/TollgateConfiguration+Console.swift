import Console
import TOML

extension TollgateConfiguration {
    /// Reads `[console]`; every key is optional and named in its error.
    mutating func applyConsole(_ table: [String: TOMLValue]) throws {
        func integer(_ value: TOMLValue, _ name: String, _ range: ClosedRange<Int>) throws -> Int {
            guard case .integer(let n) = value else { throw Error("\(name) must be a whole number") }
            guard range.contains(n) else { throw Error("\(name) must be between \(range.lowerBound) and \(range.upperBound), not \(n)") }
            return n
        }
        for (key, value) in table {
            let name = "console.\(key)"
            switch key {
            case "idle_timeout_minutes": console.idleTimeout = .seconds(60 * (try integer(value, name, 1...(7 * 24 * 60))))
            case "session_hours": console.lifetime = .seconds(3600 * (try integer(value, name, 1...(30 * 24))))
            case "login_attempts": console.loginAttempts = try integer(value, name, 1...1000)
            case "login_window_minutes": console.loginWindow = .seconds(60 * (try integer(value, name, 1...1440)))
            case "secure_cookies":
                guard case .boolean(let secure) = value else { throw Error("\(name) must be true or false") }
                consoleSecureCookies = secure
            default: throw Error("unknown key '\(name)'")
            }
        }
        guard console.lifetime >= console.idleTimeout else {
            throw Error("console.session_hours must be at least console.idle_timeout_minutes")
        }
    }
}
