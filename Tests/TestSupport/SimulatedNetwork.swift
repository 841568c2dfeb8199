import Foundation

/// Separate hosts on this machine: one network namespace per host (iproute2's `ip netns`),
/// each joined by a veth pair to a bridge in a namespace of its own, as machines on one LAN
/// (10.77.0.0/24, in order of `hosts`: .1, .2, ...). Links can be cut and restored, as a
/// host's network failing. Everything is removed with the object.
public final class SimulatedNetwork: @unchecked Sendable {
    /// One simulated machine.
    public struct Host: Sendable {
        public let name: String
        public let namespace: String
        /// Its address on the LAN.
        public let address: String
        /// Its end of the veth pair.
        public let interface: String

        /// Runs `body` on a thread of this process that has entered the host's namespace (sockets
        /// it opens are the host's), and returns what it returned.
        public func within<T>(_ body: @escaping () throws -> T) throws -> T {
            let namespace = namespace
            nonisolated(unsafe) let body = body
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var outcome: Result<T, any Error>?
            let thread = Thread {
                outcome = Result { () throws -> T in
                    try SimulatedNetwork.enter(namespace)
                    return try body()
                }
                done.signal()
            }
            thread.start()
            done.wait()
            return try outcome!.get()
        }
    }

    private let tag: String
    private let bridgeNamespace: String
    private(set) var hosts: [String: Host] = [:]
    /// veth pairs made (each named by its host end), removed even if never moved.
    private var pairs: [String] = []

    public init(hosts names: [String]) throws {
        tag = String(UUID().uuidString.prefix(6)).lowercased()
        bridgeNamespace = "tg-\(tag)-lan"
        try Self.ip(["netns", "add", bridgeNamespace])
        do {
            try Self.ip(["-n", bridgeNamespace, "link", "add", "lan", "type", "bridge"])
            try Self.ip(["-n", bridgeNamespace, "link", "set", "lan", "up"])
            for (index, name) in names.enumerated() {
                let host = Host(name: name, namespace: "tg-\(tag)-\(name)", address: "10.77.0.\(index + 1)", interface: "h\(tag)\(index)")
                let port = "b\(tag)\(index)"
                try Self.ip(["netns", "add", host.namespace])
                hosts[name] = host
                try Self.ip(["link", "add", host.interface, "type", "veth", "peer", "name", port])
                pairs.append(host.interface)
                try Self.ip(["link", "set", host.interface, "netns", host.namespace])
                try Self.ip(["link", "set", port, "netns", bridgeNamespace])
                try Self.ip(["-n", bridgeNamespace, "link", "set", port, "master", "lan", "up"])
                try Self.ip(["-n", host.namespace, "addr", "add", "\(host.address)/24", "dev", host.interface])
                try Self.ip(["-n", host.namespace, "link", "set", host.interface, "up"])
                try Self.ip(["-n", host.namespace, "link", "set", "lo", "up"])
            }
        } catch {
            removeAll()
            throw error
        }
    }

    public subscript(name: String) -> Host { hosts[name]! }

    /// A second address for a host (another NAS behind the same machine).
    public func addAddress(_ address: String, to host: Host) throws {
        try Self.ip(["-n", host.namespace, "addr", "add", "\(address)/24", "dev", host.interface])
    }

    /// Cuts a host off the LAN (its link down: it neither sends nor receives), or puts it back.
    public func setConnected(_ host: Host, _ connected: Bool) throws {
        try Self.ip(["-n", host.namespace, "link", "set", host.interface, connected ? "up" : "down"])
    }

    /// The program's arguments to run `arguments` on `host`.
    public func command(on host: Host, _ arguments: [String]) -> [String] {
        ["/usr/sbin/ip", "netns", "exec", host.namespace] + arguments
    }

    deinit { removeAll() }

    private func removeAll() {
        // Deleting a namespace deletes its veth ends and their peers; a pair still in this
        // namespace (set-up failed before moving it) is deleted by name.
        for host in hosts.values { try? Self.ip(["netns", "delete", host.namespace]) }
        try? Self.ip(["netns", "delete", bridgeNamespace])
        for pair in pairs { _ = try? run("/usr/sbin/ip", ["link", "delete", pair]) }
    }

    /// Whether this machine can make namespaces (root and iproute2).
    public static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
    }

    private static func ip(_ arguments: [String]) throws {
        let (status, output) = try run("/usr/sbin/ip", arguments)
        guard status == 0 else { throw SetUpError("ip \(arguments.joined(separator: " ")): \(output)") }
    }

    /// Moves the calling thread into a namespace (setns(2) on /run/netns/NAME).
    fileprivate static func enter(_ namespace: String) throws {
        let fd = open("/run/netns/\(namespace)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SetUpError("open /run/netns/\(namespace): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // glibc's setns; the Swift Glibc module does not declare it.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else { throw SetUpError("setns is not available") }
        typealias SetNS = @convention(c) (Int32, Int32) -> Int32
        let newNetworkNamespace: Int32 = 0x4000_0000
        guard unsafeBitCast(symbol, to: SetNS.self)(fd, newNetworkNamespace) == 0 else {
            throw SetUpError("setns \(namespace): \(String(cString: strerror(errno)))")
        }
    }
}
