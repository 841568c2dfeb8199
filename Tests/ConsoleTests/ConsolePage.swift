import Foundation
import HTTPTypes

/// A console response as the tests read it: status, body and headers, and the parts of the
/// HTML a test looks for (cookies, form tokens, tables, elements by id, attributes).
struct ConsolePage: Sendable {
    var status: Int
    var body: String
    var headers: HTTPFields

    /// The values of every Set-Cookie header.
    var setCookies: [String] { headers[values: .setCookie] }

    /// The value a Set-Cookie header gives `name` (nil when none sets it).
    func cookie(_ name: String) -> String? {
        for header in setCookies where header.hasPrefix(name + "=") {
            return String(header.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }

    /// The whole Set-Cookie header of `name`.
    func setCookie(_ name: String) -> String? { setCookies.first { $0.hasPrefix(name + "=") } }

    /// The value of the first hidden `csrf` field of the page.
    var csrf: String? { field("csrf") }

    /// The value attribute of the first input named `name`.
    func field(_ name: String) -> String? {
        guard let range = body.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(body[range.upperBound...].prefix { $0 != "\"" })
    }

    var location: String? { headers[.location] }

    /// The rows of the table with `id`, each as its `<tr` opening through its `</tr>`.
    func rows(_ table: String) -> [String] {
        guard let start = body.range(of: "<table id=\"\(table)\"") else { return [] }
        let rest = body[start.upperBound...]
        let end = rest.range(of: "</table>")?.lowerBound ?? rest.endIndex
        let tbody = rest[..<end].components(separatedBy: "<tbody>").dropFirst().joined()
        return tbody.components(separatedBy: "<tr").dropFirst().map { "<tr" + $0.components(separatedBy: "</tr>")[0] }
    }

    /// The text of every cell of `row`, tags removed, whitespace trimmed.
    static func cells(_ row: String) -> [String] {
        row.components(separatedBy: "<td").dropFirst().map { cell in
            let inner = cell.drop { $0 != ">" }.dropFirst().components(separatedBy: "</td>")[0]
            var text = ""
            var inTag = false
            for character in inner {
                if character == "<" { inTag = true } else if character == ">" { inTag = false } else if !inTag { text.append(character) }
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The opening tag of the element with `id`, or "".
    func tag(id: String) -> String {
        guard let range = body.range(of: "id=\"\(id)\"") else { return "" }
        let start = body[..<range.lowerBound].lastIndex(of: "<") ?? range.lowerBound
        let end = body[range.upperBound...].firstIndex(of: ">") ?? body.endIndex
        return String(body[start..<end])
    }

    /// The element with `id` up to its closing tag (no nesting of the same tag inside).
    func element(id: String, closing: String) -> String {
        guard let range = body.range(of: "id=\"\(id)\"") else { return "" }
        let start = body[..<range.lowerBound].lastIndex(of: "<") ?? range.lowerBound
        let end = body.range(of: closing, range: range.upperBound..<body.endIndex)?.upperBound ?? body.endIndex
        return String(body[start..<end])
    }

    /// The table rows (`<tr ...>...</tr>`) of `html` whose opening tag has `attribute`.
    static func rows(_ html: String, attribute: String) -> [String] {
        html.components(separatedBy: "<tr ").dropFirst().map { "<tr " + ($0.components(separatedBy: "</tr>").first ?? "") }
            .filter { $0.hasPrefix("<tr \(attribute)=") }
    }

    /// The value of `name="..."` in `html` (the first).
    static func attribute(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: " \(name)=\"") else { return nil }
        return html[range.upperBound...].split(separator: "\"", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
    }

    /// The `data-value` of the cell `data-col="<column>"` in a row.
    static func cell(_ column: String, in row: String) -> String? {
        guard let range = row.range(of: "data-col=\"\(column)\"") else { return nil }
        return attribute("data-value", in: String(row[range.lowerBound...]))
    }

    /// Every value of `attribute` in elements whose opening tag contains `marker`.
    func values(_ attribute: String, where marker: String) -> [String] {
        var found: [String] = []
        var rest = body[...]
        while let tag = rest.range(of: "<") {
            guard let end = rest[tag.upperBound...].range(of: ">") else { break }
            let text = rest[tag.upperBound..<end.lowerBound]
            if text.contains(marker), let value = Self.first(in: String(text), after: " \(attribute)=\"", until: "\"") { found.append(value) }
            rest = rest[end.upperBound...]
        }
        return found
    }

    /// The text between the first `start` and the next `end`.
    static func first(in text: String, after start: String, until end: String) -> String? {
        guard let a = text.range(of: start), let b = text[a.upperBound...].range(of: end) else { return nil }
        return String(text[a.upperBound..<b.lowerBound])
    }

    /// The part of the page from `start` to the next `end` (e.g. one table).
    func section(from start: String, to end: String) -> String {
        guard let a = body.range(of: start), let b = body[a.lowerBound...].range(of: end) else { return "" }
        return String(body[a.lowerBound..<b.upperBound])
    }
}
