import Accounting
import Foundation
import Rating
import Storage
import TestSupport
import Testing

@Suite("Usage per billing cycle kept with the daily rows", .enabled(if: TestDatabase.available))
struct UsageCyclesTests {
    /// The daily rows summed per subscriber and billing cycle in Swift (BillingPeriod, the
    /// tenant's billing day now), against the cycle rows; and the cycle rows summed per cycle
    /// against the totals. Empty when all agree.
    func mismatches(_ connection: PostgresConnection) throws -> [String] {
        var expected: [String: [Int64]] = [:]
        var totals: [String: [Int64]] = [:]
        for row in try connection.query(
            """
            SELECT d.tenant_id, t.billing_day, d.day::text, d.subscriber, d.upload_bytes, d.download_bytes, d.session_seconds
            FROM usage_daily d JOIN tenants t ON t.id = d.tenant_id
            """
        ).rows {
            let day = try #require(CivilDate(row[2] ?? ""))
            let cycle = BillingPeriod.containing(day, billingDay: Int(row[1] ?? "") ?? 0).first
            let figures = row[4...6].map { Int64($0 ?? "") ?? -1 }
            for key in ["\(row[0] ?? "") \(cycle) \(row[3] ?? "")", "\(row[0] ?? "") \(cycle)"] {
                var sums = (key.split(separator: " ").count == 3 ? expected[key] : totals[key]) ?? [0, 0, 0]
                for i in 0..<3 { sums[i] += figures[i] }
                if key.split(separator: " ").count == 3 { expected[key] = sums } else { totals[key] = sums }
            }
        }
        var stored: [String: [Int64]] = [:]
        var storedTotals: [String: [Int64]] = [:]
        for row in try connection.query(
            "SELECT tenant_id, cycle_start::text, subscriber, upload_bytes, download_bytes, session_seconds FROM usage_cycles"
        ).rows {
            stored["\(row[0] ?? "") \(row[1] ?? "") \(row[2] ?? "")"] = row[3...5].map { Int64($0 ?? "") ?? -1 }
        }
        for row in try connection.query("SELECT tenant_id, cycle_start::text, upload_bytes, download_bytes, session_seconds FROM usage_cycle_totals")
            .rows
        {
            storedTotals["\(row[0] ?? "") \(row[1] ?? "")"] = row[2...4].map { Int64($0 ?? "") ?? -1 }
        }
        // A cycle whose every row was taken away keeps a total of zero.
        storedTotals = storedTotals.filter { $0.value != [0, 0, 0] || totals[$0.key] != nil }
        var problems: [String] = []
        for key in Set(expected.keys).union(stored.keys) where expected[key] != stored[key] {
            problems.append("cycle \(key): daily \(expected[key] ?? []) stored \(stored[key] ?? [])")
        }
        for key in Set(totals.keys).union(storedTotals.keys) where totals[key] != storedTotals[key] {
            problems.append("total \(key): daily \(totals[key] ?? []) stored \(storedTotals[key] ?? [])")
        }
        return problems.sorted()
    }

    @Test("The merge's writes, direct inserts, updates and deletes keep cycles and totals exact; a new billing day cuts them anew")
    func cyclesEqualDays() throws {
        let (_, connection) = try TestDatabase.fresh()
        let tenants = TenantStore(connection: connection)
        let vienna = try tenants.create(slug: "vienna", name: "V", timeZone: "Europe/Vienna", billingDay: 15)
        let other = try tenants.create(slug: "other", name: "O", timeZone: "UTC")
        let nas = try NASStore(connection: connection, cipher: TestDatabase.cipher).add(tenant: vienna, name: "v", address: "10.0.0.1", secret: "s")
        // Sessions across the local midnight that starts cycle 2026-10 (15 October, Vienna).
        let start: Int64 = 1_792_015_200 // 2026-10-14T22:00:00Z = 15 October 00:00 in Vienna
        var items: [BatchItem] = []
        for i in 0..<6 {
            let begin = start - 7200 + Int64(i) * 1800
            items.append(
                BatchItem(
                    record: AccountingRecord(
                        tenantID: vienna.id, nasID: nas.id, status: .start, sessionID: "s\(i)", userName: "u\(i % 3)",
                        eventTime: begin, receivedAt: begin * 1_000_000), packet: nil))
            for step in 1...4 {
                var update = AccountingRecord(
                    tenantID: vienna.id, nasID: nas.id, status: step == 4 ? .stop : .interimUpdate, sessionID: "s\(i)",
                    userName: "u\(i % 3)", eventTime: begin + Int64(step) * 3000, receivedAt: (begin + Int64(step) * 3000) * 1_000_000)
                update.upload = CounterReading(octets: UInt32(step * 1_000_003), gigawords: nil)
                update.download = CounterReading(octets: UInt32(step * 7_000_001), gigawords: nil)
                update.sessionTime = UInt32(step * 3000)
                items.append(BatchItem(record: update, packet: nil))
            }
        }
        let writer = try AccountingWriter(connection: connection)
        for chunk in stride(from: 0, to: items.count, by: 5).map({ Array(items[$0..<min($0 + 5, items.count)]) }) { try writer.write(chunk) }
        #expect(
            try connection.query("SELECT cycle_start::text FROM usage_cycle_totals WHERE tenant_id = $1 ORDER BY 1", [String(vienna.id)]).rows
                == [["2026-09-15"], ["2026-10-15"]])
        #expect(try mismatches(connection) == [])

