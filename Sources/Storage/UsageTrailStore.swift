import Rating

/// The audit trail behind an invoice line: a subscriber's hourly buckets, the sessions
/// open during an hour, and the packets of a session from the packet log. Reads only,
/// tenant-scoped, every listing bounded.
public struct UsageTrailStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The hourly buckets of `user` starting in `range` (UTC seconds), oldest first, at most `limit`.
    public func buckets(tenant: Tenant, user: String, range: Range<Int64>, limit: Int = 800) throws -> [HourlyUsage] {
        try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query(
                """
                SELECT extract(epoch FROM hour)::bigint AS hour, upload_bytes, download_bytes FROM usage_hourly
                WHERE tenant_id = $1 AND subscriber = $2 AND hour >= to_timestamp($3) AND hour < to_timestamp($4)
                ORDER BY hour LIMIT $5
                """, [String(tenant.id), user, String(range.lowerBound), String(range.upperBound), String(max(1, min(limit, 2000)))])
            let hour = try result.column("hour")
            let upload = try result.column("upload_bytes")
            let download = try result.column("download_bytes")
            return (0..<result.rowCount).map {
                HourlyUsage(
                    hour: result.int64(row: $0, column: hour), upload: result.int64(row: $0, column: upload),
                    download: result.int64(row: $0, column: download))
            }
        }
    }

    /// The sessions of `user` whose usage can have gone into the bucket of `hour` (UTC
    /// seconds of its start): those whose span from start to last update (event times) meets
    /// the hour. A session's counter deltas are spread over the time between its updates,
    /// never outside that span. Oldest first, at most `limit`.
    public func sessions(tenant: Tenant, user: String, hour: Int64, limit: Int = 200) throws -> [TrailSession] {
        try connection.tenantTransaction(tenant.id) { connection in
            try Self.sessions(
                try connection.query(
                    """
                    SELECT \(Self.sessionColumns) FROM sessions s LEFT JOIN nas_devices n ON n.tenant_id = s.tenant_id AND n.id = s.nas_id
                    WHERE s.tenant_id = $1 AND s.user_name = $2
                      AND date_trunc('hour', coalesce(s.started_at, s.last_event_at, s.first_received_at)) < to_timestamp($3) + interval '1 hour'
                      AND greatest(coalesce(s.last_event_at, s.started_at, s.first_received_at), coalesce(s.stopped_at, s.started_at, s.first_received_at))
                          >= to_timestamp($3)
                    ORDER BY coalesce(s.started_at, s.first_received_at), s.id LIMIT $4
                    """, [String(tenant.id), user, String(hour), String(max(1, min(limit, 1000)))]))
        }
    }

    /// One session by id; not found for another tenant's.
    public func session(tenant: Tenant, id: Int64) throws -> TrailSession {
        try connection.tenantTransaction(tenant.id) { connection in
            guard let session = try Self.session(connection, tenant: tenant, id: id) else { throw StoreError(.notFound, "no session \(id)") }
            return session
        }
    }

    /// A session and the packets the log holds for it, in receipt order, at most `limit`:
    /// packets of its NAS, Acct-Session-Id and User-Name received between its first and last
    /// packet. The NAS port (and so the generation) is told apart by the caller, which
    /// decodes the packets. The range in seconds lets PostgreSQL skip the log's other day
    /// partitions; the comparison in microseconds is the exact one.
    public func packets(tenant: Tenant, sessionID id: Int64, limit: Int = 500) throws -> (session: TrailSession, packets: [TrailPacket]) {
        try connection.tenantTransaction(tenant.id) { connection in
            guard let session = try Self.session(connection, tenant: tenant, id: id) else { throw StoreError(.notFound, "no session \(id)") }
            let result = try connection.query(
                """
                SELECT (extract(epoch FROM received_at) * 1000000)::bigint AS received_microseconds, nas_id, status_type,
                       encode(packet, 'hex') AS packet
                FROM accounting_packets
                WHERE tenant_id = $1 AND nas_id = $2 AND acct_session_id = $3 AND user_name = $4
                  AND received_at >= to_timestamp($5::double precision / 1000000) - interval '1 second'
                  AND received_at <= to_timestamp($6::double precision / 1000000) + interval '1 second'
                  AND (extract(epoch FROM received_at) * 1000000)::bigint BETWEEN $5::bigint AND $6::bigint
                ORDER BY received_at LIMIT $7
                """,
                [
                    String(tenant.id), String(session.nasID), session.sessionID, session.user, String(session.firstReceivedAt),
                    String(session.lastReceivedAt), String(max(1, min(limit, 2000))),
                ])
            let receivedAt = try result.column("received_microseconds")
            let nasID = try result.column("nas_id")
            let statusType = try result.column("status_type")
            let packet = try result.column("packet")
            let packets = (0..<result.rowCount).map { row in
                TrailPacket(
                    receivedAt: result.int64(row: row, column: receivedAt), nasID: result.int64(row: row, column: nasID),
                    statusType: result.value(row: row, column: statusType).flatMap { Int64($0) },
                    packet: Self.bytes(hex: result.value(row: row, column: packet) ?? ""))
            }
            return (session, packets)
        }
    }

    static func session(_ connection: PostgresConnection, tenant: Tenant, id: Int64) throws -> TrailSession? {
        try sessions(
            try connection.query(
                """
                SELECT \(sessionColumns) FROM sessions s LEFT JOIN nas_devices n ON n.tenant_id = s.tenant_id AND n.id = s.nas_id
                WHERE s.tenant_id = $1 AND s.id = $2
                """, [String(tenant.id), String(id)])
        ).first
    }

    static let sessionColumns = """
        s.id, s.nas_id, coalesce(n.name, '') AS nas, s.acct_session_id, s.user_name, s.nas_port, s.generation,
        to_char(s.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS started_at,
        to_char(s.last_event_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_event_at,
        to_char(s.stopped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS stopped_at,
        s.close_reason, s.terminate_cause, s.upload_bytes, s.download_bytes, s.session_seconds,
        (extract(epoch FROM s.first_received_at) * 1000000)::bigint AS first_received_microseconds,
        (extract(epoch FROM s.last_received_at) * 1000000)::bigint AS last_received_microseconds
        """

    /// Rows of `sessionColumns`.
    static func sessions(_ result: PostgresResult) throws -> [TrailSession] {
        let id = try result.column("id")
        let nasID = try result.column("nas_id")
        let nas = try result.column("nas")
        let sessionID = try result.column("acct_session_id")
        let user = try result.column("user_name")
        let nasPort = try result.column("nas_port")
        let generation = try result.column("generation")
        let startedAt = try result.column("started_at")
        let lastEventAt = try result.column("last_event_at")
        let stoppedAt = try result.column("stopped_at")
        let closeReason = try result.column("close_reason")
        let terminateCause = try result.column("terminate_cause")
        let upload = try result.column("upload_bytes")
        let download = try result.column("download_bytes")
        let seconds = try result.column("session_seconds")
        let firstReceived = try result.column("first_received_microseconds")
        let lastReceived = try result.column("last_received_microseconds")
        return (0..<result.rowCount).map { row in
            func text(_ c: Int) -> String? { result.value(row: row, column: c) }
            return TrailSession(
                id: result.int64(row: row, column: id), nasID: result.int64(row: row, column: nasID), nas: text(nas) ?? "",
                sessionID: text(sessionID) ?? "", user: text(user) ?? "", nasPort: text(nasPort) ?? "",
                generation: Int(result.int64(row: row, column: generation)),
                startedAt: text(startedAt), lastEventAt: text(lastEventAt), stoppedAt: text(stoppedAt), closeReason: text(closeReason),
                terminateCause: text(terminateCause).flatMap { Int64($0) }, uploadBytes: result.int64(row: row, column: upload),
                downloadBytes: result.int64(row: row, column: download), sessionSeconds: result.int64(row: row, column: seconds),
                firstReceivedAt: result.int64(row: row, column: firstReceived),
                lastReceivedAt: result.int64(row: row, column: lastReceived))
        }
    }

    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for c in hex.utf8 {
            let nibble: UInt8
            switch c {
            case 48...57: nibble = c - 48
            case 97...102: nibble = c - 87
            case 65...70: nibble = c - 55
            default: continue
            }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}
