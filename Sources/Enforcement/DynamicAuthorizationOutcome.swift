/// How a dynamic-authorization request ended. `attempts` counts the transmissions sent.
public enum DynamicAuthorizationOutcome: Sendable, Hashable {
    /// CoA-ACK or Disconnect-ACK.
    case ack(attempts: Int)
    /// CoA-NAK or Disconnect-NAK, with its Error-Cause (RFC 5176 section 3.6) when it had one.
    case nak(errorCause: UInt32?, attempts: Int)
    /// No valid answer after the last transmission's wait; also what requests still in flight
    /// end with when the client shuts down, and what a request the client could not send ends with.
    case timeout(attempts: Int)

    /// Transmissions sent for the request.
    public var attempts: Int {
        switch self {
        case .ack(let attempts), .nak(_, let attempts), .timeout(let attempts): return attempts
        }
    }
}
