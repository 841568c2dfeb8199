import Foundation
import Rating
import TOML

/// A plan document pasted into a form: JSON when it starts with `{`, else TOML (the plan
/// files of Config/plans), read by the same `PlanDocument` parser as the API and the CLI.
enum PlanDocumentText {
    /// The document, or a `ConsoleError` with the parser's message (naming the field or line).
    static func parse(_ text: String) throws -> PlanDocument {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ConsoleError(.badRequest, "document: paste the plan's terms as TOML or JSON") }
        do {
            if trimmed.hasPrefix("{") { return try PlanDocument.parse(json: Data(trimmed.utf8)) }
            let table: [String: TOMLValue]
            do {
                table = try TOMLDocument.parse(trimmed)
            } catch {
                throw ConsoleError(.badRequest, "document (TOML): \(error)")
            }
            return try PlanDocument.parse(table.mapValues(\.foundationValue))
        } catch let error as PlanError {
            throw ConsoleError(.badRequest, error.description)
        }
    }
}
