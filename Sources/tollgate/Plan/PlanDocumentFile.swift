import Foundation
import Rating
import Storage
import TOML

/// Reads a plan file: TOML (`.toml`) or JSON (anything else).
func loadPlanDocument(_ path: String) throws -> PlanDocument {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw StoreError(.invalid, "cannot read plan file '\(path)'")
    }
    do {
        if path.hasSuffix(".toml") {
            let table: [String: TOMLValue]
            do {
                table = try TOMLDocument.parse(String(decoding: data, as: UTF8.self))
            } catch {
                throw StoreError(.invalid, "\(path): \(error)")
            }
            return try PlanDocument.parse(table.mapValues(\.foundationValue))
        }
        return try PlanDocument.parse(json: data)
    } catch let error as PlanError {
        throw StoreError(.invalid, "\(path): \(error)")
    }
}
