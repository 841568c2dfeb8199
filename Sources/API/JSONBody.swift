import Foundation
import Hummingbird

/// A request's JSON object, read field by field: unknown fields, wrong types, values out of
/// range, NUL characters and over-long strings are refused with 400 naming the field.
struct JSONBody {
    let fields: [String: JSONValue]

    /// Largest request body accepted, octets.
    static let maximumSize = 1 << 20

    static func read(_ request: Request, allowed: Set<String>?) async throws -> JSONBody {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumSize)
        } catch {
            throw APIError(.contentTooLarge, "too_large", "the request body is larger than \(maximumSize) octets")
        }
        return try parse(Data(buffer.readableBytesView), allowed: allowed)
    }

    /// `allowed` nil: the caller checks the fields itself.
    static func parse(_ data: Data, allowed: Set<String>?) throws -> JSONBody {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw APIError.invalid("the body is not valid JSON")
        }
        guard case .object(let fields) = value else { throw APIError.invalid("the body must be a JSON object, not \(value.typeName)") }
        if let allowed {
            for key in fields.keys.sorted() where !allowed.contains(key) {
                throw APIError.invalid("unknown field '\(Self.printable(key))'; known fields: \(allowed.sorted().joined(separator: ", "))")
            }
        }
        return JSONBody(fields: fields)
    }

    func string(_ key: String, maxLength: Int = 200) throws -> String? {
        guard let value = fields[key], value != .null else { return nil }
        guard case .string(let text) = value else { throw APIError.invalid("\(key) must be a string, not \(value.typeName)") }
        try Self.check(text, key, maxLength: maxLength)
        return text
    }

    func requiredString(_ key: String, maxLength: Int = 200) throws -> String {
        guard let text = try string(key, maxLength: maxLength) else { throw APIError.invalid("\(key) is required") }
        return text
    }

    func integer(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let value = fields[key], value != .null else { return nil }
        guard case .integer(let number) = value else { throw APIError.invalid("\(key) must be a whole number, not \(value.typeName)") }
        guard number >= Int64(range.lowerBound), number <= Int64(range.upperBound) else {
            throw APIError.invalid("\(key) must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return Int(number)
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = fields[key], value != .null else { return nil }
        guard case .bool(let flag) = value else { throw APIError.invalid("\(key) must be true or false, not \(value.typeName)") }
        return flag
    }

    /// A string field that may be given as null to clear it: nil when absent, .some(nil) for null.
    func clearableString(_ key: String, maxLength: Int = 200) throws -> String?? {
        guard let value = fields[key] else { return nil }
        if value == .null { return .some(nil) }
        return .some(try string(key, maxLength: maxLength))
    }

    static func check(_ text: String, _ key: String, maxLength: Int) throws {
        guard !text.utf8.contains(0) else { throw APIError.invalid("\(key) must not contain NUL characters") }
        guard text.count <= maxLength else { throw APIError.invalid("\(key) must be at most \(maxLength) characters") }
    }

    /// A field name as it may appear in a message: printable, at most 64 characters.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.prefix(64).map { $0.value < 32 || $0.value == 127 ? "?" : Character($0) })
    }
}

/// Percent-decoding of a path segment into exact UTF-8 text (Foundation's decoding drops a
/// leading byte order mark); nil for bad escapes or invalid UTF-8.
public func percentDecoded(_ text: String) -> String? {
    var bytes: [UInt8] = []
    var input = Array(text.utf8)[...]
    while let byte = input.popFirst() {
        guard byte == UInt8(ascii: "%") else {
            bytes.append(byte)
            continue
        }
        guard input.count >= 2, let value = UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16) else { return nil }
        bytes.append(value)
        input = input.dropFirst(2)
    }
    return String(validating: bytes, as: UTF8.self)
}
