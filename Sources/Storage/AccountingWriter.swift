import Accounting

/// Writes batches of accounting packets in one transaction each: columns sent as array
/// parameters, sessions locked and created in key order, the accounting semantics applied in memory
/// (`SessionAccounting`), then sessions, hourly usage and raw packets written set-based.
///
/// Idempotent by construction: counters are cumulative maxima, so replaying a batch (a
/// retransmission, a spool replay, the same packets at another collector) adds nothing.
/// Owns one connection; use it from one thread at a time.
///
/// With a `SessionCache` the writer is the merger's: the only writer of sessions in its
/// database (it holds the merge leadership, `MergeLeadership`), so it reads a key's
/// generations once, keeps them in memory, takes no row locks and creates new keys in the
/// final pipeline. Without one it locks the rows it changes, so several writers may share
/// a database (imports, tests of the semantics).
public final class AccountingWriter {
    public let connection: PostgresConnection
    /// Session generations kept between batches; only for the merge leader.
    public let cache: SessionCache?
    /// What the batch being written will leave in the cache once committed.
    private var pendingCache: [SessionKey: SessionCache.Entry] = [:]
    /// What opens this write's transaction: BEGIN, and the merge fence when there is one.
    private var prelude: [Statement] = [AccountingWriter.begin]

    public init(connection: PostgresConnection, cache: SessionCache? = nil) throws {
        self.connection = connection
        self.cache = cache
    }

    /// Writes `items` and commits. Throws without committing anything on any failure.
    /// `alsoRun` goes into the same transaction (a spool replay records its progress there).
    ///
    /// Two or three round trips: BEGIN and the session locks in one pipeline, the creation of
    /// missing sessions when there are any, then every write and COMMIT in one pipeline.
    @discardableResult
    /// `rebootsElsewhere`: Accounting-On/Off of the same batch that another transaction records
    /// (a merge worker's batch; the merge coordinator closes the sessions): they decide
    /// generations here as if they were in `items`.
    /// `fence` runs right after BEGIN (a merge's `merge_fence`): the transaction holds the merge
    /// leadership row for share before it touches any row, so whoever holds that row
    /// exclusively (a new leader, an import) never waits on rows this transaction holds.
    public func write(
        _ items: [BatchItem], alsoRun: [Statement] = [],
        fence: Statement? = nil,
        rebootsElsewhere: [AccountingRecord] = []
    ) throws -> BatchSummary {
        var summary = BatchSummary()
        prelude = [Self.begin] + (fence.map { [$0] } ?? [])
        do {
            let sessionItems = items.filter { $0.record.status.isSessionEvent }
            let reboots = items.filter { $0.record.status == .accountingOn || $0.record.status == .accountingOff }
            var statements: [Statement] = []
            if sessionItems.isEmpty {
                statements += prelude
            } else {
                statements += try sessionStatements(sessionItems, reboots: reboots.map(\.record) + rebootsElsewhere, summary: &summary)
            }
            for item in reboots {
                statements += closeSessionsOfNAS(item.record)
            }
            if let packets = rawPacketStatement(items, summary: &summary) { statements.append(packets) }
            statements += alsoRun
            statements.append(.commit)
            let results = try connection.pipeline(statements)
            var inserted: PostgresResult?
            for (statement, result) in zip(statements, results) {
                switch statement.tag {
                case .closeSessionsOfNAS?: summary.sessionsClosedByNAS += result.affectedRows
                case .addHourlyUsage?: summary.usageRows = result.affectedRows
                case .insertSessions?: inserted = result
                default: break
                }
            }
            if let cache {
                cache.commit(pendingCache, inserted: try inserted.map(Self.readInsertedIDs) ?? [:])
                // A NAS that restarted closed sessions the cache holds open.
                if !reboots.isEmpty { cache.removeAll() }
            }
            pendingCache = [:]
        } catch {
            if connection.isConnected { try? connection.execute("ROLLBACK") }
            // What the cache holds may be what this transaction would have written.
            cache?.removeAll()
            pendingCache = [:]
            throw error
        }
        return summary
    }

