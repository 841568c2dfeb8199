extension TOMLValue {
    /// The value as Foundation values, the way JSON reads into them (decimals stay text, so
    /// readers that refuse binary floating point take them as exact decimals; dates are their
    /// RFC 3339 text, as JSON would carry them).
    public var foundationValue: Any {
        switch self {
        case .string(let s): return s
        case .integer(let n): return n
        case .decimal(let text): return text
        case .boolean(let b): return b
        case .dateTime(let text): return text
        case .array(let items): return items.map(\.foundationValue)
        case .table(let table): return table.mapValues(\.foundationValue)
        case .tables(let tables): return tables.map { $0.mapValues(\.foundationValue) }
        }
    }
}
