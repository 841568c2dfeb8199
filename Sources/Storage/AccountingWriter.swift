import Accounting

/// One accounting packet to record: its meaning and, for the audit table, its octets.
public struct BatchItem: Sendable {
    public var record: AccountingRecord
    /// The packet as received; nil when raw packets are not kept.
    public var packet: [UInt8]?

    public init(record: AccountingRecord, packet: [UInt8]?) {
        self.record = record
        self.packet = packet
    }
}

/// What one committed batch changed.
public struct BatchSummary: Hashable, Sendable {
    public var sessionsTouched = 0
    public var sessionsClosedByNAS = 0
    public var usageRows = 0
    public var packetsStored = 0
}

/// Writes batches of accounting packets in one transaction each: keys staged with COPY,
/// sessions created and locked in key order, the accounting semantics applied in memory
/// (`SessionAccounting`), then sessions, hourly usage and raw packets written set-based.
///
/// Idempotent by construction: counters are cumulative maxima, so replaying a batch (a
/// retransmission, a spool replay, the same packets at another collector) adds nothing.
/// Owns one connection; use it from one thread at a time.
public final class AccountingWriter {
    public let connection: PostgresConnection
    private var keys = CopyBuffer(reservingCapacity: 1 << 16)
    private var sessions = CopyBuffer(reservingCapacity: 1 << 16)
    private var usage = CopyBuffer(reservingCapacity: 1 << 16)
    private var packets = CopyBuffer(reservingCapacity: 1 << 18)

    public init(connection: PostgresConnection) throws {
        self.connection = connection
        try connection.execute("""
            CREATE TEMPORARY TABLE IF NOT EXISTS batch_keys (
                tenant_id bigint, nas_id bigint, acct_session_id text, user_name text, nas_port text, received_at timestamptz
            ) ON COMMIT DELETE ROWS;
            CREATE TEMPORARY TABLE IF NOT EXISTS batch_sessions (
                tenant_id bigint, id bigint, upload_bytes bigint, download_bytes bigint, session_seconds bigint,
                started_at timestamptz, last_event_at timestamptz, stopped_at timestamptz, close_reason text,
                terminate_cause bigint, interim_interval bigint, multi_session_id text, class bytea,
                framed_ip_address inet, calling_station_id text, called_station_id text, last_received_at timestamptz
            ) ON COMMIT DELETE ROWS;
            CREATE TEMPORARY TABLE IF NOT EXISTS batch_usage (
                tenant_id bigint, subscriber text, hour timestamptz, upload_bytes bigint, download_bytes bigint, session_seconds bigint
            ) ON COMMIT DELETE ROWS;
            """)
    }

    /// Writes `items` and commits. Throws without committing anything on any failure.
    @discardableResult
    public func write(_ items: [BatchItem]) throws -> BatchSummary {
        var summary = BatchSummary()
        try connection.transaction { connection in
            let sessionItems = items.filter { $0.record.status.isSessionEvent }
            if !sessionItems.isEmpty {
                try writeSessions(sessionItems, summary: &summary)
            }
            for item in items where item.record.status == .accountingOn || item.record.status == .accountingOff {
                summary.sessionsClosedByNAS += try closeSessionsOfNAS(item.record)
            }
            try writeRawPackets(items, summary: &summary)
        }
        return summary
    }

    private struct StoredSession {
        var id: Int64
        var state: SessionState
        var changed = false
        var lastReceivedAt: Int64 = 0
    }

