import Storage

/// A list response: `{"items": [...]}` with the cursor of the next page when there is one.
struct Page<T: Encodable & Sendable>: Encodable, Sendable {
    var items: [T]
    var nextCursor: String?

    init(items: [T], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// A store's page, its next key sealed into a cursor.
    init(_ page: KeysetPage<T>, _ cursor: PageCursor) {
        items = page.rows
        nextCursor = page.next.map(cursor.encode)
    }

    /// `next_cursor` is always present: null on the last page.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    enum CodingKeys: String, CodingKey {
        case items, nextCursor
    }
}
