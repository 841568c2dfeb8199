/// A test's set-up failed: a process, a cluster, a network or a socket it needs.
public struct SetUpError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
