import Foundation
import NASSimulator
import Storage
import TestSupport
import Testing

@Suite("Rating from the command line, accounting packets to invoice lines", .enabled(if: TestDatabase.available), .serialized)
struct RatingCLITests {
    func tollgate(_ arguments: [String], _ url: String) throws -> String {
        let result = try runTollgate(arguments + ["--database-url", url], environment: ["TOLLGATE_SECRET_KEY": secretKey])
        guard result.status == 0 else { throw SetUpError("tollgate \(arguments.joined(separator: " ")): \(result.error)") }
        return result.output
    }

    func json(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    @Test("packets in over UDP, plans from Config/plans, invoice run, lines out to the cent")
    func endToEnd() async throws {
        let (url, connection) = try prepareDatabase()
        // Three days ago at 10:00 UTC (the tenant's zone), inside the Event-Timestamp window.
        let now = Int64(Date().timeIntervalSince1970)
        let start = (now - 3 * 86400) / 86400 * 86400 + 36000
        let day = Date(timeIntervalSince1970: TimeInterval(start))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: day)
        let period = String(format: "%04d-%02d", parts.year!, parts.month!)
        let first = period + "-01"

        _ = try tollgate(
            ["plan", "create", "--tenant", "acme", "--file", "\(RealData.repositoryRoot)/Config/plans/home-100.toml", "--from", "2020-01-01"], url)
        _ = try tollgate(["plan", "create", "--tenant", "acme", "--file", "\(RealData.repositoryRoot)/Config/plans/nights-free.toml"], url)
        _ = try tollgate(["subscriber", "add", "--tenant", "acme", "--user", "alice", "--plan", "Home 100", "--from", first], url)
        _ = try tollgate(["subscriber", "add", "--tenant", "acme", "--user", "carol", "--plan", "Nights Free", "--from", first], url)

        let serve = try ServeProcess(databaseURL: url)
        // swift-format-ignore: AlwaysUseLowerCamelCase
        let GB: UInt64 = 1_000_000_000
        // alice: 4 x 30 GB down + 4 x 2.5 GB up = 130 GB; carol: 20 GB; bob is no subscriber.
        let sessions = [
            SimulatedSession.regular(
                userName: "alice", sessionID: "A1", nasPort: 1, startTime: UInt32(start), interimInterval: 600,
                interims: 3, uploadPerInterval: 2_500_000_000, downloadPerInterval: 30 * GB),
            SimulatedSession.regular(
                userName: "carol", sessionID: "C1", nasPort: 2, startTime: UInt32(start), interimInterval: 600,
                interims: 3, uploadPerInterval: 0, downloadPerInterval: 5 * GB),
            SimulatedSession.regular(
                userName: "bob", sessionID: "B1", nasPort: 3, startTime: UInt32(start), interimInterval: 600,
                interims: 3, uploadPerInterval: 1000, downloadPerInterval: 7000),
        ]
        let nas = SimulatedNAS(localAddress: "127.0.0.1", target: UDPAddress(host: "127.0.0.1", port: serve.port)!, secret: "testing123")
        let report = try await nas.run(
            sessions: sessions, options: RunOptions(window: 8, timeout: .milliseconds(500), retries: 6, timeLimit: .seconds(60)))
        #expect(report.isComplete)
        // Answered means logged; the usage is there once the merger applied it.
        try waitForMerge(connection)
        #expect(try connection.query("SELECT sum(download_bytes)::text FROM usage_hourly WHERE subscriber = 'alice'").rows == [["120000000000"]])

        let run = try json(try tollgate(["invoice", "run", "--tenant", "acme", "--period", period, "--format", "json"], url))
        #expect(run.first?["drafts"] as? Int == 2)
        #expect(run.first?["unassigned_users"] as? Int == 1)
        // alice: 29.90 fee + 30 GB x 0.50 = 15.00, tax 20 %: 44.90 + 8.98; carol: 19.90 + 3.98 (20 GB of 50 included).
        #expect(run.first?["total"] as? String == "77.76")

        let invoices = try json(try tollgate(["invoice", "list", "--tenant", "acme", "--period", period, "--format", "json"], url))
        let alice = try #require(invoices.first { $0["user"] as? String == "alice" })
        #expect(alice["subtotal"] as? String == "44.90" && alice["tax"] as? String == "8.98" && alice["total"] as? String == "53.88")
        #expect(alice["status"] as? String == "draft")

        let csv = try tollgate(["invoice", "export", "--tenant", "acme", "--period", period], url)
        let rows = csv.split(separator: "\n").map(String.init)
        #expect(rows[0].hasPrefix("invoice_id,user,period,status,currency,position,kind,description,quantity,unit,unit_price,amount,tax_rate,tax"))
        #expect(rows.contains { $0.contains(",alice,") && $0.contains(",overage,") && $0.contains(",30,GB,0.5,15.00,0.2,3.00,") })
        #expect(rows.contains { $0.contains(",alice,") && $0.contains(",included_usage,") && $0.contains(",100,GB,0,0.00,") })
        #expect(rows.contains { $0.contains(",carol,") && $0.contains(",recurring_fee,") && $0.contains(",19.90,0.2,3.98,") })

        let id = try #require(alice["id"] as? Int)
        let shown = try tollgate(["invoice", "show", "--tenant", "acme", String(id)], url)
        #expect(shown.contains("Home 100: usage beyond the allowance, 30 GB at 0.5"))

        let finalized = try json(try tollgate(["invoice", "run", "--tenant", "acme", "--period", period, "--finalize", "--format", "json"], url))
        #expect(finalized.first?["finalized"] as? Int == 2 && finalized.first?["total"] as? String == "77.76")
        let final = try json(try tollgate(["invoice", "list", "--tenant", "acme", "--status", "final", "--format", "json"], url))
        #expect(final.count == 2)

        // The API, with a billing token made by the CLI, agrees with the CLI on the same data.
        let token = try tollgate(["token", "create", "--tenant", "acme", "--role", "billing", "--name", "agreement"], url)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        func api(_ path: String) throws -> [[String: Any]] {
            let body = try httpGet(port: serve.httpPort, path: path, token: token)
            return try #require((try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["items"] as? [[String: Any]])
        }
        let next = String(format: "%04d-%02d-01", parts.month! == 12 ? parts.year! + 1 : parts.year!, parts.month! % 12 + 1)
        let cliUsage = try json(try tollgate(["usage", "--tenant", "acme", "--from", first, "--to", next, "--format", "json"], url))
        let apiUsage = try api("/v1/usage?from=\(first)&to=\(next)")
        func totals(_ rows: [[String: Any]]) -> [String: [Int]] {
            var result: [String: [Int]] = [:]
            for row in rows {
                result[row["subscriber"] as? String ?? ""] = [row["upload_bytes"] as? Int ?? -1, row["download_bytes"] as? Int ?? -1]
            }
            return result
        }
        let apiTotals = totals(apiUsage)
        let cliTotals = totals(cliUsage)
        #expect(apiTotals == cliTotals && apiTotals.count == 3, "API \(apiTotals), CLI \(cliTotals)")
        let apiInvoices = try api("/v1/invoices?period=\(period)")
        func amounts(_ rows: [[String: Any]]) -> [String: [String]] {
            var result: [String: [String]] = [:]
            for row in rows {
                result[row["user"] as? String ?? ""] = ["subtotal", "tax", "total", "status"].map { row[$0] as? String ?? "" }
            }
            return result
        }
        let apiAmounts = amounts(apiInvoices)
        let cliAmounts = amounts(final)
        #expect(apiAmounts == cliAmounts)
        #expect(apiAmounts["alice"] == ["44.90", "8.98", "53.88", "final"])
        let apiExport = try httpGet(port: serve.httpPort, path: "/v1/invoices/export?period=\(period)", token: token)
        let cliExport = try tollgate(["invoice", "export", "--tenant", "acme", "--period", period], url)
        let apiLines: [String] = apiExport.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let cliLines: [String] = cliExport.components(separatedBy: "\n").filter { !$0.isEmpty }
        #expect(apiLines == cliLines)
        // The CLI's CSV of invoices and of usage has the API's columns and rows, line for line.
        func csvLines(_ text: String, _ separator: String) -> [String] { text.components(separatedBy: separator).filter { !$0.isEmpty } }
        let apiInvoiceCSV = csvLines(try httpGet(port: serve.httpPort, path: "/v1/invoices?format=csv", token: token), "\r\n")
        let cliInvoiceCSV = csvLines(try tollgate(["invoice", "list", "--tenant", "acme", "--format", "csv"], url), "\n")
        #expect(apiInvoiceCSV == cliInvoiceCSV && apiInvoiceCSV.count == 3)
        #expect(cliInvoiceCSV.first == "id,user,period,period_start,period_end,status,currency,subtotal,tax,total,rated_at,finalized_at")
        let apiUsageCSV = csvLines(
            try httpGet(port: serve.httpPort, path: "/v1/usage?format=csv&from=\(first)&to=\(next)&by=day", token: token), "\r\n")
        let cliUsageCSV = csvLines(
            try tollgate(["usage", "--tenant", "acme", "--from", first, "--to", next, "--by", "day", "--format", "csv"], url), "\n")
        #expect(apiUsageCSV == cliUsageCSV && apiUsageCSV.count == 4)
        #expect(cliUsageCSV.first == "subscriber,period,upload_bytes,download_bytes,session_seconds")
        #expect(
            cliUsageCSV.contains(
                "alice,\(String(format: "%04d-%02d-%02d", parts.year!, parts.month!, calendar.component(.day, from: day))),10000000000,120000000000,2400"
            ),
            "\(cliUsageCSV)")
        // A revoked token stops working at once.
        _ = try tollgate(["token", "revoke", String(token.dropFirst(3).prefix(16))], url)
        _ = try httpGet(port: serve.httpPort, path: "/v1/invoices", token: token, status: 401)
        #expect(serve.terminate() == 0)
    }

    @Test("every example plan in Config/plans is accepted; bad plan files are refused naming the field")
    func examplePlans() throws {
        let (url, _) = try prepareDatabase()
        let folder = "\(RealData.repositoryRoot)/Config/plans"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".toml") || $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 5)
        for file in files {
            _ = try tollgate(["plan", "create", "--tenant", "acme", "--file", "\(folder)/\(file)"], url)
        }
        let plans = try json(try tollgate(["plan", "list", "--tenant", "acme", "--format", "json"], url))
        #expect(Set(plans.compactMap { $0["name"] as? String }) == ["Home 100", "Business Graduated", "Volume Saver", "Nights Free", "Fair 200"])
        let fair = try json(try tollgate(["plan", "show", "--tenant", "acme", "--name", "Fair 200", "--format", "json"], url))
        #expect(
            (fair.first?["terms"] as? String)?.contains(#""action":"throttle","at":"100%","fallback":"disconnect","period":"cycle","rate":"1M\/1M""#)
                == true)
        let shown = try json(try tollgate(["plan", "show", "--tenant", "acme", "--name", "Business Graduated", "--format", "json"], url))
        #expect((shown.first?["terms"] as? String)?.contains("\"overage\":\"graduated\"") == true)

        // A new version from a date.
        _ = try tollgate(
            ["plan", "version", "add", "--tenant", "acme", "--name", "Home 100", "--file", "\(folder)/home-100.toml", "--from", "2027-01-01"], url)
        let home = try json(try tollgate(["plan", "show", "--tenant", "acme", "--name", "Home 100", "--format", "json"], url))
        #expect(home.count == 2)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plans-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text, fragment) in [
            ("float.json", #"{"name": "F", "currency": "EUR", "recurring_fee": 9.99}"#, "recurring_fee"),
            ("typo.toml", "name = \"T\"\ncurrency = \"EUR\"\nrecuring_fee = \"9.99\"\n", "recuring_fee"),
            ("usd.toml", "name = \"U\"\ncurrency = \"USD\"\n", "currency"),
            ("broken.toml", "name = \"B\"\ncurrency = EUR\n", "line 2"),
        ] {
            let path = directory.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let result = try runTollgate(["plan", "create", "--tenant", "acme", "--file", path, "--database-url", url])
            #expect(result.status == 1, "\(name)")
            #expect(result.error.contains(fragment), "\(name): \(result.error)")
        }
        // Invoices of another tenant's id are not found (exit 2), never shown.
        let other = try runTollgate(["invoice", "show", "--tenant", "acme", "999999", "--database-url", url])
        #expect(other.status == 2 && other.error.contains("no invoice"))
    }
}