    private func writeSessions(_ items: [BatchItem], summary: inout BatchSummary) throws {
        keys.removeAll()
        for item in items {
            let r = item.record
            keys.append(r.tenantID)
            keys.append(r.nasID)
            keys.append(r.sessionID)
            keys.append(r.userName)
            keys.append(r.nasPort)
            keys.appendTimestamp(microseconds: r.receivedAt)
            keys.endRow()
        }
        try connection.copyIn("COPY batch_keys FROM STDIN", data: keys.bytes)
        // Lock the sessions that exist, create the missing ones (in key order, so concurrent
        // collectors lock alike; a concurrent creator makes this wait for its commit), then
        // lock those too. Most packets are interims of existing sessions: one probe each.
        let lockSQL = """
            SELECT s.tenant_id, s.nas_id, s.acct_session_id, s.user_name, s.nas_port, s.id, s.has_events,
                   s.upload_bytes, s.download_bytes, s.session_seconds,
                   extract(epoch FROM s.started_at)::bigint, extract(epoch FROM s.last_event_at)::bigint,
                   extract(epoch FROM s.stopped_at)::bigint, s.close_reason, s.terminate_cause, s.interim_interval
            FROM sessions s
            WHERE (s.tenant_id, s.nas_id, s.acct_session_id, s.user_name, s.nas_port) IN
                  (SELECT tenant_id, nas_id, acct_session_id, user_name, nas_port FROM batch_keys)
            ORDER BY s.tenant_id, s.id
            FOR UPDATE
            """
        var results = [try connection.query(lockSQL)]
        let distinctKeys = Set(items.map { SanitizedKey.of($0.record) }).count
        if results[0].rowCount < distinctKeys {
            // Rows this transaction inserts are its own until COMMIT; RETURNING gives them in
            // the same shape as the lock query.
            let inserted = try connection.query("""
                INSERT INTO sessions (tenant_id, nas_id, acct_session_id, user_name, nas_port, first_received_at, last_received_at)
                SELECT tenant_id, nas_id, acct_session_id, user_name, nas_port, min(received_at), min(received_at)
                FROM batch_keys GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
                ON CONFLICT (tenant_id, nas_id, acct_session_id, user_name, nas_port) DO NOTHING
                RETURNING tenant_id, nas_id, acct_session_id, user_name, nas_port, id, has_events, upload_bytes, download_bytes,
                          session_seconds, NULL::bigint, NULL::bigint, NULL::bigint, close_reason, terminate_cause, interim_interval
                """)
            results.append(inserted)
            if results[0].rowCount + inserted.rowCount < distinctKeys {
                // Another collector created some of them meanwhile (its commit released the
                // conflict): lock everything again, now that they exist.
                results.append(try connection.query(lockSQL))
            }
        }
        var stored: [SessionKey: StoredSession] = [:]
        stored.reserveCapacity(distinctKeys)
        for locked in results {
        for row in 0..<locked.rowCount {
            func text(_ c: Int) -> String? { locked.value(row: row, column: c) }
            func int(_ c: Int) -> Int64? { text(c).flatMap { Int64($0) } }
            let key = SessionKey(tenantID: int(0) ?? 0, nasID: int(1) ?? 0, sessionID: text(2) ?? "", userName: text(3) ?? "", nasPort: text(4) ?? "")
            var state = SessionState(hasEvents: text(6) == "t", uploadBytes: UInt64(int(7) ?? 0), downloadBytes: UInt64(int(8) ?? 0),
                                     sessionSeconds: UInt64(int(9) ?? 0), startedAt: int(10), lastEventAt: int(11), stoppedAt: int(12),
                                     closeReason: text(13).flatMap(CloseReason.init(rawValue:)),
                                     terminateCause: int(14).map { UInt32(truncatingIfNeeded: $0) },
                                     interimInterval: int(15).map { UInt32(truncatingIfNeeded: $0) })
            state.hasEvents = text(6) == "t"
            stored[key] = StoredSession(id: int(5) ?? 0, state: state)
        }
        }

        // Apply each session's packets in event order (stable for equal times).
        var usageByBucket: [BucketKey: (UInt64, UInt64, UInt64)] = [:]
        let ordered = items.enumerated().sorted { a, b in
            (a.element.record.eventTime, a.offset) < (b.element.record.eventTime, b.offset)
        }
        for (_, item) in ordered {
            let record = item.record
            let key = SanitizedKey.of(record)
            guard var session = stored[key] else {
                throw PostgresError(.result, message: "session \(key.sessionID) was not locked")
            }
            let outcome = SessionAccounting.apply(record, to: session.state)
            if outcome.state != session.state || !session.changed {
                session.changed = true
            }
            session.state = outcome.state
            session.lastReceivedAt = max(session.lastReceivedAt, record.receivedAt)
            stored[key] = session
            for delta in outcome.usage {
                let bucket = BucketKey(tenantID: delta.tenantID, subscriber: key.userName, hour: delta.hour)
                let sum = usageByBucket[bucket] ?? (0, 0, 0)
                usageByBucket[bucket] = (sum.0 + delta.uploadBytes, sum.1 + delta.downloadBytes, sum.2 + delta.sessionSeconds)
            }
        }

        sessions.removeAll()
        for (key, session) in stored where session.changed {
            let s = session.state
            sessions.append(key.tenantID)
            sessions.append(session.id)
            sessions.append(Int64(bitPattern: s.uploadBytes))
            sessions.append(Int64(bitPattern: s.downloadBytes))
            sessions.append(Int64(bitPattern: s.sessionSeconds))
            sessions.appendTimestamp(seconds: s.startedAt)
            sessions.appendTimestamp(seconds: s.lastEventAt)
            sessions.appendTimestamp(seconds: s.stoppedAt)
            sessions.append(s.closeReason?.rawValue)
            sessions.append(s.terminateCause.map { Int64($0) })
            sessions.append(s.interimInterval.map { Int64($0) })
            sessions.append(s.multiSessionID)
            sessions.appendBytea(s.classValue)
            sessions.append(s.framedIPAddress)
            sessions.append(s.callingStationID)
            sessions.append(s.calledStationID)
            sessions.appendTimestamp(microseconds: session.lastReceivedAt)
            sessions.endRow()
            summary.sessionsTouched += 1
        }
        if !sessions.isEmpty {
            try connection.copyIn("COPY batch_sessions FROM STDIN", data: sessions.bytes)
            try connection.execute("""
                UPDATE sessions s SET has_events = true, upload_bytes = b.upload_bytes, download_bytes = b.download_bytes,
                    session_seconds = b.session_seconds, started_at = b.started_at, last_event_at = b.last_event_at,
                    stopped_at = b.stopped_at, close_reason = b.close_reason, terminate_cause = b.terminate_cause,
                    interim_interval = b.interim_interval, multi_session_id = b.multi_session_id, class = b.class,
                    framed_ip_address = b.framed_ip_address, calling_station_id = b.calling_station_id,
                    called_station_id = b.called_station_id, last_received_at = b.last_received_at
                FROM batch_sessions b WHERE s.tenant_id = b.tenant_id AND s.id = b.id
                """)
        }

        usage.removeAll()
        for (bucket, sum) in usageByBucket.sorted(by: { $0.key < $1.key }) {
            usage.append(bucket.tenantID)
            usage.append(bucket.subscriber)
            usage.appendTimestamp(seconds: bucket.hour)
            usage.append(Int64(bitPattern: sum.0))
            usage.append(Int64(bitPattern: sum.1))
            usage.append(Int64(bitPattern: sum.2))
            usage.endRow()
        }
        if !usage.isEmpty {
            try connection.copyIn("COPY batch_usage FROM STDIN", data: usage.bytes)
            let result = try connection.query("""
                INSERT INTO usage_hourly (tenant_id, subscriber, hour, upload_bytes, download_bytes, session_seconds)
                SELECT tenant_id, subscriber, hour, upload_bytes, download_bytes, session_seconds FROM batch_usage
                ORDER BY tenant_id, subscriber, hour
                ON CONFLICT (tenant_id, subscriber, hour) DO UPDATE SET
                    upload_bytes = usage_hourly.upload_bytes + excluded.upload_bytes,
                    download_bytes = usage_hourly.download_bytes + excluded.download_bytes,
                    session_seconds = usage_hourly.session_seconds + excluded.session_seconds
                """)
            summary.usageRows = result.affectedRows
        }
    }

