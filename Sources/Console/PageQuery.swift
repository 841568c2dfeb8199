import Foundation
import Hummingbird

/// A page's query parameters, read and checked, and links that change some of them while
/// keeping the others.
struct PageQuery: Sendable {
    let path: String
    private(set) var values: [(String, String)]

    init(_ request: Request) {
        path = request.uri.path
        values = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
    }

    init(path: String, values: [(String, String)]) {
        self.path = path
        self.values = values
    }

    /// A parameter, trimmed; nil when absent or empty.
    subscript(_ name: String) -> String? {
        guard let value = values.first(where: { $0.0 == name })?.1.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// A text parameter of at most `maxLength` characters.
    func text(_ name: String, maxLength: Int = 253) throws -> String? {
        guard let value = self[name] else { return nil }
        guard value.count <= maxLength, !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw ConsoleError(.badRequest, "\(name) must be at most \(maxLength) characters without control characters")
        }
        return value
    }

    /// One of `choices`, or `fallback` when absent.
    func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ fallback: T) throws -> T where T.RawValue == String {
        guard let value = self[name] else { return fallback }
        guard let choice = T(rawValue: value) else {
            throw ConsoleError(.badRequest, "\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return choice
    }

    /// An integer within `range`, or `fallback` when absent.
    func integer(_ name: String, _ fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let value = self[name] else { return fallback }
        guard let number = Int(value), range.contains(number) else {
            throw ConsoleError(.badRequest, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// The rows a listing shows: `limit` (default 50, at most 500).
    func limit() throws -> Int { try integer("limit", 50, in: 1...500) }

    /// This page's link with `changes` applied (nil removes a parameter).
    func link(_ changes: [String: String?]) -> String {
        var kept = values.filter { changes[$0.0] == nil }
        for (name, value) in changes.sorted(by: { $0.key < $1.key }) {
            if let value = value ?? nil { kept.append((name, value)) }
        }
        guard !kept.isEmpty else { return path }
        return path + "?" + kept.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    static func encode(_ text: String) -> String { ConsolePath.segment(text) }
}

/// A header cell of a table sorted on the server: a link that sorts by its column (the
/// other direction when it already does), `aria-sort` on the sorted one.
struct SortHeader: Sendable {
    var label: String
    /// The link that sorts by this column; nil for a column the listing does not sort by.
    var href: String?
    var ariaSort: String?
    var numeric: Bool

    /// The headers of `columns` (name, label, numeric) for the query's `sort` and `dir`; only
    /// the columns named in `sortable` link to a sorting.
    static func headers(
        _ query: PageQuery, columns: [(String, String, Bool)], sortable: Set<String>? = nil, sort: String,
        descending: Bool
    ) -> [SortHeader] {
        columns.map { name, label, numeric in
            let current = name == sort
            let nextDirection = current ? (descending ? "asc" : "desc") : (numeric ? "desc" : "asc")
            let href = sortable.map { $0.contains(name) } ?? true ? query.link(["sort": name, "dir": nextDirection, "page": nil]) : nil
            return SortHeader(label: label, href: href, ariaSort: current ? (descending ? "descending" : "ascending") : nil, numeric: numeric)
        }
    }
}

/// Links to the previous and next page of a listing.
struct Pager: Sendable {
    var previous: String?
    /// Back to the first page, for listings that page forward by a key and cannot step back.
    var first: String?
    var next: String?
    /// Whether there is a link at all (stored: templates read stored properties only).
    var any: Bool

    init(previous: String? = nil, first: String? = nil, next: String?) {
        self.previous = previous
        self.first = first
        self.next = next
        any = previous != nil || first != nil || next != nil
    }
}
