import Foundation

/// The real RADIUS material in `../shared/realdata` beside the repository (captures, packets
/// and radacct dumps from real NAS devices; its README says what each file is). Read at test
/// time, never copied into the repository; a missing file fails the test that needs it.
public enum RealData {
    /// The repository root, found from this file's path.
    public static let repositoryRoot: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    public static let directory = repositoryRoot + "/../shared/realdata"

    public struct Missing: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "\(path) is missing: the tests read ../shared/realdata beside the repository" }
    }

    /// The path of `relativePath` under the realdata folder, for readers that open files themselves.
    public static func path(_ relativePath: String) throws -> String {
        let path = directory + "/" + relativePath
        guard FileManager.default.isReadableFile(atPath: path) else { throw Missing(path: path) }
        return path
    }

    /// The contents of `relativePath` under the realdata folder.
    public static func file(_ relativePath: String) throws -> [UInt8] {
        let path = directory + "/" + relativePath
        guard let data = FileManager.default.contents(atPath: path) else { throw Missing(path: path) }
        return [UInt8](data)
    }
}
