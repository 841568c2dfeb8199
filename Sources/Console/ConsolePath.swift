import API
import Hummingbird

/// The console's one way to put text into a URL and to read a path parameter back.
enum ConsolePath {
    /// `text` with everything but RFC 3986's unreserved ASCII characters percent-encoded
    /// (UTF-8), for a path segment or a query's name or value. ("." and ".." stay dot
    /// segments, which a browser removes: such names are not reachable by path.)
    static func segment(_ text: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return encoded
    }

    /// A routed path parameter, percent-decoded as the API decodes it (exact UTF-8, a leading
    /// byte order mark kept); empty, longer than `maxLength`, with control characters or
    /// badly encoded, it names no page (404).
    static func decode(_ raw: String, maxLength: Int = 253) throws -> String {
        guard let value = percentDecoded(raw), !value.isEmpty, value.count <= maxLength,
            !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f })
        else {
            throw ConsoleError.notFound
        }
        return value
    }

    /// The path parameter `name` of the route, decoded as `decode` does.
    static func parameter(_ context: some RequestContext, _ name: String, maxLength: Int = 253) throws -> String {
        guard let raw = context.parameters.get(name) else { throw ConsoleError.notFound }
        return try decode(raw, maxLength: maxLength)
    }
}
