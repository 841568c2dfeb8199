import Storage
import TestSupport
import Testing

@Suite("Stale-session reaper", .enabled(if: TestDatabase.available))
struct StaleSessionReaperTests {
    @Test("Staleness is judged by receipt time, not the NAS's clock; the stop time stays the NAS's last event time")
    func receiptTime() throws {
        let (_, connection) = try TestDatabase.fresh()
        let tenant = try TenantStore(connection: connection).create(slug: "acme", name: "ACME")
        let nas = try NASStore(connection: connection, cipher: TestDatabase.cipher).add(
            tenant: tenant, name: "bras", address: "10.0.0.1",
            secret: "a-long-secret")
        let now: Int64 = 1_795_546_800
        // (session, NAS event time, receipt time, interim interval)
        let rows: [(String, Int64, Int64, Int64?)] = [
            ("clock-behind", now - 86_400, now - 60, nil), // heard from a minute ago, NAS clock a day late
            ("clock-ahead", now + 86_400, now - 3_600, nil), // silent for an hour, NAS clock a day early
            ("interim-live", now - 7_200, now - 100, 60), // 3 x 60 s not yet passed since receipt
            ("interim-dead", now + 600, now - 200, 60), // 3 x 60 s passed since receipt
        ]
        for (session, event, received, interval) in rows {
            try connection.query(
                """
                INSERT INTO sessions (tenant_id, nas_id, acct_session_id, user_name, nas_port, has_events, started_at, last_event_at,
                                      first_received_at, last_received_at, interim_interval)
                VALUES ($1, $2, $3, 'u', '1', true, to_timestamp($4), to_timestamp($4), to_timestamp($5), to_timestamp($5), $6)
                """, [String(tenant.id), String(nas.id), session, String(event), String(received), interval.map(String.init)])
        }
        #expect(try StaleSessionReaper.reap(connection, defaultTimeout: 1800, now: now) == 2)
        let closed = try connection.query(
            """
            SELECT acct_session_id, close_reason, extract(epoch FROM stopped_at)::bigint FROM sessions ORDER BY 1
            """
        ).rows
        #expect(
            closed == [
                ["clock-ahead", "stale", String(now + 86_400)],
                ["clock-behind", nil, nil],
                ["interim-dead", "stale", String(now + 600)],
                ["interim-live", nil, nil],
            ])
        // Each goes once silent, by receipt, for its timeout: 180 s after now - 100, 1800 s after now - 60.
        #expect(try StaleSessionReaper.reap(connection, defaultTimeout: 1800, now: now + 79) == 0)
        #expect(try StaleSessionReaper.reap(connection, defaultTimeout: 1800, now: now + 81) == 1)
        #expect(try StaleSessionReaper.reap(connection, defaultTimeout: 1800, now: now + 1_739) == 0)
        #expect(try StaleSessionReaper.reap(connection, defaultTimeout: 1800, now: now + 1_741) == 1)
    }
}
