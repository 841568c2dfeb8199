/// Where and how to reach one NAS's dynamic-authorization port (RFC 5176): what a CoA or
/// Disconnect request to it needs.
public struct NASDynamicAuthorization: Sendable, Hashable {
    public var nasID: Int64
    public var tenantID: Int64
    public var name: String
    /// The NAS's registered address, without a prefix length (e.g. 10.0.0.1 or 2001:db8::1).
    public var address: String
    public var port: Int
    /// The CoA secret, or the accounting secret for a NAS without one, opened.
    public var secret: [UInt8]
    /// Name of the vendor profile (Config/vendors/NAME.toml) requests are built from.
    public var vendor: String
    /// The NAS's registered NAS-Identifier.
    public var identifier: String?

    public init(
        nasID: Int64, tenantID: Int64, name: String, address: String, port: Int, secret: [UInt8], vendor: String,
        identifier: String?
    ) {
        self.nasID = nasID
        self.tenantID = tenantID
        self.name = name
        self.address = address
        self.port = port
        self.secret = secret
        self.vendor = vendor
        self.identifier = identifier
    }
}
