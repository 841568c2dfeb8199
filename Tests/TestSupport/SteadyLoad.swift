import NASSimulator

/// A fault test's load: 800 sessions of `users` subscribers (Start, three Interims, Stop:
/// 4,000 packets) from acme's NAS at 100/s, so it runs before, during and after the fault;
/// each request retransmitted every second for up to 60 s (a gap with nobody answering).
public struct SteadyLoad {
    public let sessions: [SimulatedSession]
    public let options: RunOptions

    public init(prefix: String, users: Int, upload: UInt64, download: UInt64) {
        sessions = (0..<800).map { s in
            SimulatedSession.regular(
                userName: "\(prefix.lowercased())\(s % users)", sessionID: "\(prefix)\(s)", nasPort: UInt32(s),
                startTime: 1_795_546_800 + UInt32(s), interimInterval: 300, interims: 3,
                uploadPerInterval: upload + UInt64(s), downloadPerInterval: download + UInt64(s))
        }
        var options = RunOptions(window: 64, timeout: .seconds(1), retries: 60, timeLimit: .seconds(150))
        options.rate = 100
        self.options = options
    }

    /// Runs the load against `port` on a thread of its own (see ThreadTask).
    public func start(port: UInt16) -> ThreadTask<Report> {
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: port)!, secret: "testing123")
        let (options, sessions) = (options, sessions)
        return ThreadTask { try NASSimulator(options: options).runBlocking([NASWorkload(nas: nas, sessions: sessions)]) }
    }
}
