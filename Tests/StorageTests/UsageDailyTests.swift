import Accounting
import Foundation
import Storage
import TestSupport
import Testing

@Suite("Daily usage kept with the hourly buckets", .enabled(if: TestDatabase.available))
struct UsageDailyTests {
    /// Daily rows against the hourly buckets summed per local day, for every tenant.
    func mismatches(_ connection: PostgresConnection) throws -> [[String?]] {
        try connection.query(
            """
            WITH h AS (
                SELECT u.tenant_id, (u.hour AT TIME ZONE t.time_zone)::date AS day, u.subscriber,
                       sum(u.upload_bytes) AS up, sum(u.download_bytes) AS down, sum(u.session_seconds) AS secs
                FROM usage_hourly u JOIN tenants t ON t.id = u.tenant_id GROUP BY 1, 2, 3)
            SELECT coalesce(h.subscriber, d.subscriber), coalesce(h.day, d.day)::text
            FROM h FULL JOIN usage_daily d ON d.tenant_id = h.tenant_id AND d.day = h.day AND d.subscriber = h.subscriber
            WHERE h.up IS DISTINCT FROM d.upload_bytes OR h.down IS DISTINCT FROM d.download_bytes OR h.secs IS DISTINCT FROM d.session_seconds
            """
        ).rows
    }

    @Test("The collector's writes, direct inserts, updates and deletes keep the daily rows exact; the zone is fixed once usage exists")
    func dailyEqualsHourly() throws {
        let (_, connection) = try TestDatabase.fresh()
        let tenants = TenantStore(connection: connection)
        let original = try tenants.create(slug: "vienna", name: "V", timeZone: "Europe/Vienna")
        let kolkata = try tenants.create(slug: "kolkata", name: "K", timeZone: "Asia/Kolkata")
        let nasV = try NASStore(connection: connection, cipher: TestDatabase.cipher).add(
            tenant: original, name: "v", address: "10.0.0.1", secret: "s")
        let nasK = try NASStore(connection: connection, cipher: TestDatabase.cipher).add(tenant: kolkata, name: "k", address: "10.0.0.2", secret: "s")
        // Sessions across local midnight in both zones, through the batch writer.
        let start: Int64 = 1_791_414_000 // 2026-10-07T22:20:00Z
        var items: [BatchItem] = []
        for (tenant, nas) in [(original, nasV), (kolkata, nasK)] {
            for i in 0..<6 {
                let user = "u\(i % 3)"
                items.append(
                    BatchItem(
                        record: AccountingRecord(
                            tenantID: tenant.id, nasID: nas.id, status: .start, sessionID: "s\(i)", userName: user,
                            eventTime: start + Int64(i) * 1800, receivedAt: (start + Int64(i) * 1800) * 1_000_000), packet: nil))
                for step in 1...4 {
                    var interim = AccountingRecord(
                        tenantID: tenant.id, nasID: nas.id, status: step == 4 ? .stop : .interimUpdate, sessionID: "s\(i)",
                        userName: user, eventTime: start + Int64(i) * 1800 + Int64(step) * 3000,
                        receivedAt: (start + Int64(i) * 1800 + Int64(step) * 3000) * 1_000_000)
                    interim.upload = CounterReading(octets: UInt32(step * 1_000_003), gigawords: nil)
                    interim.download = CounterReading(octets: UInt32(step * 7_000_001), gigawords: nil)
                    interim.sessionTime = UInt32(step * 3000)
                    items.append(BatchItem(record: interim, packet: nil))
                }
            }
        }
        let writer = try AccountingWriter(connection: connection)
        for chunk in stride(from: 0, to: items.count, by: 7).map({ Array(items[$0..<min($0 + 7, items.count)]) }) { try writer.write(chunk) }
        #expect(try connection.query("SELECT count(*) > 0 FROM usage_daily").rows == [["t"]])
        #expect(try mismatches(connection).isEmpty)
        // Direct writes of every kind.
        try connection.execute(
            """
            INSERT INTO usage_hourly (tenant_id, subscriber, hour, upload_bytes, download_bytes)
            SELECT \(original.id), 'bulk' || (g % 7), timestamptz '2026-10-01 00:00Z' + g * interval '1 hour', g, 2 * g FROM generate_series(1, 500) g;
            UPDATE usage_hourly SET download_bytes = download_bytes + 11 WHERE subscriber = 'bulk3';
            DELETE FROM usage_hourly WHERE subscriber = 'bulk4' AND hour < timestamptz '2026-10-10 00:00Z'
            """)
        #expect(try mismatches(connection).isEmpty)
        // The zone the days are cut in cannot change under recorded usage.
        #expect(throws: StoreError.self) { try tenants.update(slug: "vienna", timeZone: "America/Los_Angeles") }
        let vienna = try tenants.update(slug: "vienna", name: "Vienna")
        // What the reports read from either table agrees.
        let reports = ReportStore(connection: connection)
        let daily = try reports.usageTotalsPage(tenant: vienna, from: "2026-10-01", to: "2026-11-01", by: .day, after: nil, limit: 10_000).rows
        let hourly = try reports.usageTotalsPage(
            tenant: vienna, from: "2026-10-01T00:00", to: "2026-11-01T00:00", by: .day,
            after: nil, limit: 10_000
        ).rows
        #expect(!daily.isEmpty && daily == hourly)
        let top = try reports.topPage(tenant: vienna, from: "2026-10-01", to: "2026-11-01", by: .download, after: nil, limit: 5).rows
        let topHourly = try reports.topPage(
            tenant: vienna, from: "2026-10-01T00:00", to: "2026-11-01T00:00", by: .download,
            after: nil, limit: 5
        ).rows
        #expect(top.count == 5 && top == topHourly)
    }
}
