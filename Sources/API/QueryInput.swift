import Foundation
import Hummingbird
import Storage

/// Query parameters, checked the same way.
struct QueryInput {
    let request: Request
    let allowed: Set<String>

    init(_ request: Request, allowed: Set<String>) throws {
        self.request = request
        self.allowed = allowed
        for (key, _) in request.uri.queryParameters where !allowed.contains(String(key)) {
            throw APIError.invalid("unknown query parameter '\(JSONBody.printable(String(key)))'; known: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    func string(_ key: String, maxLength: Int = 200) throws -> String? {
        guard let value = request.uri.queryParameters.get(key) else { return nil }
        let text = String(value)
        try JSONBody.check(text, key, maxLength: maxLength)
        return text
    }

    func integer(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let text = try string(key) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.invalid("\(key) must be a whole number between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = T(rawValue: text) else {
            throw APIError.invalid("\(key) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}

extension QueryInput {
    /// `limit` (1-10000, default 1000 unless the listing says otherwise) and `cursor`, read
    /// for `cursor`'s listing.
    func page(_ cursor: PageCursor, defaultLimit: Int = PageLimit.standard) throws -> PageRequest {
        let limit = try integer("limit", PageLimit.range) ?? defaultLimit
        let after = try string("cursor", maxLength: PageCursor.maxLength).map(cursor.decode)
        return PageRequest(after: after, limit: limit)
    }
}
