/// One page of a listing in a total order: its rows, and the sort key of its last row when
/// more rows follow (nil on the last page).
public struct KeysetPage<Row> {
    public var rows: [Row]
    public var next: [String]?

    /// The page from up to `limit + 1` fetched rows: the extra row only says that more follow.
    init(fetched: [Row], limit: Int, key: (Row) -> [String]) {
        rows = Array(fetched.prefix(limit))
        next = fetched.count > limit ? rows.last.map(key) : nil
    }
}

/// A sort key read back from a cursor: exactly `count` parts, or the cursor is refused.
func keyParts(_ after: [String]?, _ count: Int) throws -> [String?] {
    guard let after else { return [String?](repeating: nil, count: count) }
    guard after.count == count else { throw StoreError(.invalid, "cursor does not belong to this listing") }
    return after
}
