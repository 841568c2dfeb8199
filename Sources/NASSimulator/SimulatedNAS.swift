/// One simulated NAS device: where it sends from, to whom, and with which secret.
///
/// The NAS sends from `localAddress` on kernel-chosen ports (one socket per 192 outstanding
/// requests, so Identifiers never run out), to `target` and, once that stops answering, to
/// the `failoverTargets`. Any 127.0.0.0/8 address works on Linux loopback
/// without setup, so each NAS of a test can have its own source address.
public struct SimulatedNAS: Hashable, Sendable {
    /// The address the NAS's sockets bind to (port 0).
    public var localAddress: UDPAddress
    /// The accounting server.
    public var target: UDPAddress
    /// Further accounting servers in order of preference, for failover: after
    /// `RunOptions.failoverAfter` unanswered transmissions of a request to its current server
    /// the NAS gives that server up and sends that request, the ones still outstanding and every
    /// later one to the next, as a NAS's server failover does. It never moves back. Empty (the
    /// default) for none.
    public var failoverTargets: [UDPAddress] = []
    /// The RADIUS shared secret.
    public var secret: [UInt8]
    /// NAS-IP-Address (4) sent in every request; default: the local address when it is IPv4.
    /// Nil sends none (an IPv6 local address sends NAS-IPv6-Address instead).
    public var nasIPAddress: UInt32?
    /// NAS-Identifier (32) sent in every request; absent when nil (the default).
    public var nasIdentifier: String?

    /// A NAS sending from `localAddress` (numeric IPv4 or IPv6) to `target`.
    ///
    /// Traps when `localAddress` is not a numeric address: tests pass literals.
    public init(localAddress: String = "127.0.0.1", target: UDPAddress, secret: String, nasIdentifier: String? = nil) {
        guard let local = UDPAddress(host: localAddress, port: 0) else {
            preconditionFailure("'\(localAddress)' is not a numeric IPv4 or IPv6 address")
        }
        self.init(localAddress: local, target: target, secret: Array(secret.utf8), nasIdentifier: nasIdentifier)
    }

    public init(localAddress: UDPAddress, target: UDPAddress, secret: [UInt8], nasIdentifier: String? = nil) {
        self.localAddress = localAddress.with(port: 0)
        self.target = target
        self.secret = secret
        self.nasIPAddress = localAddress.ipv4
        self.nasIdentifier = nasIdentifier
    }
}

/// A request of a NAS that belongs to no session.
public enum NASMessage: Hashable, Sendable {
    /// Accounting-On (Acct-Status-Type 7): the NAS (re)started; all its sessions are over.
    case accountingOn(at: EventTimestamp = .now)
    /// Accounting-Off (Acct-Status-Type 8): the NAS is going down.
    case accountingOff(at: EventTimestamp = .now, cause: UInt32 = TerminateCause.adminReboot)
    /// Status-Server (RFC 5997) with a Message-Authenticator; answered by an
    /// Accounting-Response on an accounting port.
    case statusServer
}

/// Where a session script comes from: an array for tests, a generator for load runs, so a
/// million sessions need not be held in memory at once.
public protocol SessionSource: Sendable {
    var count: Int { get }
    /// The session at `index` in `0..<count`; called once per session, on the simulator's thread.
    func session(at index: Int) -> SimulatedSession
}

extension Array: SessionSource where Element == SimulatedSession {
    public func session(at index: Int) -> SimulatedSession { self[index] }
}

/// Sessions made on demand by a function of their index.
public struct GeneratedSessions: SessionSource {
    public let count: Int
    private let make: @Sendable (Int) -> SimulatedSession

    public init(count: Int, _ make: @escaping @Sendable (Int) -> SimulatedSession) {
        self.count = count
        self.make = make
    }

    public func session(at index: Int) -> SimulatedSession { make(index) }
}

/// What one NAS does in a run: standalone messages and sessions, all concurrently (within
/// the window). Run workloads one after another when one must finish first (Accounting-On
/// before the sessions).
public struct NASWorkload: Sendable {
    public var nas: SimulatedNAS
    public var messages: [NASMessage]
    public var sessions: any SessionSource

    public init(nas: SimulatedNAS, messages: [NASMessage] = [], sessions: any SessionSource = [SimulatedSession]()) {
        self.nas = nas
        self.messages = messages
        self.sessions = sessions
    }
}
