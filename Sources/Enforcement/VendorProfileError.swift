/// A vendor profile that cannot be loaded or used, naming the file and the key.
public struct VendorProfileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The profile file (or profile name, for errors while building a request).
    public var file: String
    /// Where in the file: a table, `table.key`, or `table.key[index]`.
    public var key: String
    public var message: String

    public init(file: String, key: String, _ message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String { key.isEmpty ? "\(file): \(message)" : "\(file): \(key): \(message)" }
}