    /// Row ids of inserted generations (`RETURNING` of the insert), by key and generation.
    private static func readInsertedIDs(_ result: PostgresResult) throws -> [SessionCache.GenerationKey: Int64] {
        let tenantID = try result.column("tenant_id")
        let nasID = try result.column("nas_id")
        let sessionID = try result.column("acct_session_id")
        let userName = try result.column("user_name")
        let nasPort = try result.column("nas_port")
        let generation = try result.column("generation")
        let id = try result.column("id")
        var ids: [SessionCache.GenerationKey: Int64] = [:]
        for row in 0..<result.rowCount {
            let key = SessionKey(
                tenantID: result.int64(row: row, column: tenantID), nasID: result.int64(row: row, column: nasID),
                sessionID: result.value(row: row, column: sessionID) ?? "", userName: result.value(row: row, column: userName) ?? "",
                nasPort: result.value(row: row, column: nasPort) ?? "")
            ids[SessionCache.GenerationKey(key: key, number: Int32(truncatingIfNeeded: result.int64(row: row, column: generation)))] =
                result.int64(row: row, column: id)
        }
        return ids
    }

    /// Read committed, whatever the database's default: a statement after a lock wait must
    /// see the rows the other transaction committed (a generation it opened).
    static let begin = Statement("BEGIN ISOLATION LEVEL READ COMMITTED")

    /// One session key's generations as locked, with the row id of each stored one.
    private struct StoredKey {
        var generations: SessionGenerations
        /// Row ids by index into `generations`; nil for a generation this batch opens.
        var ids: [Int64?]
        /// Indexes of generations this batch changed.
        var touched = GenerationIndexes()
        /// The receipt time of the first packet applied to each generation this batch opens.
        var firstReceivedAt: [Int: Int64] = [:]
        /// The index of the generation that was the latest when locked.
        var lockedLatest: Int
    }

    /// NAS identity, for the reboot times of the batch's NAS devices.
    private struct NASKey: Hashable {
        var tenantID: Int64
        var nasID: Int64
    }

    /// Tells usage_hourly's statement triggers that this transaction adds the daily rows itself.
    static let writerKeepsDailySQL = "SELECT set_config('tollgate.daily_kept_by_writer', 'on', true)"

    /// The columns a session row is read with, by the names `readGenerations` reads: times in
    /// seconds, the last receipt in microseconds.
    private static let sessionColumns = """
        s.tenant_id, s.nas_id, s.acct_session_id, s.user_name, s.nas_port, s.generation, s.is_latest, s.id, s.has_events,
        s.upload_bytes, s.download_bytes, s.session_seconds,
        extract(epoch FROM s.started_at)::bigint AS started_at, extract(epoch FROM s.last_event_at)::bigint AS last_event_at,
        extract(epoch FROM s.stopped_at)::bigint AS stopped_at, s.close_reason, s.terminate_cause, s.interim_interval, s.has_start,
        (extract(epoch FROM s.last_received_at) * 1000000)::bigint AS last_received_microseconds
        """

    /// When each of the batch's NAS devices last sent Accounting-On/Off (receipt time).
    private static let rebootsSQL = """
        SELECT tenant_id, nas_id, (extract(epoch FROM received_at) * 1000000)::bigint AS received_microseconds FROM nas_reboots
        WHERE (tenant_id, nas_id) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[]))
        """

    /// Locks the generations of the batch's session keys that a packet can belong to: the
    /// open ones, the latest, and those that stopped after the earliest session start a packet
    /// of the key implies (older ones cannot be a packet's generation). In key order, so
    /// concurrent collectors lock alike.
    private static let lockSQL = readSQL + "\nFOR UPDATE OF s"

    /// The same generations read without locks: for the merge leader, the only writer.
    private static let readSQL = """
        SELECT \(sessionColumns)
        FROM sessions s
        JOIN unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS k(t, n, a, u, p, since)
          ON s.tenant_id = k.t AND s.nas_id = k.n AND s.acct_session_id = k.a AND s.user_name = k.u AND s.nas_port = k.p
        WHERE s.stopped_at IS NULL OR s.is_latest OR s.stopped_at >= to_timestamp(k.since)
        ORDER BY s.tenant_id, s.id
        """

