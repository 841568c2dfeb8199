/// The Code field of a RADIUS packet (RFC 2865 section 3, RFC 2866, RFC 5176, RFC 5997).
public struct RADIUSCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let accessRequest = RADIUSCode(rawValue: 1)
    public static let accessAccept = RADIUSCode(rawValue: 2)
    public static let accessReject = RADIUSCode(rawValue: 3)
    public static let accountingRequest = RADIUSCode(rawValue: 4)
    public static let accountingResponse = RADIUSCode(rawValue: 5)
    public static let accessChallenge = RADIUSCode(rawValue: 11)
    public static let statusServer = RADIUSCode(rawValue: 12)
    public static let statusClient = RADIUSCode(rawValue: 13)
    public static let disconnectRequest = RADIUSCode(rawValue: 40)
    public static let disconnectACK = RADIUSCode(rawValue: 41)
    public static let disconnectNAK = RADIUSCode(rawValue: 42)
    public static let coaRequest = RADIUSCode(rawValue: 43)
    public static let coaACK = RADIUSCode(rawValue: 44)
    public static let coaNAK = RADIUSCode(rawValue: 45)

    /// Whether this is one of the codes Tollgate decodes: 1-5, 11-13 and 40-45.
    public var isSupported: Bool {
        switch rawValue {
        case 1...5, 11...13, 40...45: return true
        default: return false
        }
    }

    /// Requests whose Request Authenticator is an MD5 over the packet (not random):
    /// Accounting-Request, Disconnect-Request and CoA-Request.
    public var hasComputedRequestAuthenticator: Bool {
        self == .accountingRequest || self == .disconnectRequest || self == .coaRequest
    }

    /// Requests that carry a random Request Authenticator: Access-Request and Status-Server.
    public var hasRandomRequestAuthenticator: Bool {
        self == .accessRequest || self == .statusServer || self == .statusClient
    }

    /// Whether packets of this code are requests (as opposed to responses to a request).
    public var isRequest: Bool { hasComputedRequestAuthenticator || hasRandomRequestAuthenticator }

    public var name: String? {
        switch rawValue {
        case 1: return "Access-Request"
        case 2: return "Access-Accept"
        case 3: return "Access-Reject"
        case 4: return "Accounting-Request"
        case 5: return "Accounting-Response"
        case 11: return "Access-Challenge"
        case 12: return "Status-Server"
        case 13: return "Status-Client"
        case 40: return "Disconnect-Request"
        case 41: return "Disconnect-ACK"
        case 42: return "Disconnect-NAK"
        case 43: return "CoA-Request"
        case 44: return "CoA-ACK"
        case 45: return "CoA-NAK"
        default: return nil
        }
    }

    public var description: String { name ?? "Code-\(rawValue)" }
}
