/// Typed reads of one value, each failing with a `TOMLKeyError` that names the key.
extension TOMLValue {
    public func string(_ key: String) throws(TOMLKeyError) -> String {
        guard case .string(let text) = self else { throw TOMLKeyError(key: key, "must be a quoted string") }
        return text
    }

    public func boolean(_ key: String) throws(TOMLKeyError) -> Bool {
        guard case .boolean(let value) = self else { throw TOMLKeyError(key: key, "must be true or false") }
        return value
    }

    /// A whole number within `range`.
    public func integer(_ key: String, in range: ClosedRange<Int>) throws(TOMLKeyError) -> Int {
        guard case .integer(let number) = self else { throw TOMLKeyError(key: key, "must be a whole number") }
        guard range.contains(number) else {
            throw TOMLKeyError(key: key, "must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return number
    }

    /// A whole number of `unit`s within `range`, as the exact `Duration`: the unit is the
    /// key's (`flush_interval_ms` counts milliseconds), the range is in that unit.
    public func duration(_ key: String, in range: ClosedRange<Int>, _ unit: DurationUnit) throws(TOMLKeyError) -> Duration {
        unit.duration(try integer(key, in: range))
    }

    /// The unit a duration key counts in.
    public enum DurationUnit: Sendable {
        case milliseconds, seconds, minutes, hours

        func duration(_ count: Int) -> Duration {
            switch self {
            case .milliseconds: .milliseconds(count)
            case .seconds: .seconds(count)
            case .minutes: .seconds(count * 60)
            case .hours: .seconds(count * 3600)
            }
        }
    }
}