    /// Locks (and creates) the batch's sessions, applies the accounting semantics and returns
    /// the statements that write the result. Leaves the transaction open.
    private func sessionStatements(
        _ items: [BatchItem], reboots: [AccountingRecord],
        summary: inout BatchSummary
    ) throws -> [Statement] {
        // Each key once, with the earliest session start its packets imply and its first receipt.
        let itemKeys = items.map { SanitizedKey.of($0.record) }
        var bounds: [SessionKey: (since: Int64, firstReceived: Int64)] = [:]
        bounds.reserveCapacity(items.count)
        for (item, key) in zip(items, itemKeys) {
            let r = item.record
            let implied = r.eventTime - Int64(r.sessionTime ?? 0)
            if let index = bounds.index(forKey: key) {
                bounds.values[index].since = min(bounds.values[index].since, implied)
                bounds.values[index].firstReceived = min(bounds.values[index].firstReceived, r.receivedAt)
            } else {
                bounds[key] = (implied, r.receivedAt)
            }
        }
        // Key order matters only where rows are locked or read: the cache's hits need none.
        let keys = cache == nil ? bounds.keys.sorted() : Array(bounds.keys)
        var stored: [SessionKey: StoredKey] = [:]
        stored.reserveCapacity(keys.count)
        // Reboots: the stored latest one per NAS, and those of this batch (a spool replay
        // writes them with the packets around them).
        var rebootTimes: [NASKey: [Int64]] = [:]
        /// For the cache: from which session start on each key's generations are all known.
        var coverage: [SessionKey: Int64] = [:]
        var statements: [Statement] = []
        if let cache {
            var missing: [SessionKey] = []
            for key in keys {
                if let entry = cache.entry(for: key, covering: bounds[key]!.since) {
                    stored[key] = StoredKey(
                        generations: SessionGenerations(entry.generations), ids: entry.ids,
                        lockedLatest: entry.generations.count - 1)
                    coverage[key] = entry.since
                } else {
                    missing.append(key)
                }
            }
            var missingNAS: [NASKey] = []
            for nas in Set(keys.map { NASKey(tenantID: $0.tenantID, nasID: $0.nasID) }) {
                if let known = cache.rebootTime(tenantID: nas.tenantID, nasID: nas.nasID) {
                    if let time = known { rebootTimes[nas] = [time] }
                } else {
                    missingNAS.append(nas)
                }
            }
            if missing.isEmpty && missingNAS.isEmpty {
                // Everything is in memory: BEGIN goes with the writes, one round trip in all.
                statements += prelude
            } else {
                missing.sort()
                let parameters = Self.keyParameters(missing, bounds: bounds)
                let opening = try connection.pipeline(
                    prelude + [
                        Statement(Self.readSQL, parameters.lock),
                        Statement(Self.rebootsSQL, Self.nasParameters(missingNAS)),
                    ]
                ).suffix(2).map { $0 }
                let rows = try Self.readGenerations(opening[0])
                var found: Set<NASKey> = []
                for (nas, time) in try Self.readReboots(opening[1]) {
                    rebootTimes[nas, default: []].append(time)
                    cache.noteRebootTime(time, tenantID: nas.tenantID, nasID: nas.nasID)
                    found.insert(nas)
                }
                for nas in missingNAS where !found.contains(nas) { cache.noteRebootTime(nil, tenantID: nas.tenantID, nasID: nas.nasID) }
                for key in missing {
                    if let generations = rows[key] {
                        let sorted = generations.sorted { $0.generation.number < $1.generation.number }
                        stored[key] = StoredKey(
                            generations: SessionGenerations(sorted.map(\.generation)), ids: sorted.map(\.id),
                            lockedLatest: sorted.firstIndex(where: \.isLatest) ?? sorted.count - 1)
                        coverage[key] = bounds[key]!.since
                    } else {
                        // A new key: its first generation is inserted with the batch's writes.
                        let first = bounds[key]!.firstReceived
                        stored[key] = StoredKey(
                            generations: SessionGenerations([.init(number: 1, state: SessionState(), lastReceivedAt: first)]),
                            ids: [nil], firstReceivedAt: [0: first], lockedLatest: 0)
                        coverage[key] = .min
                    }
                }
            }
        } else {
            let parameters = Self.keyParameters(keys, bounds: bounds)
            let opening = try connection.pipeline(
                prelude + [
                    Statement(Self.lockSQL, parameters.lock),
                    Statement(Self.rebootsSQL, Self.nasParameters(Array(Set(keys.map { NASKey(tenantID: $0.tenantID, nasID: $0.nasID) })))),
                ]
            )
            .suffix(2).map { $0 }
            var rows = try Self.readGenerations(opening[0])
            for (nas, time) in try Self.readReboots(opening[1]) {
                rebootTimes[nas, default: []].append(time)
            }
            if Set(rows.keys).count < keys.count {
                // A key's first generation: rows this transaction inserts are its own until COMMIT;
                // a concurrent creator makes the insert wait for its commit and then do nothing.
                let inserted = try connection.query(
                    """
                    INSERT INTO sessions (tenant_id, nas_id, acct_session_id, user_name, nas_port, first_received_at, last_received_at)
                    SELECT t, n, a, u, p, r, r
                    FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS k(t, n, a, u, p, r)
                    ORDER BY 1, 2, 3, 4, 5
                    ON CONFLICT (tenant_id, nas_id, acct_session_id, user_name, nas_port, generation) DO NOTHING
                    RETURNING \(Self.sessionColumns.replacingOccurrences(of: "s.", with: ""))
                    """, parameters.insert)
                rows.merge(try Self.readGenerations(inserted)) { $0 + $1 }
            }
            // Another collector may have created a key's first generation, or opened a newer
            // generation while this one waited for the lock (the generation it held then is no
            // longer the latest): read again, now that those rows are committed and locked by us.
            var attempts = 0
            while rows.count < keys.count || rows.values.contains(where: { !$0.contains(where: \.isLatest) }) {
                attempts += 1
                guard attempts <= 3 else { throw PostgresError(.result, message: "session generations changed while locking") }
                rows = try Self.readGenerations(connection.query(Self.lockSQL, parameters.lock))
            }
            for (key, generations) in rows {
                let sorted = generations.sorted { $0.generation.number < $1.generation.number }
                stored[key] = StoredKey(
                    generations: SessionGenerations(sorted.map(\.generation)), ids: sorted.map(\.id),
                    lockedLatest: sorted.firstIndex(where: \.isLatest) ?? sorted.count - 1)
            }
        }
        for r in reboots {
            rebootTimes[NASKey(tenantID: r.tenantID, nasID: r.nasID), default: []].append(r.receivedAt)
        }
        /// The latest reboot of the packet's NAS received before the packet.
        func rebootedAt(_ r: AccountingRecord) -> Int64? {
            guard !rebootTimes.isEmpty, let times = rebootTimes[NASKey(tenantID: r.tenantID, nasID: r.nasID)] else { return nil }
            var latest: Int64?
            for time in times where time <= r.receivedAt { latest = max(latest ?? time, time) }
            return latest
        }

        // Apply each session's packets in event order.
        var usageByBucket: [BucketKey: (UInt64, UInt64, UInt64)] = [:]
        // Equal event times (whole seconds) keep the order of arrival: a batch of the merger
        // holds several log streams one after another, and a session's Start may be in the later one.
        let ordered = items.indices.sorted { a, b in
            (items[a].record.eventTime, items[a].record.receivedAt, a) < (items[b].record.eventTime, items[b].record.receivedAt, b)
        }
        for offset in ordered {
            let record = items[offset].record
            let key = itemKeys[offset]
            guard let position = stored.index(forKey: key) else {
                throw PostgresError(.result, message: "session \(key.sessionID) was not locked")
            }
            let applied = stored.values[position].generations.apply(record, nasRebootedAt: rebootedAt(record))
            if applied.opened {
                stored.values[position].ids.append(nil)
                stored.values[position].firstReceivedAt[applied.index] = record.receivedAt
            }
            if let closed = applied.superseded { stored.values[position].touched.insert(closed) }
            stored.values[position].touched.insert(applied.index)
            for delta in applied.usage {
                let bucket = BucketKey(tenantID: delta.tenantID, subscriber: key.userName, hour: delta.hour)
                usageByBucket[bucket, default: (0, 0, 0)].0 += delta.uploadBytes
                usageByBucket[bucket, default: (0, 0, 0)].1 += delta.downloadBytes
                usageByBucket[bucket, default: (0, 0, 0)].2 += delta.sessionSeconds
            }
        }

        // Changed generations are updated by id; opened ones inserted whole. The generation
        // that was the latest stops being it when the batch opened a newer one.
        var updates = SessionColumns(withKey: false)
        var inserts = SessionColumns(withKey: true)
        for (key, session) in stored {
            let generations = session.generations.generations
            let latest = generations.count - 1
            var changed = session.touched
            if latest != session.lockedLatest { changed.insert(session.lockedLatest) }
            for index in changed.sorted {
                if let id = session.ids[index] {
                    updates.append(key: key, id: id, generation: generations[index], isLatest: index == latest)
                } else {
                    inserts.append(
                        key: key, id: nil, generation: generations[index], isLatest: index == latest,
                        firstReceivedAt: session.firstReceivedAt[index])
                    // A session that starts (with or without usage yet) is what re-applies a
                    // throttle or block of its subscriber.
                    summary.subscribers.insert(TenantSubscriber(tenantID: key.tenantID, subscriber: key.userName))
                }
            }
        }
        summary.sessionsTouched = updates.count + inserts.count
        summary.sessionsOpened = inserts.count
        if cache != nil {
            pendingCache = [:]
            pendingCache.reserveCapacity(stored.count)
            for (key, session) in stored {
                pendingCache[key] = SessionCache.Entry(
                    generations: session.generations.generations, ids: session.ids,
                    since: coverage[key] ?? bounds[key]!.since)
            }
        }
        if updates.count > 0 {
            statements.append(
                Statement(
                    """
                    UPDATE sessions s SET has_events = true, has_start = b.has_start, upload_bytes = b.upload_bytes,
                        download_bytes = b.download_bytes, session_seconds = b.session_seconds, started_at = b.started_at,
                        last_event_at = b.last_event_at, stopped_at = b.stopped_at, close_reason = b.close_reason,
                        terminate_cause = b.terminate_cause, interim_interval = b.interim_interval,
                        multi_session_id = coalesce(b.multi_session_id, s.multi_session_id), class = coalesce(b.class, s.class),
                        framed_ip_address = coalesce(b.framed_ip_address, s.framed_ip_address),
                        calling_station_id = coalesce(b.calling_station_id, s.calling_station_id),
                        called_station_id = coalesce(b.called_station_id, s.called_station_id), is_latest = b.is_latest,
                        last_received_at = greatest(s.last_received_at, b.last_received_at)
                    FROM unnest(\(updates.unnestArguments)) AS b(\(updates.names))
                    WHERE s.tenant_id = b.tenant_id AND s.id = b.id
                    """, updates.literals))
        }
        if inserts.count > 0 {
            statements.append(
                Statement(
                    """
                    INSERT INTO sessions (tenant_id, nas_id, acct_session_id, user_name, nas_port, generation, is_latest, has_events,
                        has_start, upload_bytes, download_bytes, session_seconds, started_at, last_event_at, stopped_at, close_reason,
                        terminate_cause, interim_interval, multi_session_id, class, framed_ip_address, calling_station_id,
                        called_station_id, first_received_at, last_received_at)
                    SELECT tenant_id, nas_id, acct_session_id, user_name, nas_port, generation, is_latest, true,
                        has_start, upload_bytes, download_bytes, session_seconds, started_at, last_event_at, stopped_at, close_reason,
                        terminate_cause, interim_interval, multi_session_id, class, framed_ip_address, calling_station_id,
                        called_station_id, first_received_at, last_received_at
                    FROM unnest(\(inserts.unnestArguments)) AS b(\(inserts.names))
                    ORDER BY tenant_id, nas_id, acct_session_id, user_name, nas_port, generation
                    \(cache == nil ? "" : "RETURNING tenant_id, nas_id, acct_session_id, user_name, nas_port, generation, id")
                    """, inserts.literals, tag: .insertSessions))
        }

        for bucket in usageByBucket.keys { summary.subscribers.insert(TenantSubscriber(tenantID: bucket.tenantID, subscriber: bucket.subscriber)) }
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
            // The daily rows get the same deltas from this writer, not from the statement
            // triggers (which keep them for everyone else's writes): comparing old and new
            // rows of a large batch costs the triggers far more than adding the deltas.
            statements.append(Statement(Self.writerKeepsDailySQL))
            statements.append(
                Statement(
                    """
                    INSERT INTO usage_hourly (tenant_id, subscriber, hour, upload_bytes, download_bytes, session_seconds)
                    SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::bigint[], $5::bigint[], $6::bigint[])
                    ON CONFLICT (tenant_id, subscriber, hour) DO UPDATE SET
                        upload_bytes = usage_hourly.upload_bytes + excluded.upload_bytes,
                        download_bytes = usage_hourly.download_bytes + excluded.download_bytes,
                        session_seconds = usage_hourly.session_seconds + excluded.session_seconds
                    """, usage.map(\.literal), tag: .addHourlyUsage))
            statements.append(
                Statement(
                    """
                    INSERT INTO usage_daily (tenant_id, day, subscriber, upload_bytes, download_bytes, session_seconds)
                    SELECT k.t, (k.h AT TIME ZONE z.time_zone)::date, k.s, sum(k.u), sum(k.d), sum(k.x)
                    FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::bigint[], $5::bigint[], $6::bigint[]) AS k(t, s, h, u, d, x)
                    JOIN tenants z ON z.id = k.t
                    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                    ON CONFLICT (tenant_id, day, subscriber) DO UPDATE SET
                        upload_bytes = usage_daily.upload_bytes + excluded.upload_bytes,
                        download_bytes = usage_daily.download_bytes + excluded.download_bytes,
                        session_seconds = usage_daily.session_seconds + excluded.session_seconds
                    """, usage.map(\.literal)))
            // The same deltas per subscriber and billing cycle, and per tenant and cycle: the
            // totals row is shared by every merge worker, so it comes last (held until COMMIT).
            statements.append(
                Statement(
                    """
                    INSERT INTO usage_cycles (tenant_id, cycle_start, subscriber, upload_bytes, download_bytes, session_seconds)
                    SELECT k.t, billing_cycle_start((k.h AT TIME ZONE z.time_zone)::date, z.billing_day), k.s, sum(k.u), sum(k.d), sum(k.x)
                    FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::bigint[], $5::bigint[], $6::bigint[]) AS k(t, s, h, u, d, x)
                    JOIN tenants z ON z.id = k.t
                    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                    ON CONFLICT (tenant_id, cycle_start, subscriber) DO UPDATE SET
                        upload_bytes = usage_cycles.upload_bytes + excluded.upload_bytes,
                        download_bytes = usage_cycles.download_bytes + excluded.download_bytes,
                        session_seconds = usage_cycles.session_seconds + excluded.session_seconds
                    """, usage.map(\.literal)))
            statements.append(
                Statement(
                    """
                    INSERT INTO usage_cycle_totals (tenant_id, cycle_start, upload_bytes, download_bytes, session_seconds)
                    SELECT k.t, billing_cycle_start((k.h AT TIME ZONE z.time_zone)::date, z.billing_day), sum(k.u), sum(k.d), sum(k.x)
                    FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::bigint[], $5::bigint[]) AS k(t, h, u, d, x)
                    JOIN tenants z ON z.id = k.t
                    GROUP BY 1, 2 ORDER BY 1, 2
                    ON CONFLICT (tenant_id, cycle_start) DO UPDATE SET
                        upload_bytes = usage_cycle_totals.upload_bytes + excluded.upload_bytes,
                        download_bytes = usage_cycle_totals.download_bytes + excluded.download_bytes,
                        session_seconds = usage_cycle_totals.session_seconds + excluded.session_seconds
                    """, [usage[0], usage[2], usage[3], usage[4], usage[5]].map(\.literal)))
        }
        return statements
    }

    /// The key columns of `keys` as array parameters: with each key's earliest implied start
    /// (`lock`, for reading generations) and with its first receipt (`insert`, for creating them).
    private static func keyParameters(
        _ keys: [SessionKey],
        bounds: [SessionKey: (since: Int64, firstReceived: Int64)]
    ) -> (lock: [String?], insert: [String?]) {
        var tenants = ArrayParameter()
        var nases = ArrayParameter()
        var sessionIDs = ArrayParameter()
        var users = ArrayParameter()
        var ports = ArrayParameter()
        var sinces = ArrayParameter()
        var received = ArrayParameter()
        for key in keys {
            tenants.append(key.tenantID)
            nases.append(key.nasID)
            sessionIDs.append(key.sessionID)
            users.append(key.userName)
            ports.append(key.nasPort)
            sinces.append(bounds[key]!.since)
            received.appendTimestamp(microseconds: bounds[key]!.firstReceived)
        }
        let keyColumns: [String?] = [tenants.literal, nases.literal, sessionIDs.literal, users.literal, ports.literal]
        return (keyColumns + [sinces.literal], keyColumns + [received.literal])
    }

    /// NAS identities as array parameters of `rebootsSQL`.
    private static func nasParameters(_ nases: [NASKey]) -> [String?] {
        var tenants = ArrayParameter()
        var ids = ArrayParameter()
        for nas in nases {
            tenants.append(nas.tenantID)
            ids.append(nas.nasID)
        }
        return [tenants.literal, ids.literal]
    }

    /// Rows of `rebootsSQL`: each NAS with the receipt time of its last reboot.
    private static func readReboots(_ result: PostgresResult) throws -> [(nas: NASKey, time: Int64)] {
        let tenantID = try result.column("tenant_id")
        let nasID = try result.column("nas_id")
        let receivedAt = try result.column("received_microseconds")
        return (0..<result.rowCount).map { row in
            (
                NASKey(tenantID: result.int64(row: row, column: tenantID), nasID: result.int64(row: row, column: nasID)),
                result.int64(row: row, column: receivedAt)
            )
        }
    }

    /// A locked session row: its generation and identity.
    private struct LockedRow {
        var generation: SessionGenerations.Generation
        var id: Int64
        var isLatest: Bool
    }

    /// Reads rows selected with `sessionColumns`, grouped by key.
    private static func readGenerations(_ result: PostgresResult) throws -> [SessionKey: [LockedRow]] {
        let tenantID = try result.column("tenant_id")
        let nasID = try result.column("nas_id")
        let sessionID = try result.column("acct_session_id")
        let userName = try result.column("user_name")
        let nasPort = try result.column("nas_port")
        let number = try result.column("generation")
        let isLatest = try result.column("is_latest")
        let id = try result.column("id")
        let hasEvents = try result.column("has_events")
        let upload = try result.column("upload_bytes")
        let download = try result.column("download_bytes")
        let seconds = try result.column("session_seconds")
        let startedAt = try result.column("started_at")
        let lastEventAt = try result.column("last_event_at")
        let stoppedAt = try result.column("stopped_at")
        let closeReason = try result.column("close_reason")
        let terminateCause = try result.column("terminate_cause")
        let interimInterval = try result.column("interim_interval")
        let hasStart = try result.column("has_start")
        let lastReceived = try result.column("last_received_microseconds")
        var byKey: [SessionKey: [LockedRow]] = [:]
        for row in 0..<result.rowCount {
            func text(_ c: Int) -> String? { result.value(row: row, column: c) }
            func int(_ c: Int) -> Int64? { text(c).flatMap { Int64($0) } }
            let key = SessionKey(
                tenantID: int(tenantID) ?? 0, nasID: int(nasID) ?? 0, sessionID: text(sessionID) ?? "",
                userName: text(userName) ?? "", nasPort: text(nasPort) ?? "")
            let state = SessionState(
                hasEvents: text(hasEvents) == "t", sawStart: text(hasStart) == "t",
                uploadBytes: UInt64(bitPattern: int(upload) ?? 0), downloadBytes: UInt64(bitPattern: int(download) ?? 0),
                sessionSeconds: UInt64(bitPattern: int(seconds) ?? 0),
                startedAt: int(startedAt), lastEventAt: int(lastEventAt), stoppedAt: int(stoppedAt),
                closeReason: text(closeReason).flatMap(CloseReason.init(rawValue:)),
                terminateCause: int(terminateCause).map { UInt32(truncatingIfNeeded: $0) },
                interimInterval: int(interimInterval).map { UInt32(truncatingIfNeeded: $0) })
            let generation = SessionGenerations.Generation(
                number: Int32(truncatingIfNeeded: int(number) ?? 1), state: state,
                lastReceivedAt: int(lastReceived) ?? 0)
            byKey[key, default: []].append(LockedRow(generation: generation, id: int(id) ?? 0, isLatest: text(isLatest) == "t"))
        }
        return byKey
    }

    /// Accounting-On/Off: the NAS restarted, so its open sessions (last heard of before this
    /// event) ended. They close at their last update, cause NAS-Reboot (11).
    private func closeSessionsOfNAS(_ record: AccountingRecord) -> [Statement] {
        [
            Statement(
                """
                INSERT INTO nas_reboots (tenant_id, nas_id, received_at) VALUES ($1, $2, to_timestamp(0) + $3::bigint * interval '1 microsecond')
                ON CONFLICT (tenant_id, nas_id) DO UPDATE SET received_at = greatest(nas_reboots.received_at, excluded.received_at)
                """, [String(record.tenantID), String(record.nasID), String(record.receivedAt)]),
            Statement(
                """
                UPDATE sessions SET stopped_at = coalesce(last_event_at, started_at, to_timestamp($3)), close_reason = 'nas-reboot',
                    terminate_cause = 11
                WHERE tenant_id = $1 AND nas_id = $2 AND stopped_at IS NULL
                  AND coalesce(last_event_at, started_at, first_received_at) <= to_timestamp($3)
                """, [String(record.tenantID), String(record.nasID), String(record.eventTime)], tag: .closeSessionsOfNAS),
        ]
    }

    private func rawPacketStatement(_ items: [BatchItem], summary: inout BatchSummary) -> Statement? {
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
        return Statement(
            """
            INSERT INTO accounting_packets (tenant_id, received_at, nas_id, status_type, user_name, acct_session_id, packet)
            SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::bytea[])
            """, columns.map(\.literal))
    }
}

