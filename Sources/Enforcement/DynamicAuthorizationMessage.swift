/// A CoA-Request or Disconnect-Request before it is given an Identifier and signed.
///
/// Event-Timestamp and Message-Authenticator are not part of the message: the client adds both
/// to every transmission (RFC 5176 section 3.4 for Message-Authenticator, section 6.3 for
/// Event-Timestamp as replay protection).
public struct DynamicAuthorizationMessage: Sendable, Hashable {
    /// The two RFC 5176 requests.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case coa
        case disconnect
    }

    public var kind: Kind
    /// The attributes in packet order: session identification first.
    public var attributes: [DynamicAuthorizationAttribute]
    /// Human text for the enforcement log, e.g. "CoA Mikrotik-Rate-Limit=1M/1M".
    public var summary: String

    public init(kind: Kind, attributes: [DynamicAuthorizationAttribute], summary: String) {
        self.kind = kind
        self.attributes = attributes
        self.summary = summary
    }
}
