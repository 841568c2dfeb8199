/// One attribute of a dynamic-authorization request: its dictionary name, its value as text
/// (for logs and the enforcement record), and its encoding on the wire.
public struct DynamicAuthorizationAttribute: Sendable, Hashable, CustomStringConvertible {
    /// The dictionary name, e.g. "Mikrotik-Rate-Limit".
    public var name: String
    /// The value as written in the profile once placeholders are filled, e.g. "1M/1M".
    public var value: String
    /// The complete top-level attribute octets (Type, Length, value; Vendor-Specific wrapping
    /// included), ready to append to a packet.
    public var encoded: [UInt8]

    public init(name: String, value: String, encoded: [UInt8]) {
        self.name = name
        self.value = value
        self.encoded = encoded
    }

    public var description: String { "\(name)=\(value)" }
}
