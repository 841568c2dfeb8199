import Foundation
import RADIUS

/// Every vendor profile of a folder (`Config/vendors`), by name.
public struct VendorProfiles: Sendable {
    private var profiles: [String: VendorProfile]

    /// No profiles: every request is recorded as failed, naming the missing profile.
    public static let none = VendorProfiles(profiles: [:])

    /// The profile names, sorted.
    public var names: [String] { profiles.keys.sorted() }

    /// The profile named `name` (a file `name.toml`), if loaded.
    public func profile(_ name: String) -> VendorProfile? { profiles[name] }

    /// Loads and validates every `*.toml` file in `directory` against `dictionary`: attribute
    /// names, placeholders, values and sections. The first problem stops loading, naming the
    /// file and the key.
    public static func load(directory: String, dictionary: RADIUSDictionary) throws -> VendorProfiles {
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw VendorProfileError(file: directory, key: "", "cannot read the vendor profile folder: \(error.localizedDescription)")
        }
        var profiles: [String: VendorProfile] = [:]
        for entry in entries.sorted() where entry.hasSuffix(".toml") {
            let path = (directory as NSString).appendingPathComponent(entry)
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw VendorProfileError(file: path, key: "", "cannot read: \(error.localizedDescription)")
            }
            let name = String(entry.dropLast(5))
            // The names a NAS's `vendor` may take: lower-case, starting with a letter or digit, at most 40.
            guard (1...40).contains(name.count), name.first.map({ $0.isLowercase || $0.isNumber }) == true,
                name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") })
            else {
                throw VendorProfileError(
                    file: path, key: "",
                    "a profile's file name is 1-40 lower-case letters, digits, '-' and '_' (not first), then .toml: the name a NAS's vendor gives")
            }
            profiles[name] = try VendorProfile(name: name, file: path, text: text, dictionary: dictionary)
        }
        guard !profiles.isEmpty else {
            throw VendorProfileError(file: directory, key: "", "no vendor profiles (*.toml) in the folder")
        }
        return VendorProfiles(profiles: profiles)
    }

    /// Loads `directory` with the dictionary found the way the CLI finds it: TOLLGATE_DICTIONARY,
    /// then `dictionary` beside the folder's parent (an installed share/tollgate), then the
    /// source tree's Dictionaries/dictionary two levels up (Config/vendors).
    public static func load(directory: String) throws -> VendorProfiles {
        var candidates: [String] = []
        if let path = ProcessInfo.processInfo.environment["TOLLGATE_DICTIONARY"] { candidates.append(path) }
        let parent = (directory as NSString).deletingLastPathComponent
        candidates.append((parent as NSString).appendingPathComponent("dictionary"))
        candidates.append(((parent as NSString).deletingLastPathComponent as NSString).appendingPathComponent("Dictionaries/dictionary"))
        guard let path = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
            throw VendorProfileError(file: directory, key: "", "no RADIUS dictionary found to check the profiles against: set TOLLGATE_DICTIONARY")
        }
        let dictionary: RADIUSDictionary
        do { dictionary = try RADIUSDictionary(contentsOf: path) } catch {
            throw VendorProfileError(file: path, key: "", "dictionary error: \(error)")
        }
        return try load(directory: directory, dictionary: dictionary)
    }
}