    /// Accounting-On/Off: the NAS restarted, so its open sessions (last heard of before this
    /// event) ended. They close at their last update, cause NAS-Reboot (11).
    private func closeSessionsOfNAS(_ record: AccountingRecord) throws -> Int {
        try connection.query("""
            UPDATE sessions SET stopped_at = coalesce(last_event_at, started_at, to_timestamp($3)), close_reason = 'nas-reboot',
                terminate_cause = 11
            WHERE tenant_id = $1 AND nas_id = $2 AND stopped_at IS NULL
              AND coalesce(last_event_at, started_at, first_received_at) <= to_timestamp($3)
            """, [String(record.tenantID), String(record.nasID), String(record.eventTime)]).affectedRows
    }

    private func writeRawPackets(_ items: [BatchItem], summary: inout BatchSummary) throws {
        packets.removeAll()
        for item in items {
            guard let packet = item.packet else { continue }
            let r = item.record
            packets.append(r.tenantID)
            packets.appendTimestamp(microseconds: r.receivedAt)
            packets.append(r.nasID)
            packets.append(Int64(r.status.rawValue))
            if r.status.isSessionEvent {
                packets.append(r.userName)
                packets.append(r.sessionID)
            } else {
                packets.appendNull()
                packets.appendNull()
            }
            packets.appendBytea(packet)
            packets.endRow()
            summary.packetsStored += 1
        }
        if !packets.isEmpty {
            try connection.copyIn("""
                COPY accounting_packets (tenant_id, received_at, nas_id, status_type, user_name, acct_session_id, packet) FROM STDIN
                """, data: packets.bytes)
        }
    }
}

/// Hourly bucket identity.
struct BucketKey: Hashable, Comparable {
    var tenantID: Int64
    var subscriber: String
    var hour: Int64
    static func < (a: BucketKey, b: BucketKey) -> Bool { (a.tenantID, a.subscriber, a.hour) < (b.tenantID, b.subscriber, b.hour) }
}

/// The session key as the database stores it (text repaired the same way COPY repairs it).
enum SanitizedKey {
    static func of(_ r: AccountingRecord) -> SessionKey {
        SessionKey(tenantID: r.tenantID, nasID: r.nasID, sessionID: clean(r.sessionID), userName: clean(r.userName), nasPort: clean(r.nasPort))
    }

    static func clean(_ s: String) -> String {
        s.utf8.contains(0) ? String(decoding: CopyBuffer.sanitized(s.utf8), as: UTF8.self) : s
    }
}
