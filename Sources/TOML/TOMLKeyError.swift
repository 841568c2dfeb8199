/// A value of the wrong type or out of range, named by its key ("collector.max_batch").
public struct TOMLKeyError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The key with its table, as a reader of the file would look for it.
    public var key: String
    /// What the value must be, completing "KEY ...".
    public var expectation: String

    public init(key: String, _ expectation: String) {
        self.key = key
        self.expectation = expectation
    }

    public var description: String { "\(key) \(expectation)" }
}
