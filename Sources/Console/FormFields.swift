import Foundation

/// The fields of an `application/x-www-form-urlencoded` form body (or a query string).
public struct FormFields: Sendable {
    public private(set) var values: [String: [String]] = [:]

    /// Parses `text`; a field that is not valid percent-encoded UTF-8 is an error.
    public init(_ text: String) throws {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else {
                throw ConsoleError(.badRequest, "the form is not valid percent-encoded text")
            }
            values[name, default: []].append(value)
        }
    }

    /// The field's first value, trimmed; nil when absent or empty.
    public subscript(_ name: String) -> String? {
        guard let value = values[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// A field that must be there, at most `maxLength` characters, no control characters.
    public func required(_ name: String, label: String, maxLength: Int = 253) throws -> String {
        guard let value = self[name] else { throw ConsoleError(.badRequest, "\(label) is required") }
        return try Self.checked(value, label: label, maxLength: maxLength)
    }

    /// An optional field with the same checks.
    public func optional(_ name: String, label: String, maxLength: Int = 253) throws -> String? {
        guard let value = self[name] else { return nil }
        return try Self.checked(value, label: label, maxLength: maxLength)
    }

    static func checked(_ value: String, label: String, maxLength: Int) throws -> String {
        guard value.count <= maxLength else { throw ConsoleError(.badRequest, "\(label) may have at most \(maxLength) characters") }
        guard !value.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t") || $0.value == 0x7f }) else {
            throw ConsoleError(.badRequest, "\(label) may not contain control characters")
        }
        return value
    }

    private static func decode(_ part: Substring) -> String? {
        part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
