import Foundation
import Presentation
import TabularText

/// Rows with named columns, printed in any `OutputFormat`. Numbers stay numbers in JSON.
struct Listing {
    enum Cell {
        case text(String?)
        case number(Int64?)
        case flag(Bool)
    }

    var columns: [String]
    var rows: [[Cell]]

    func render(_ format: OutputFormat) -> String {
        switch format {
        case .table: return table()
        case .csv: return csv()
        case .json: return json()
        }
    }

    private func plain(_ cell: Cell) -> String {
        switch cell {
        case .text(let s): return s ?? ""
        case .number(let n): return n.map(String.init) ?? ""
        case .flag(let b): return b ? "true" : "false"
        }
    }

    private func table() -> String {
        var widths = columns.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], plain(cell).count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, s in s.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var out = [line(columns), line(widths.map { String(repeating: "-", count: $0) })]
        out += rows.map { line($0.map(plain)) }
        if rows.isEmpty { out.append("(none)") }
        return out.joined(separator: "\n")
    }

    private func csv() -> String {
        ([columns.map(CSV.field).joined(separator: ",")] + rows.map { $0.map { CSV.field(plain($0)) }.joined(separator: ",") })
            .joined(separator: "\n")
    }

    private func json() -> String {
        let objects: [[String: Any]] = rows.map { row in
            var object: [String: Any] = [:]
            for (i, cell) in row.enumerated() {
                switch cell {
                case .text(let s): object[columns[i]] = s ?? NSNull()
                case .number(let n): object[columns[i]] = n.map { NSNumber(value: $0) } ?? NSNull()
                case .flag(let b): object[columns[i]] = b
                }
            }
            return object
        }
        let data = try! JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

extension Listing {
    /// Presentations as a table or CSV: their columns, their cells as text.
    init<Row: TabularPresentation>(_ rows: [Row]) {
        self.init(columns: Row.columns, rows: rows.map { $0.cells.map(Cell.text) })
    }
}

/// Presentations in `format`: a table or CSV from their columns and cells, JSON with the
/// fields the API gives them.
func render<Row: TabularPresentation>(_ rows: [Row], _ format: OutputFormat) -> String {
    guard format == .json else { return Listing(rows).render(format) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Presentations hold strings and integers only: encoding them cannot fail.
    return String(decoding: try! encoder.encode(rows), as: UTF8.self)
}