/// A few generation indexes (a key's generations changed by a batch), kept without allocating
/// for the first 64.
struct GenerationIndexes {
    private var low: UInt64 = 0
    private var high: Set<Int> = []

    mutating func insert(_ index: Int) {
        if index < 64 { low |= 1 << UInt64(index) } else { high.insert(index) }
    }

    var sorted: [Int] {
        var result: [Int] = []
        var bits = low
        while bits != 0 {
            result.append(bits.trailingZeroBitCount)
            bits &= bits - 1
        }
        return result + high.sorted()
    }
}

/// Session rows as array parameters: by id for an update, with their key for an insert.
private struct SessionColumns {
    private static let key: [(String, String)] = [
        ("nas_id", "bigint"), ("acct_session_id", "text"), ("user_name", "text"), ("nas_port", "text"), ("generation", "integer"),
    ]
    private static let state: [(String, String)] = [
        ("is_latest", "boolean"), ("has_start", "boolean"), ("upload_bytes", "bigint"), ("download_bytes", "bigint"), ("session_seconds", "bigint"),
        ("started_at", "timestamptz"), ("last_event_at", "timestamptz"), ("stopped_at", "timestamptz"), ("close_reason", "text"),
        ("terminate_cause", "bigint"), ("interim_interval", "bigint"), ("multi_session_id", "text"), ("class", "bytea"),
        ("framed_ip_address", "inet"), ("calling_station_id", "text"), ("called_station_id", "text"),
        ("last_received_at", "timestamptz"),
    ]
    /// Inserted rows also say when their first packet arrived.
    private static let opened: [(String, String)] = [("first_received_at", "timestamptz")]
    let withKey: Bool
    private var columns: [ArrayParameter]
    private(set) var count = 0

