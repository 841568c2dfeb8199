import Foundation
import NASSimulator
import Storage
import TestSupport
import Testing

@Suite("Collectors on several hosts", .enabled(if: TestDatabase.available && SimulatedNetwork.available), .serialized)
struct CollectorHostsTests {
    @Test(
        """
        Two NAS, two collectors and PostgreSQL on separate hosts (network namespaces on one LAN): a NAS registered while \
        the collectors run is served by both; the first collector's host cut off the network under load, the NAS fail \
        over to the second; the whole load sent again to the second; the first host back, its spool replayed: every \
        packet counted once, totals exact, the collector that leads the merge replaced
        """)
    func failoverBetweenHosts() async throws {
        let network = try SimulatedNetwork(hosts: ["nas", "a", "b", "db"])
        let database = try PrivateCluster(host: network["db"])
        let env = ["TOLLGATE_SECRET_KEY": secretKey]
        for arguments in [
            ["migrate"], ["tenant", "create", "acme", "--name", "ACME"],
            ["nas", "add", "--tenant", "acme", "--name", "edge-1", "--address", network["nas"].address, "--secret", "edge-1-secret"],
        ] {
            let result = try runTollgate(arguments + ["--database-url", database.url], environment: env)
            guard result.status == 0 else { throw SetUpError(result.error) }
        }
        // Both collectors reach the database over the LAN.
        let url = database.networkURL! + "?connect_timeout=2"
        let a = try ServeProcess(databaseURL: url, port: 1813, host: network["a"])
        // a leads the merge before b starts, so cutting a off must hand the leadership over.
        #expect(try waitUntil(seconds: 30) { try a.metrics()["tollgate_merge_leader"] == 1 }, "collector a never led the merge")
        let b = try ServeProcess(databaseURL: url, port: 1813, host: network["b"])
        // A second NAS on the NAS host, registered once both collectors run: each learns of it
        // from the database (registry refresh), or its packets would go unanswered.
        let secondAddress = "10.77.0.11"
        try network.addAddress(secondAddress, to: network["nas"])
        let added = try runTollgate(
            [
                "nas", "add", "--tenant", "acme", "--name", "edge-2", "--address", secondAddress, "--secret", "edge-2-secret",
                "--database-url", database.url,
            ], environment: env)
        guard added.status == 0 else { throw SetUpError(added.error) }
        // Longer than the registry refresh (2 s): both know it before it sends.
        try await Task.sleep(for: .seconds(3))

        let connection = try PostgresConnection(url: database.url)
        func workloads(to target: SimulatedNetwork.Host, failover: SimulatedNetwork.Host?) -> [NASWorkload] {
            let devices: [(address: String, secret: String, prefix: String)] = [
                (network["nas"].address, "edge-1-secret", "E1"), (secondAddress, "edge-2-secret", "E2"),
            ]
            return devices.map { device -> NASWorkload in
                var nas = SimulatedNAS(localAddress: device.address, target: UDPAddress(host: target.address, port: 1813)!, secret: device.secret)
                if let failover { nas.failoverTargets = [UDPAddress(host: failover.address, port: 1813)!] }
                var sessions: [SimulatedSession] = []
                for s in 0..<250 {
                    sessions.append(
                        SimulatedSession.regular(
                            userName: "\(device.prefix.lowercased())-\(s % 13)", sessionID: "\(device.prefix)-\(s)", nasPort: UInt32(s),
                            startTime: 1_795_546_800 + UInt32(s), interimInterval: 300, interims: 3,
                            uploadPerInterval: UInt64(5_000 + s), downloadPerInterval: UInt64(80_000 + 7 * s)))
                }
                return NASWorkload(nas: nas, sessions: sessions)
            }
        }
        // 2,500 packets at 100/s from the NAS host (each NAS on a thread of its own, both sending
        // throughout), to collector a, b when a stops answering.
        var options = RunOptions(window: 32, timeout: .milliseconds(500), retries: 40, timeLimit: .seconds(120))
        options.rate = 100
        options.failoverAfter = 3
        let load = ThreadTask { [options] in
            try network["nas"].within {
                try NASSimulator(options: options, threads: 2).runBlocking(workloads(to: network["a"], failover: network["b"]))
            }
        }
        let (cutAt, secondBeforeCut, takeover) = try await ThreadTask { () throws -> (Int, Int, Double) in
            guard try waitUntil(seconds: 60, { try count(connection, "SELECT count(*) FROM accounting_packets") >= 800 }) else {
                throw SetUpError("the load had not reached 800 packets after 60 s")
            }
            try network.setConnected(network["a"], false)
            let stored = (
                try count(connection, "SELECT count(*) FROM accounting_packets"),
                try count(connection, "SELECT count(*) FROM accounting_packets p JOIN nas_devices n ON n.id = p.nas_id WHERE n.name = 'edge-2'")
            )
            // The database ends a's sessions once their keepalives or user timeout (30 s with
            // data in flight) give up; b takes the leadership at its next try.
            let cut = Date()
            guard try waitUntil(seconds: 60, { try b.metrics()["tollgate_merge_leader"] == 1 }) else {
                throw SetUpError("collector b did not lead the merge within 60 s of a's host leaving the network")
            }
            return (stored.0, stored.1, Date().timeIntervalSince(cut))
        }.value
        // Until the cut, collector a served the NAS registered after it started.
        #expect(secondBeforeCut > 0)
        let report = try await load.value
        #expect(report.isComplete, "\(report)")
        #expect(report.failovers == 2, "both NAS moved to the second collector")
        // The same accounting again, all of it to b: a NAS resending what it is unsure of.
        let resentFrom = Date()
        let again = try await ThreadTask { [options] in
            try network["nas"].within { try NASSimulator(options: options, threads: 2).runBlocking(workloads(to: network["b"], failover: nil)) }
        }.value
        #expect(again.isComplete, "\(again)")
        try expectTotals(connection, report.expected, perUser: report.expectedPerUser)
        #expect(try connection.query("SELECT count(*) FROM sessions WHERE stopped_at IS NOT NULL").rows == [["500"]])

        // The first host back: what it took in before it was cut off and could not store is
        // replayed, and adds nothing.
        try network.setConnected(network["a"], true)
        let drained = try waitUntil(seconds: 60, { try a.metrics()["tollgate_spool_bytes"] == 0 })
        #expect(drained, "collector a's spool still holds packets 60 s after its host came back")
        try expectTotals(connection, report.expected, perUser: report.expectedPerUser)
        #expect(try connection.query("SELECT count(*) FROM sessions").rows == [["500"]])
        // Every packet of the first load is archived (the resent ones are new datagrams: another
        // Identifier and authenticator, the same accounting).
        let firstLoad = try connection.query(
            "SELECT count(DISTINCT packet) FROM accounting_packets WHERE received_at < to_timestamp($1::float8)",
            [String(resentFrom.timeIntervalSince1970)])
        #expect(firstLoad.rows == [["2500"]])
        let aMetrics = try a.metrics()
        let bMetrics = try b.metrics()
        #expect(a.process.isRunning && b.process.isRunning)
        print(
            """
            collectors on two hosts: 2500 packets, a cut off after \(cutAt) stored (\(secondBeforeCut) of edge-2); \(report.failovers) NAS failovers, \
            \(report.retransmissions) retransmissions; b led the merge \(String(format: "%.1f", takeover)) s after the cut; a spooled \(aMetrics["tollgate_spool_packets_total"] ?? 0), \
            b answered \(bMetrics["tollgate_packets_answered_total"] ?? 0), duplicates answered a \(aMetrics["tollgate_duplicates_answered_total"] ?? 0) \
            b \(bMetrics["tollgate_duplicates_answered_total"] ?? 0)
            """)
        #expect(a.terminate() == 0)
        #expect(b.terminate() == 0)
    }
}
