/// A NAS device registered by a tenant's operator. The secrets are never part of this value.
public struct NASDevice: Hashable, Sendable, Codable {
    public var id: Int64
    public var tenantID: Int64
    public var name: String
    public var listener: String
    /// Address or prefix in CIDR notation, e.g. 10.0.0.1/32 or 2001:db8::/64.
    public var address: String
    /// NAS-Identifier that packets must carry, when several NAS share an address.
    public var identifier: String?
    /// The shared secret is shorter than `NASStore.weakSecretOctets` octets: guessable
    /// offline from one captured packet.
    public var weakSecret: Bool
    /// Accounting-Requests without a valid Message-Authenticator are dropped (BlastRADIUS,
    /// CVE-2024-3596). Status-Server always needs one.
    public var requireMessageAuthenticator: Bool
    /// UDP port of the NAS's dynamic-authorization server (RFC 5176); 3799 by default.
    public var coaPort: Int
    /// Name of the vendor profile (Config/vendors/NAME.toml) requests to this NAS are built
    /// from; "generic" by default.
    public var vendor: String
    /// CoA and Disconnect requests use a secret of their own; without one they use the
    /// accounting secret.
    public var hasCoASecret: Bool
    /// The CoA secret is shorter than `NASStore.weakSecretOctets` octets (false without one:
    /// then `weakSecret` speaks for the secret in use).
    public var weakCoASecret: Bool

    public init(
        id: Int64, tenantID: Int64, name: String, listener: String, address: String, identifier: String?,
        weakSecret: Bool = false, requireMessageAuthenticator: Bool = false, coaPort: Int = NASStore.defaultCoAPort,
        vendor: String = NASStore.defaultVendor, hasCoASecret: Bool = false, weakCoASecret: Bool = false
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.listener = listener
        self.address = address
        self.identifier = identifier
        self.weakSecret = weakSecret
        self.requireMessageAuthenticator = requireMessageAuthenticator
        self.coaPort = coaPort
        self.vendor = vendor
        self.hasCoASecret = hasCoASecret
        self.weakCoASecret = weakCoASecret
    }

    // "CoA" is spelled "Coa" in the keys so that snake-case encoding gives has_coa_secret,
    // not has_co_a_secret.
    enum CodingKeys: String, CodingKey {
        case id, tenantID, name, listener, address, identifier, weakSecret, requireMessageAuthenticator, coaPort, vendor
        case hasCoASecret = "hasCoaSecret"
        case weakCoASecret = "weakCoaSecret"
    }
}