    init(withKey: Bool) {
        self.withKey = withKey
        columns = Array(repeating: ArrayParameter(), count: 2 + (withKey ? Self.key.count + Self.opened.count : 0) + Self.state.count)
    }

    private var layout: [(String, String)] {
        [("tenant_id", "bigint"), ("id", "bigint")] + (withKey ? Self.key : []) + Self.state + (withKey ? Self.opened : [])
    }
    /// `$1::bigint[], $2::bigint[], ...` for `unnest`.
    var unnestArguments: String { layout.enumerated().map { "$\($0.offset + 1)::\($0.element.1)[]" }.joined(separator: ", ") }
    /// The column names `unnest`'s result is given.
    var names: String { layout.map(\.0).joined(separator: ", ") }
    var literals: [String?] { columns.map(\.literal) }

    mutating func append(
        key: SessionKey, id: Int64?, generation: SessionGenerations.Generation, isLatest: Bool,
        firstReceivedAt: Int64? = nil
    ) {
        count += 1
        var c = 0
        func next() -> Int {
            defer { c += 1 }
            return c
        }
        columns[next()].append(key.tenantID)
        columns[next()].append(id)
        if withKey {
            columns[next()].append(key.nasID)
            columns[next()].append(key.sessionID)
            columns[next()].append(key.userName)
            columns[next()].append(key.nasPort)
            columns[next()].append(Int64(generation.number))
        }
        let s = generation.state
        columns[next()].append(isLatest ? "t" : "f")
        columns[next()].append(s.sawStart ? "t" : "f")
        columns[next()].append(Int64(bitPattern: s.uploadBytes))
        columns[next()].append(Int64(bitPattern: s.downloadBytes))
        columns[next()].append(Int64(bitPattern: s.sessionSeconds))
        columns[next()].appendTimestamp(seconds: s.startedAt)
        columns[next()].appendTimestamp(seconds: s.lastEventAt)
        columns[next()].appendTimestamp(seconds: s.stoppedAt)
        columns[next()].append(s.closeReason?.rawValue)
        columns[next()].append(s.terminateCause.map { Int64($0) })
        columns[next()].append(s.interimInterval.map { Int64($0) })
        columns[next()].append(s.multiSessionID)
        columns[next()].appendBytea(s.classValue)
        columns[next()].append(s.framedIPAddress)
        columns[next()].append(s.callingStationID)
        columns[next()].append(s.calledStationID)
        columns[next()].appendTimestamp(microseconds: generation.lastReceivedAt)
        if withKey { columns[next()].appendTimestamp(microseconds: firstReceivedAt ?? generation.lastReceivedAt) }
    }
}

/// Hourly bucket identity.
struct BucketKey: Hashable, Comparable {
    var tenantID: Int64
    var subscriber: String
    var hour: Int64
    static func < (a: BucketKey, b: BucketKey) -> Bool { (a.tenantID, a.subscriber, a.hour) < (b.tenantID, b.subscriber, b.hour) }
}
