import Foundation

/// A new path in the temporary folder: `prefix`, a dash, a UUID and `suffix` (e.g. ".toml").
/// Nothing is created there; the caller makes and removes the file or folder.
public func temporaryPath(_ prefix: String, suffix: String = "") -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)\(suffix)").path
}
