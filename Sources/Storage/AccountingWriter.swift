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

/// Writes batches of accounting packets in one transaction each: columns sent as array
/// parameters, sessions locked and created in key order, the accounting semantics applied in memory
/// (`SessionAccounting`), then sessions, hourly usage and raw packets written set-based.
///
/// Idempotent by construction: counters are cumulative maxima, so replaying a batch (a
/// retransmission, a spool replay, the same packets at another collector) adds nothing.
/// Owns one connection; use it from one thread at a time.
public final class AccountingWriter {
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) throws {
        self.connection = connection
    }

    /// Writes `items` and commits. Throws without committing anything on any failure.
    /// `alsoRun` goes into the same transaction (a spool replay records its progress there).
    ///
    /// Two or three round trips: BEGIN and the session locks in one pipeline, the creation of
    /// missing sessions when there are any, then every write and COMMIT in one pipeline.
    @discardableResult
    public func write(_ items: [BatchItem], alsoRun: [(sql: String, parameters: [String?])] = []) throws -> BatchSummary {
        var summary = BatchSummary()
        do {
            let sessionItems = items.filter { $0.record.status.isSessionEvent }
            var statements: [(sql: String, parameters: [String?])] = []
            if sessionItems.isEmpty {
                statements.append(("BEGIN", []))
            } else {
                statements += try sessionStatements(sessionItems, summary: &summary)
            }
            for item in items where item.record.status == .accountingOn || item.record.status == .accountingOff {
                statements.append(closeSessionsOfNAS(item.record))
            }
            if let packets = rawPacketStatement(items, summary: &summary) { statements.append(packets) }
            statements += alsoRun
            statements.append(("COMMIT", []))
            let results = try connection.pipeline(statements)
            for (statement, result) in zip(statements, results) {
                if statement.sql.hasPrefix(Self.closeSessionsSQLPrefix) { summary.sessionsClosedByNAS += result.affectedRows }
                if statement.sql.hasPrefix(Self.usageSQLPrefix) { summary.usageRows = result.affectedRows }
            }
        } catch {
            if connection.isConnected { try? connection.execute("ROLLBACK") }
            throw error
        }
        return summary
    }

    private struct StoredSession {
        var id: Int64
        var state: SessionState
        var lastReceivedAt: Int64 = 0
    }

    static let closeSessionsSQLPrefix = "UPDATE sessions SET stopped_at"
    static let usageSQLPrefix = "INSERT INTO usage_hourly"

    /// Locks (and creates) the batch's sessions, applies the accounting semantics and returns
    /// the statements that write the result. Leaves the transaction open.
    private func sessionStatements(_ items: [BatchItem], summary: inout BatchSummary) throws -> [(sql: String, parameters: [String?])] {
        var tenants = ArrayParameter(), nases = ArrayParameter(), sessionIDs = ArrayParameter()
        var users = ArrayParameter(), ports = ArrayParameter(), received = ArrayParameter()
        for item in items {
            let r = item.record
            tenants.append(r.tenantID)
            nases.append(r.nasID)
            sessionIDs.append(r.sessionID)
            users.append(r.userName)
            ports.append(r.nasPort)
            received.appendTimestamp(microseconds: r.receivedAt)
        }
        let keys: [String?] = [tenants.literal, nases.literal, sessionIDs.literal, users.literal, ports.literal]
        // Lock the sessions that exist (in key order, so concurrent collectors lock alike);
        // create the missing ones (a concurrent creator makes this wait for its commit); lock
        // again only if another collector created some meanwhile.
        let lockSQL = """
            SELECT s.tenant_id, s.nas_id, s.acct_session_id, s.user_name, s.nas_port, s.id, s.has_events,
                   s.upload_bytes, s.download_bytes, s.session_seconds,
                   extract(epoch FROM s.started_at)::bigint, extract(epoch FROM s.last_event_at)::bigint,
                   extract(epoch FROM s.stopped_at)::bigint, s.close_reason, s.terminate_cause, s.interim_interval
            FROM sessions s
            WHERE (s.tenant_id, s.nas_id, s.acct_session_id, s.user_name, s.nas_port) IN
                  (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[]))
            ORDER BY s.tenant_id, s.id
            FOR UPDATE
            """
        var results = [try connection.pipeline([("BEGIN", []), (lockSQL, keys)])[1]]
        let distinctKeys = Set(items.map { SanitizedKey.of($0.record) }).count
        if results[0].rowCount < distinctKeys {
            // Rows this transaction inserts are its own until COMMIT; RETURNING gives them in
            // the same shape as the lock query.
            let inserted = try connection.query("""
                INSERT INTO sessions (tenant_id, nas_id, acct_session_id, user_name, nas_port, first_received_at, last_received_at)
                SELECT t, n, a, u, p, min(r), min(r)
                FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS k(t, n, a, u, p, r)
                GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
                ON CONFLICT (tenant_id, nas_id, acct_session_id, user_name, nas_port) DO NOTHING
                RETURNING tenant_id, nas_id, acct_session_id, user_name, nas_port, id, has_events, upload_bytes, download_bytes,
                          session_seconds, NULL::bigint, NULL::bigint, NULL::bigint, close_reason, terminate_cause, interim_interval
                """, keys + [received.literal])
            results.append(inserted)
            if results[0].rowCount + inserted.rowCount < distinctKeys {
                results.append(try connection.query(lockSQL, keys))
            }
        }
        var stored: [SessionKey: StoredSession] = [:]
        stored.reserveCapacity(distinctKeys)
        for locked in results {
            for row in 0..<locked.rowCount {
                func text(_ c: Int) -> String? { locked.value(row: row, column: c) }
                func int(_ c: Int) -> Int64? { text(c).flatMap { Int64($0) } }
                let key = SessionKey(tenantID: int(0) ?? 0, nasID: int(1) ?? 0, sessionID: text(2) ?? "", userName: text(3) ?? "", nasPort: text(4) ?? "")
                let state = SessionState(hasEvents: text(6) == "t", uploadBytes: UInt64(bitPattern: int(7) ?? 0),
                                         downloadBytes: UInt64(bitPattern: int(8) ?? 0), sessionSeconds: UInt64(bitPattern: int(9) ?? 0),
                                         startedAt: int(10), lastEventAt: int(11), stoppedAt: int(12),
                                         closeReason: text(13).flatMap(CloseReason.init(rawValue:)),
                                         terminateCause: int(14).map { UInt32(truncatingIfNeeded: $0) },
                                         interimInterval: int(15).map { UInt32(truncatingIfNeeded: $0) })
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
            session.state = outcome.state
            session.lastReceivedAt = max(session.lastReceivedAt, record.receivedAt)
            stored[key] = session
            for delta in outcome.usage {
                let bucket = BucketKey(tenantID: delta.tenantID, subscriber: key.userName, hour: delta.hour)
                let sum = usageByBucket[bucket] ?? (0, 0, 0)
                usageByBucket[bucket] = (sum.0 + delta.uploadBytes, sum.1 + delta.downloadBytes, sum.2 + delta.sessionSeconds)
            }
        }

        var columns = [ArrayParameter](repeating: ArrayParameter(), count: 17)
        for (key, session) in stored {
            let s = session.state
            columns[0].append(key.tenantID)
            columns[1].append(session.id)
            columns[2].append(Int64(bitPattern: s.uploadBytes))
            columns[3].append(Int64(bitPattern: s.downloadBytes))
            columns[4].append(Int64(bitPattern: s.sessionSeconds))
            columns[5].appendTimestamp(seconds: s.startedAt)
            columns[6].appendTimestamp(seconds: s.lastEventAt)
            columns[7].appendTimestamp(seconds: s.stoppedAt)
            columns[8].append(s.closeReason?.rawValue)
            columns[9].append(s.terminateCause.map { Int64($0) })
            columns[10].append(s.interimInterval.map { Int64($0) })
            columns[11].append(s.multiSessionID)
            columns[12].appendBytea(s.classValue)
            columns[13].append(s.framedIPAddress)
            columns[14].append(s.callingStationID)
            columns[15].append(s.calledStationID)
            columns[16].appendTimestamp(microseconds: session.lastReceivedAt)
        }
        summary.sessionsTouched = stored.count
        var statements: [(sql: String, parameters: [String?])] = [("""
            UPDATE sessions s SET has_events = true, upload_bytes = b.upload_bytes, download_bytes = b.download_bytes,
                session_seconds = b.session_seconds, started_at = b.started_at, last_event_at = b.last_event_at,
                stopped_at = b.stopped_at, close_reason = b.close_reason, terminate_cause = b.terminate_cause,
                interim_interval = b.interim_interval, multi_session_id = b.multi_session_id, class = b.class,
                framed_ip_address = b.framed_ip_address, calling_station_id = b.calling_station_id,
                called_station_id = b.called_station_id, last_received_at = b.last_received_at
            FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::timestamptz[], $7::timestamptz[],
                        $8::timestamptz[], $9::text[], $10::bigint[], $11::bigint[], $12::text[], $13::bytea[], $14::inet[],
                        $15::text[], $16::text[], $17::timestamptz[])
                 AS b(tenant_id, id, upload_bytes, download_bytes, session_seconds, started_at, last_event_at, stopped_at,
                      close_reason, terminate_cause, interim_interval, multi_session_id, class, framed_ip_address,
                      calling_station_id, called_station_id, last_received_at)
            WHERE s.tenant_id = b.tenant_id AND s.id = b.id
            """, columns.map(\.literal))]

        if !usageByBucket.isEmpty {
            var usage = [ArrayParameter](repeating: ArrayParameter(), count: 6)
            for (bucket, sum) in usageByBucket.sorted(by: { $0.key < $1.key }) {
                usage[0].append(bucket.tenantID)
                usage[1].append(bucket.subscriber)
                usage[2].appendTimestamp(seconds: bucket.hour)
                usage[3].append(Int64(bitPattern: sum.0))
                usage[4].append(Int64(bitPattern: sum.1))
                usage[5].append(Int64(bitPattern: sum.2))
            }
            statements.append(("""
                \(Self.usageSQLPrefix) (tenant_id, subscriber, hour, upload_bytes, download_bytes, session_seconds)
                SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::bigint[], $5::bigint[], $6::bigint[])
                ON CONFLICT (tenant_id, subscriber, hour) DO UPDATE SET
                    upload_bytes = usage_hourly.upload_bytes + excluded.upload_bytes,
                    download_bytes = usage_hourly.download_bytes + excluded.download_bytes,
                    session_seconds = usage_hourly.session_seconds + excluded.session_seconds
                """, usage.map(\.literal)))
        }
        return statements
    }

    /// Accounting-On/Off: the NAS restarted, so its open sessions (last heard of before this
    /// event) ended. They close at their last update, cause NAS-Reboot (11).
    private func closeSessionsOfNAS(_ record: AccountingRecord) -> (sql: String, parameters: [String?]) {
        ("""
            \(Self.closeSessionsSQLPrefix) = coalesce(last_event_at, started_at, to_timestamp($3)), close_reason = 'nas-reboot',
                terminate_cause = 11
            WHERE tenant_id = $1 AND nas_id = $2 AND stopped_at IS NULL
              AND coalesce(last_event_at, started_at, first_received_at) <= to_timestamp($3)
            """, [String(record.tenantID), String(record.nasID), String(record.eventTime)])
    }

    private func rawPacketStatement(_ items: [BatchItem], summary: inout BatchSummary) -> (sql: String, parameters: [String?])? {
        var columns = [ArrayParameter](repeating: ArrayParameter(), count: 7)
        for item in items {
            guard let packet = item.packet else { continue }
            let r = item.record
            columns[0].append(r.tenantID)
            columns[1].appendTimestamp(microseconds: r.receivedAt)
            columns[2].append(r.nasID)
            columns[3].append(Int64(r.status.rawValue))
            columns[4].append(r.status.isSessionEvent ? r.userName : nil)
            columns[5].append(r.status.isSessionEvent ? r.sessionID : nil)
            columns[6].appendBytea(packet)
            summary.packetsStored += 1
        }
        guard summary.packetsStored > 0 else { return nil }
        return ("""
            INSERT INTO accounting_packets (tenant_id, received_at, nas_id, status_type, user_name, acct_session_id, packet)
            SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::bytea[])
            """, columns.map(\.literal))
    }
}

/// Hourly bucket identity.
struct BucketKey: Hashable, Comparable {
    var tenantID: Int64
    var subscriber: String
    var hour: Int64
    static func < (a: BucketKey, b: BucketKey) -> Bool { (a.tenantID, a.subscriber, a.hour) < (b.tenantID, b.subscriber, b.hour) }
}

/// The session key as the database stores it (text repaired as `TextRepair` repairs it).
enum SanitizedKey {
    static func of(_ r: AccountingRecord) -> SessionKey {
        SessionKey(tenantID: r.tenantID, nasID: r.nasID, sessionID: clean(r.sessionID), userName: clean(r.userName), nasPort: clean(r.nasPort))
    }

    static func clean(_ s: String) -> String {
        s.utf8.contains(0) ? String(decoding: TextRepair.sanitized(s.utf8), as: UTF8.self) : s
    }
}