        // Direct writes of every kind, in both tenants.
        try connection.execute(
            """
            INSERT INTO usage_hourly (tenant_id, subscriber, hour, upload_bytes, download_bytes, session_seconds)
            SELECT t.id, 'bulk' || (g % 7), timestamptz '2026-10-01 00:00Z' + g * interval '1 hour', g, 2 * g, 60
            FROM generate_series(1, 1500) g, tenants t;
            UPDATE usage_hourly SET download_bytes = download_bytes + 11 WHERE subscriber = 'bulk3';
            DELETE FROM usage_hourly WHERE subscriber = 'bulk4' AND hour < timestamptz '2026-10-20 00:00Z';
            DELETE FROM usage_hourly WHERE subscriber = 'bulk5' AND hour >= timestamptz '2026-11-10 00:00Z'
            """)
        #expect(try mismatches(connection) == [])
        // bulk5 has no day left in the cycle from 15 November: no row for it.
        #expect(
            try connection.query(
                """
                SELECT count(*) FROM usage_cycles WHERE tenant_id = $1 AND subscriber = 'bulk5' AND cycle_start = '2026-11-15'
                """, [String(vienna.id)]
            ).rows == [["0"]])

        // A new billing day cuts the cycles anew, for that tenant only.
        let before = try connection.query("SELECT * FROM usage_cycles WHERE tenant_id = $1 ORDER BY 1, 2, 3", [String(other.id)]).rows
        let moved = try tenants.update(slug: "vienna", billingDay: 1)
        #expect(try mismatches(connection) == [])
        #expect(
            try connection.query(
                "SELECT DISTINCT extract(day FROM cycle_start)::int FROM usage_cycles WHERE tenant_id = $1",
                [String(vienna.id)]
            ).rows == [["1"]])
        #expect(try connection.query("SELECT * FROM usage_cycles WHERE tenant_id = $1 ORDER BY 1, 2, 3", [String(other.id)]).rows == before)

        // Reports over whole cycles (read from the cycle rows) equal the hourly buckets.
        let reports = ReportStore(connection: connection)
        for ranking in ReportStore.UsageRanking.allCases {
            var fromCycles: [UsageRow] = []
            var cursor: [String]? = nil
            repeat {
                let page = try reports.topPage(tenant: moved, from: "2026-10-01", to: "2026-11-01", by: ranking, after: cursor, limit: 2)
                fromCycles += page.rows
                cursor = page.next
            } while cursor != nil
            let hourly = try reports.topPage(tenant: moved, from: "2026-10-01T00:00", to: "2026-11-01T00:00", by: ranking, after: nil, limit: 100)
                .rows
            #expect(fromCycles.count == 10 && fromCycles == hourly, "\(ranking)")
        }
        // Cycles past the years BillingPeriod knows are still one cycle, and empty.
        for (from, to) in [("9000-12-01", "9001-01-01"), ("9500-01-01", "9500-02-01"), ("9999-12-01", "9999-12-31")] {
            #expect(try reports.topPage(tenant: moved, from: from, to: to, after: nil, limit: 5).rows.isEmpty)
        }
        let twoCycles = try reports.topPage(tenant: moved, from: "2026-10-01", to: "2026-12-01", after: nil, limit: 100).rows
        #expect(twoCycles == (try reports.topPage(tenant: moved, from: "2026-10-01T00:00", to: "2026-12-01T00:00", after: nil, limit: 100).rows))
        let total = try reports.usageTotalsPage(tenant: moved, from: "2026-10-01", to: "2026-11-01", after: nil, limit: 10).rows
        #expect(total == (try reports.usageTotalsPage(tenant: moved, from: "2026-10-01T00:00", to: "2026-11-01T00:00", after: nil, limit: 10).rows))
        #expect(total.first.map { $0.uploadBytes > 0 } == true)
    }
}
