import Foundation

/// JSON text embedded as it is.
struct RawJSON: Encodable, Sendable {
    let value: JSONValue

    init(_ text: String) {
        value = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
    }

    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
