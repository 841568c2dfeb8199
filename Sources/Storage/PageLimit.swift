/// The page size every listing accepts.
public enum PageLimit {
    public static let range = 1...10_000
    public static let standard = 1000

    static func check(_ limit: Int) throws {
        guard range.contains(limit) else { throw StoreError(.invalid, "limit must be \(range.lowerBound)-\(range.upperBound), not \(limit)") }
    }
}
