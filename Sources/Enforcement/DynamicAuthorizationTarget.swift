/// Where a dynamic-authorization request goes: the NAS's RFC 5176 port and its secret.
public struct DynamicAuthorizationTarget: Sendable, Hashable {
    /// A numeric IPv4 or IPv6 address (no name lookup happens on the send path).
    public var host: String
    /// The NAS's dynamic-authorization port, 3799 unless the NAS says otherwise.
    public var port: UInt16
    /// The shared secret of the NAS's dynamic-authorization client entry.
    public var secret: [UInt8]

    public init(host: String, port: UInt16 = 3799, secret: [UInt8]) {
        self.host = host
        self.port = port
        self.secret = secret
    }
}
