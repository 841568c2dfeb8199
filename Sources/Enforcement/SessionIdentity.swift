/// How a request names the session: the NAS matches on these.
///
/// Which of them a request carries is the vendor profile's choice (`[identity]`); a field
/// that is nil is left out.
public struct SessionIdentity: Sendable, Hashable {
    public var userName: String
    public var acctSessionID: String
    /// The NAS-IP-Address (or NAS-IPv6-Address) as the NAS sent it, or nil.
    public var nasIPAddress: String?
    /// The NAS-Identifier as the NAS sent it, or nil.
    public var nasIdentifier: String?
    /// The subscriber's address (Framed-IP-Address or Framed-IPv6-Address), when known.
    public var framedIPAddress: String?

    public init(
        userName: String, acctSessionID: String, nasIPAddress: String? = nil,
        nasIdentifier: String? = nil, framedIPAddress: String? = nil
    ) {
        self.userName = userName
        self.acctSessionID = acctSessionID
        self.nasIPAddress = nasIPAddress
        self.nasIdentifier = nasIdentifier
        self.framedIPAddress = framedIPAddress
    }
}
