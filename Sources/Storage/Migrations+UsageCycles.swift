extension Migrations {
    /// Usage per subscriber and billing cycle of the tenant, kept equal to the sum of the
    /// daily rows by statement triggers on usage_daily (whoever writes them: the merge, the
    /// hourly triggers, a bulk load). Pages and reports over whole cycles (the console's
    /// overview, its subscriber list sorted by usage, the top users of a cycle) read one row
    /// per subscriber instead of one per day. A cycle is named by its first local day; a
    /// tenant whose billing day changes has its rows cut again from the daily ones, in the
    /// same transaction, while the merge waits on the table's lock.
    static let v17 = """
        -- The first day of the billing cycle holding local day `day` for billing day 1-28.
        CREATE FUNCTION billing_cycle_start(day date, billing_day integer) RETURNS date
            LANGUAGE sql IMMUTABLE PARALLEL SAFE
            RETURN (date_trunc('month', day - (billing_day - 1)) + make_interval(days => billing_day - 1))::date;

        CREATE TABLE usage_cycles (
            tenant_id bigint NOT NULL REFERENCES tenants (id),
            cycle_start date NOT NULL,
            subscriber text NOT NULL,
            upload_bytes bigint NOT NULL DEFAULT 0,
            download_bytes bigint NOT NULL DEFAULT 0,
            session_seconds bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (tenant_id, cycle_start, subscriber)
        ) WITH (fillfactor = 70);
        ALTER TABLE usage_cycles ENABLE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON usage_cycles USING (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint))
            WITH CHECK (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint));
        GRANT SELECT ON usage_cycles TO tollgate_tenant;

        -- The tenant's usage per cycle over all subscribers: the overview's figures, read as
        -- one row. Each writing transaction holds the row it changed until it commits (after
        -- the daily rows, the last of a merge's writes), so the merge's workers pass it in turn.
        CREATE TABLE usage_cycle_totals (
            tenant_id bigint NOT NULL REFERENCES tenants (id),
            cycle_start date NOT NULL,
            upload_bytes bigint NOT NULL DEFAULT 0,
            download_bytes bigint NOT NULL DEFAULT 0,
            session_seconds bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (tenant_id, cycle_start)
        ) WITH (fillfactor = 50);
        ALTER TABLE usage_cycle_totals ENABLE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON usage_cycle_totals USING (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint))
            WITH CHECK (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint));
        GRANT SELECT ON usage_cycle_totals TO tollgate_tenant;

        -- Adds the changes of the daily rows (new minus old) to the cycle rows and the totals,
        -- in key order so concurrent writers lock rows alike.
        CREATE FUNCTION usage_cycles_add() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $fn$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                WITH d AS (
                    SELECT n.tenant_id, billing_cycle_start(n.day, t.billing_day) AS cycle_start, n.subscriber,
                           sum(n.upload_bytes)::bigint AS upload_bytes, sum(n.download_bytes)::bigint AS download_bytes,
                           sum(n.session_seconds)::bigint AS session_seconds
                    FROM new_rows n JOIN tenants t ON t.id = n.tenant_id GROUP BY 1, 2, 3
                ), c AS (
                    INSERT INTO usage_cycles (tenant_id, cycle_start, subscriber, upload_bytes, download_bytes, session_seconds)
                    SELECT * FROM d ORDER BY 1, 2, 3
                    ON CONFLICT (tenant_id, cycle_start, subscriber) DO UPDATE SET
                        upload_bytes = usage_cycles.upload_bytes + excluded.upload_bytes,
                        download_bytes = usage_cycles.download_bytes + excluded.download_bytes,
                        session_seconds = usage_cycles.session_seconds + excluded.session_seconds
                )
                INSERT INTO usage_cycle_totals (tenant_id, cycle_start, upload_bytes, download_bytes, session_seconds)
                SELECT tenant_id, cycle_start, sum(upload_bytes), sum(download_bytes), sum(session_seconds) FROM d GROUP BY 1, 2 ORDER BY 1, 2
                ON CONFLICT (tenant_id, cycle_start) DO UPDATE SET
                    upload_bytes = usage_cycle_totals.upload_bytes + excluded.upload_bytes,
                    download_bytes = usage_cycle_totals.download_bytes + excluded.download_bytes,
                    session_seconds = usage_cycle_totals.session_seconds + excluded.session_seconds;
            ELSIF TG_OP = 'UPDATE' THEN
                -- An update adds new minus old (the key of a daily row does not change).
                WITH d AS (
                    SELECT n.tenant_id, billing_cycle_start(n.day, t.billing_day) AS cycle_start, n.subscriber,
                           sum(n.upload_bytes - o.upload_bytes)::bigint AS upload_bytes, sum(n.download_bytes - o.download_bytes)::bigint AS download_bytes,
                           sum(n.session_seconds - o.session_seconds)::bigint AS session_seconds
                    FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.day = n.day AND o.subscriber = n.subscriber
                    JOIN tenants t ON t.id = n.tenant_id GROUP BY 1, 2, 3
                ), c AS (
                    UPDATE usage_cycles c SET upload_bytes = c.upload_bytes + d.upload_bytes, download_bytes = c.download_bytes + d.download_bytes,
                           session_seconds = c.session_seconds + d.session_seconds
                    FROM (SELECT * FROM d ORDER BY 1, 2, 3) d
                    WHERE c.tenant_id = d.tenant_id AND c.cycle_start = d.cycle_start AND c.subscriber = d.subscriber
                )
                UPDATE usage_cycle_totals c SET upload_bytes = c.upload_bytes + d.upload_bytes, download_bytes = c.download_bytes + d.download_bytes,
                       session_seconds = c.session_seconds + d.session_seconds
                FROM (SELECT tenant_id, cycle_start, sum(upload_bytes) AS upload_bytes, sum(download_bytes) AS download_bytes,
                             sum(session_seconds) AS session_seconds FROM d GROUP BY 1, 2 ORDER BY 1, 2) d
                WHERE c.tenant_id = d.tenant_id AND c.cycle_start = d.cycle_start;
            ELSE
                WITH d AS (
                    SELECT o.tenant_id, billing_cycle_start(o.day, t.billing_day) AS cycle_start, o.subscriber,
                           -sum(o.upload_bytes)::bigint AS upload_bytes, -sum(o.download_bytes)::bigint AS download_bytes,
                           -sum(o.session_seconds)::bigint AS session_seconds
                    FROM old_rows o JOIN tenants t ON t.id = o.tenant_id GROUP BY 1, 2, 3
                ), c AS (
                    UPDATE usage_cycles c SET upload_bytes = c.upload_bytes + d.upload_bytes, download_bytes = c.download_bytes + d.download_bytes,
                           session_seconds = c.session_seconds + d.session_seconds
                    FROM (SELECT * FROM d ORDER BY 1, 2, 3) d
                    WHERE c.tenant_id = d.tenant_id AND c.cycle_start = d.cycle_start AND c.subscriber = d.subscriber
                )
                UPDATE usage_cycle_totals c SET upload_bytes = c.upload_bytes + d.upload_bytes, download_bytes = c.download_bytes + d.download_bytes,
                       session_seconds = c.session_seconds + d.session_seconds
                FROM (SELECT tenant_id, cycle_start, sum(upload_bytes) AS upload_bytes, sum(download_bytes) AS download_bytes,
                             sum(session_seconds) AS session_seconds FROM d GROUP BY 1, 2 ORDER BY 1, 2) d
                WHERE c.tenant_id = d.tenant_id AND c.cycle_start = d.cycle_start;
                -- A cycle left without days has no row.
                DELETE FROM usage_cycles c
                USING (SELECT DISTINCT o.tenant_id, billing_cycle_start(o.day, t.billing_day) AS cycle_start, o.subscriber
                       FROM old_rows o JOIN tenants t ON t.id = o.tenant_id) d
                WHERE c.tenant_id = d.tenant_id AND c.cycle_start = d.cycle_start AND c.subscriber = d.subscriber
                  AND NOT EXISTS (SELECT 1 FROM usage_daily u WHERE u.tenant_id = d.tenant_id AND u.subscriber = d.subscriber
                                  AND u.day >= d.cycle_start AND u.day < (d.cycle_start + interval '1 month')::date);
            END IF;
            RETURN NULL;
        END $fn$;
        CREATE TRIGGER usage_cycles_insert AFTER INSERT ON usage_daily REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION usage_cycles_add();
        CREATE TRIGGER usage_cycles_update AFTER UPDATE ON usage_daily REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION usage_cycles_add();
        CREATE TRIGGER usage_cycles_delete AFTER DELETE ON usage_daily REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION usage_cycles_add();
        REVOKE EXECUTE ON FUNCTION usage_cycles_add() FROM PUBLIC;

        -- A new billing day cuts the tenant's cycles anew. The lock waits for merges writing
        -- cycles now and holds off new ones until this transaction ends, so none adds a day
        -- under the old cut after the rows were rebuilt.
        CREATE FUNCTION usage_cycles_recut() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $fn$
        BEGIN
            LOCK TABLE usage_cycles IN SHARE ROW EXCLUSIVE MODE;
            LOCK TABLE usage_cycle_totals IN SHARE ROW EXCLUSIVE MODE;
            DELETE FROM usage_cycles WHERE tenant_id = NEW.id;
            DELETE FROM usage_cycle_totals WHERE tenant_id = NEW.id;
            INSERT INTO usage_cycles (tenant_id, cycle_start, subscriber, upload_bytes, download_bytes, session_seconds)
            SELECT tenant_id, billing_cycle_start(day, NEW.billing_day), subscriber, sum(upload_bytes), sum(download_bytes), sum(session_seconds)
            FROM usage_daily WHERE tenant_id = NEW.id GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
            INSERT INTO usage_cycle_totals (tenant_id, cycle_start, upload_bytes, download_bytes, session_seconds)
            SELECT tenant_id, cycle_start, sum(upload_bytes), sum(download_bytes), sum(session_seconds)
            FROM usage_cycles WHERE tenant_id = NEW.id GROUP BY 1, 2 ORDER BY 1, 2;
            RETURN NULL;
        END $fn$;
        CREATE TRIGGER usage_cycles_billing_day AFTER UPDATE OF billing_day ON tenants
            FOR EACH ROW WHEN (OLD.billing_day IS DISTINCT FROM NEW.billing_day) EXECUTE FUNCTION usage_cycles_recut();
        REVOKE EXECUTE ON FUNCTION usage_cycles_recut() FROM PUBLIC;

        INSERT INTO usage_cycles (tenant_id, cycle_start, subscriber, upload_bytes, download_bytes, session_seconds)
        SELECT u.tenant_id, billing_cycle_start(u.day, t.billing_day), u.subscriber, sum(u.upload_bytes), sum(u.download_bytes), sum(u.session_seconds)
        FROM usage_daily u JOIN tenants t ON t.id = u.tenant_id GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
        INSERT INTO usage_cycle_totals (tenant_id, cycle_start, upload_bytes, download_bytes, session_seconds)
        SELECT tenant_id, cycle_start, sum(upload_bytes), sum(download_bytes), sum(session_seconds) FROM usage_cycles GROUP BY 1, 2 ORDER BY 1, 2;
        -- The ranking by total of a cycle (the overview's heaviest users, the top users page).
        CREATE INDEX usage_cycles_total ON usage_cycles (tenant_id, cycle_start, (upload_bytes + download_bytes) DESC, subscriber);
        """
}
