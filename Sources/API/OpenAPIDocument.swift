import Foundation

/// The OpenAPI 3.1 description of the API, served at /openapi.yaml: `openapi.yaml` beside
/// this file, compiled into the module as bytes (SwiftPM's `embedInCode`), so serving it
/// needs no resource bundle at run time.
///
/// A test parses it and checks that its operations are exactly `TollgateAPI.routes`, with the
/// roles each summary names; schemathesis (scripts/test) checks every operation against a
/// running server with tokens of each role. Its patterns are the server's own checks written
/// as regular expressions: dates of years 1000-9999 that exist (29 February left out), billing
/// periods of years 1100-8999, text without NUL, decimal amounts, top-up amounts with a unit,
/// webhook URLs as `WebhookURL.validate` takes them.
enum OpenAPIDocument {
    /// Stands in the document for the list of time zone names, which come from the database.
    static let timeZonesPlaceholder = "[TIME_ZONE_NAMES]"

    /// The document as written, with the time zone placeholder.
    static var template: String { String(decoding: PackageResources.openapi_yaml, as: UTF8.self) }

    /// The document with the time zones the database knows.
    static func yaml(timeZones: [String]) -> String {
        let list = "[" + timeZones.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        return template.replacingOccurrences(of: timeZonesPlaceholder, with: list)
    }
}
